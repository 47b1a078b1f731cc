#pragma once
// The two notes chosen for morphing (slots A and B, assigned with the A / B keys in the
// browser). The morph panel (later) reads them; clicking a slot's name selects that note.
// Thread contract: GUI thread only.
#include <QWidget>

#include <array>
#include <optional>

class QLabel;
class QToolButton;

namespace morph::ui {

class MorphSlots : public QWidget {
    Q_OBJECT
public:
    explicit MorphSlots(QWidget* parent = nullptr);
    void assign(int slot, std::size_t noteIndex, const QString& noteStr);
    void clear();
    std::optional<std::size_t> note(int slot) const { return notes_[static_cast<std::size_t>(slot)]; }
    QString noteName(int slot) const;

signals:
    void slotChanged(int slot);
    void noteActivated(std::size_t noteIndex);

private:
    std::array<std::optional<std::size_t>, 2> notes_;
    std::array<QToolButton*, 2> buttons_{};
};

} // namespace morph::ui
