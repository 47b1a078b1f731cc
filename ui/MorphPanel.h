#pragma once
// The "Morph" tab: slots A and B (name, family, play), the interpolation slider 0..1000 with
// live playback while it moves (the nearest ready render plays at once, swapped in at the same
// playback position; the exact render replaces it when it arrives), play / stop / loop,
// "play on release", a four-corner XY pad mode (slots A, B, C, D), Griffin-Lim iterations,
// energy correction and interpolation mode, WAV export (the current morph or a series
// t = 0..1), and the views: A's reconstruction | the morph | B's reconstruction as
// spectrograms, and the embedding matrices (A, morph, B) on one colour scale.
// All rendering runs in MorphController; this panel only shows and plays frames.
// Thread contract: GUI thread only.
#include <QElapsedTimer>
#include <QWidget>

#include <array>
#include <memory>
#include <optional>

class QCheckBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QStackedWidget;
class QTabWidget;
class QTimer;
class QToolButton;

namespace morph::ui {

class AudioController;
class EmbeddingView;
class MorphController;
class SpectrogramView;
class XYPad;
struct MorphFrame;

class MorphPanel : public QWidget {
    Q_OBJECT
public:
    enum class Mode { Slider, Pad };
    /// The views follow the shown frame at most this often (sound follows every frame).
    static constexpr qint64 kViewIntervalMs = 40;

    MorphPanel(MorphController* controller, AudioController* audio, QWidget* parent = nullptr);
    ~MorphPanel() override;

    /// What the slot shows (MainWindow keeps it in step with the morph slots).
    void setSlotInfo(int slot, const QString& name, const QString& details);
    void setMode(Mode mode);
    Mode mode() const;

    QSlider* slider() const { return slider_; }
    XYPad* pad() const { return pad_; }
    SpectrogramView* morphView() const { return morphView_; }
    SpectrogramView* reconstructionView(int slot) const { return slot == 0 ? reconA_ : reconB_; }
    EmbeddingView* embeddingView() const { return embeddings_; }
    QTabWidget* viewTabs() const { return views_; }
    /// The frame the views show (and Play plays).
    std::shared_ptr<const MorphFrame> shownFrame() const { return shown_; }
    QString statusText() const;

    bool liveEnabled() const;
    void setLiveEnabled(bool on);
    void setPlayOnRelease(bool on);
    void setLoop(bool on);

    /// Plays the shown frame from the start (Space in the panel).
    void playShown();
    void stop();
    /// Asks for a file / folder and exports (the buttons).
    void exportCurrent();
    void exportSeries();

signals:
    void cornerAssignRequested(int slot); ///< "use the browser's current note" for slot C (2) / D (3)
    void statusMessage(const QString& text);

private:
    void onSlider(int value);
    void onSliderReleased();
    void onFrame(std::shared_ptr<const MorphFrame> frame);
    void onPadFrame(std::shared_ptr<const MorphFrame> frame);
    void onPairChanged(bool ready);
    void showFrame(std::shared_ptr<const MorphFrame> frame);
    void updateViews();
    void updateEmbeddings();
    void play(const MorphFrame& frame, bool keepPosition);
    void applyOptions();
    void updateSlotWidgets();

    MorphController* controller_;
    AudioController* audio_;
    std::shared_ptr<const MorphFrame> shown_;
    std::optional<int> playOnReleaseKey_;
    bool livePlaying_ = false; ///< the audio now playing is the morph (swap renders in place)

    std::array<QLabel*, 4> slotNames_{};
    std::array<QLabel*, 4> slotDetails_{};
    std::array<QToolButton*, 4> slotPlay_{};
    QTabWidget* modes_ = nullptr;
    QSlider* slider_ = nullptr;
    QLabel* tLabel_ = nullptr;
    XYPad* pad_ = nullptr;
    QLabel* padLabel_ = nullptr;
    QPushButton* play_ = nullptr;
    QPushButton* stop_ = nullptr;
    QCheckBox* loop_ = nullptr;
    QCheckBox* live_ = nullptr;
    QCheckBox* playOnRelease_ = nullptr;
    QSpinBox* iterations_ = nullptr;
    QCheckBox* energy_ = nullptr;
    QCheckBox* spherical_ = nullptr;
    QSpinBox* seriesSteps_ = nullptr;
    QPushButton* export_ = nullptr;
    QPushButton* exportSeries_ = nullptr;
    QLabel* status_ = nullptr;
    QLabel* ladder_ = nullptr;
    QTabWidget* views_ = nullptr;
    SpectrogramView* reconA_ = nullptr;
    SpectrogramView* morphView_ = nullptr;
    SpectrogramView* reconB_ = nullptr;
    QLabel* morphTitle_ = nullptr;
    EmbeddingView* embeddings_ = nullptr;
    QTimer* optionsDebounce_ = nullptr;
    QTimer* viewTimer_ = nullptr;
    QElapsedTimer viewClock_;
    bool embeddingsStale_ = false;
};

} // namespace morph::ui
