#include "MorphSlots.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace morph::ui {

MorphSlots::MorphSlots(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 0, 4, 0);
    for (int s = 0; s < 2; ++s) {
        auto* label = new QLabel(s == 0 ? tr("<b>A</b>") : tr("<b>B</b>"));
        auto* button = new QToolButton;
        button->setObjectName(s == 0 ? QStringLiteral("slotA") : QStringLiteral("slotB"));
        button->setAutoRaise(true);
        button->setMinimumWidth(200);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        connect(button, &QToolButton::clicked, this, [this, s] {
            if (notes_[static_cast<std::size_t>(s)]) emit noteActivated(*notes_[static_cast<std::size_t>(s)]);
        });
        buttons_[static_cast<std::size_t>(s)] = button;
        layout->addWidget(label);
        layout->addWidget(button);
    }
    clear();
}

void MorphSlots::assign(int slot, std::size_t noteIndex, const QString& noteStr)
{
    if (slot < 0 || slot > 1) return;
    notes_[static_cast<std::size_t>(slot)] = noteIndex;
    buttons_[static_cast<std::size_t>(slot)]->setText(noteStr);
    buttons_[static_cast<std::size_t>(slot)]->setToolTip(tr("Click to show this note"));
    emit slotChanged(slot);
}

void MorphSlots::clear()
{
    for (int s = 0; s < 2; ++s) {
        notes_[static_cast<std::size_t>(s)].reset();
        buttons_[static_cast<std::size_t>(s)]->setText(tr("(press %1 on a note)").arg(s == 0 ? 'A' : 'B'));
        buttons_[static_cast<std::size_t>(s)]->setToolTip({});
    }
}

QString MorphSlots::noteName(int slot) const
{
    return notes_[static_cast<std::size_t>(slot)] ? buttons_[static_cast<std::size_t>(slot)]->text() : QString();
}

} // namespace morph::ui
