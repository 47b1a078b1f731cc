#include "NoteFilterBar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSpinBox>
#include <QToolButton>

namespace morph::ui {

NoteFilterBar::NoteFilterBar(QWidget* parent) : QWidget(parent)
{
    search_ = new QLineEdit;
    search_->setObjectName(QStringLiteral("searchBox"));
    search_->setPlaceholderText(tr("Search notes (e.g. guitar_acoustic or -060-)"));
    search_->setClearButtonEnabled(true);

    pitchMin_ = new QSpinBox;
    pitchMax_ = new QSpinBox;
    for (QSpinBox* box : {pitchMin_, pitchMax_}) {
        box->setRange(0, 127);
        box->setToolTip(tr("MIDI pitch (60 = middle C)"));
    }
    pitchMin_->setObjectName(QStringLiteral("pitchMin"));
    pitchMax_->setObjectName(QStringLiteral("pitchMax"));
    pitchMax_->setValue(127);

    velocity_ = new QComboBox;
    velocity_->setObjectName(QStringLiteral("velocity"));
    source_ = new QComboBox;
    source_->setObjectName(QStringLiteral("source"));
    source_->addItem(tr("Any source"), -1);
    for (int s = 0; s < kSourceCount; ++s) source_->addItem(QString::fromUtf8(sourceName(s)), s);

    qualities_ = new QToolButton;
    qualities_->setObjectName(QStringLiteral("qualities"));
    qualities_->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(qualities_);
    for (int q = 0; q < kQualityCount; ++q) {
        QAction* a = menu->addAction(QString::fromUtf8(qualityName(q)));
        a->setCheckable(true);
        a->setData(q);
        qualityActions_ << a;
        connect(a, &QAction::toggled, this, [this] {
            updateQualityButton();
            emit filterChanged();
        });
    }
    qualities_->setMenu(menu);
    updateQualityButton();

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(search_, 3);
    layout->addWidget(new QLabel(tr("Pitch")));
    layout->addWidget(pitchMin_);
    layout->addWidget(new QLabel(QStringLiteral("–")));
    layout->addWidget(pitchMax_);
    layout->addWidget(velocity_);
    layout->addWidget(source_);
    layout->addWidget(qualities_);

    searchDelay_.setSingleShot(true);
    searchDelay_.setInterval(200);
    connect(&searchDelay_, &QTimer::timeout, this, &NoteFilterBar::filterChanged);
    connect(search_, &QLineEdit::textChanged, this, [this] { searchDelay_.start(); });
    connect(pitchMin_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int v) {
        if (pitchMax_->value() < v) pitchMax_->setValue(v);
        emit filterChanged();
    });
    connect(pitchMax_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int v) {
        if (pitchMin_->value() > v) pitchMin_->setValue(v);
        emit filterChanged();
    });
    connect(velocity_, qOverload<int>(&QComboBox::currentIndexChanged), this, &NoteFilterBar::filterChanged);
    connect(source_, qOverload<int>(&QComboBox::currentIndexChanged), this, &NoteFilterBar::filterChanged);
    setOutline({});
}

void NoteFilterBar::setOutline(const DatasetOutline& outline)
{
    const QSignalBlocker b1(velocity_), b2(pitchMin_), b3(pitchMax_);
    velocity_->clear();
    velocity_->addItem(tr("Any velocity"), -1);
    for (int v : outline.velocities) velocity_->addItem(tr("velocity %1").arg(v), v);
    reset();
}

void NoteFilterBar::reset()
{
    const QSignalBlocker b1(velocity_), b2(pitchMin_), b3(pitchMax_), b4(source_), b5(search_);
    pitchMin_->setValue(0);
    pitchMax_->setValue(127);
    velocity_->setCurrentIndex(0);
    source_->setCurrentIndex(0);
    search_->clear();
    for (QAction* a : qualityActions_) {
        const QSignalBlocker b(a);
        a->setChecked(false);
    }
    updateQualityButton();
}

void NoteFilterBar::setQualityRequired(int quality, bool required)
{
    if (quality >= 0 && quality < qualityActions_.size()) qualityActions_[quality]->setChecked(required);
}

void NoteFilterBar::applyTo(NoteQuery& query) const
{
    query.pitchMin = pitchMin_->value();
    query.pitchMax = pitchMax_->value();
    const int v = velocity_->currentData().toInt();
    if (v >= 0) query.velocity = v;
    const int s = source_->currentData().toInt();
    if (s >= 0) query.source = s;
    query.qualitiesAll = 0;
    for (QAction* a : qualityActions_)
        if (a->isChecked()) query.qualitiesAll |= static_cast<uint16_t>(1u << a->data().toInt());
    query.nameContains = search_->text().trimmed().toStdString();
}

void NoteFilterBar::updateQualityButton()
{
    QStringList on;
    for (QAction* a : qualityActions_)
        if (a->isChecked()) on << a->text();
    qualities_->setText(on.isEmpty() ? tr("Any qualities") : on.join(QStringLiteral(" + ")));
}

} // namespace morph::ui
