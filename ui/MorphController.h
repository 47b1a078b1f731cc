#pragma once
// The morph panel's engine room (no widgets): encodes the slot notes (A, B and the pad's C, D)
// on the pool, keeps a LiveMorph for the A-B slider (immediate nearest render + exact render
// scheduled, ladder pre-rendered in the background, stale requests dropped), renders the
// four-corner pad (MorphEngine::render with cornerWeights on the pool, latest position wins)
// and exports WAVs (one t, or a series t = 0..1) on the pool.
//
// Every render reaches the GUI as a MorphFrame: the render plus its spectrogram for display,
// computed on the worker. LiveMorph's ready callback runs on its worker and is relayed to the
// GUI thread (GuiRelay); frames of an older pair/options/model are dropped by a generation check.
//
// Thread contract: GUI thread only. No call waits on encoding or Griffin-Lim: a replaced
// LiveMorph is destroyed on the pool (its destructor finishes the current render).
#include "NoteData.h"
#include "morph/MorphEngine.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>

namespace morph {
class LiveMorph;
class NSynthDataset;
} // namespace morph

namespace morph::ui {

class BackgroundJobs;
class GuiRelay;

/// One render, ready to show and play.
struct MorphFrame {
    float t = 0.f;                  ///< slider position (pair morphs)
    float x = 0.f, y = 0.f;         ///< pad position (pad morphs)
    bool pad = false;
    bool exact = false;             ///< the exact render of the latest slider request
    std::shared_ptr<const MorphRender> render;
    /// dB re its maximum, linear STFT bins; made on the worker. Null in a frame request() hands
    /// out before the worker's callback arrived (that callback then brings the same render with it).
    std::shared_ptr<const SpectrogramData> spectrogram;
};

/// dB spectrogram (re its maximum, floor -80 dB) of a render's linear magnitudes.
std::shared_ptr<const SpectrogramData> spectrogramOfRender(const MorphRender& render, int sampleRate, int nFft,
                                                           int hop);

class MorphController : public QObject {
    Q_OBJECT
public:
    static constexpr int kSlots = 4;       ///< A, B (slider and pad) and C, D (pad corners)
    static constexpr int kLadderSteps = 10;

    explicit MorphController(BackgroundJobs* jobs, QObject* parent = nullptr);
    ~MorphController() override;

    void setEngine(std::shared_ptr<const MorphEngine> engine); ///< new model: re-encodes the slots
    void setDataset(std::shared_ptr<const NSynthDataset> dataset);
    bool hasEngine() const { return engine_ != nullptr; }

    /// Assigns a dataset note to a slot (0 = A, 1 = B, 2 = C, 3 = D); encoded in the background.
    void setSlot(int slot, std::optional<std::size_t> note);
    std::optional<std::size_t> slotNote(int slot) const { return slots_[std::size_t(slot)].note; }
    std::shared_ptr<const EncodedNote> encoded(int slot) const { return slots_[std::size_t(slot)].encoded; }
    /// The slot note's audio as loaded (for its play button); empty until encoded.
    const std::vector<float>& slotAudio(int slot) const { return slots_[std::size_t(slot)].audio; }
    bool pairReady() const { return pairReady_; }

    void setOptions(const MorphOptions& options);
    const MorphOptions& options() const { return options_; }
    int sampleRate() const;

    /// Slider moved: the nearest ready frame at once (null if none yet); the exact render of t
    /// is scheduled and arrives through frameReady.
    std::shared_ptr<const MorphFrame> request(float t);
    float currentT() const { return currentT_; }
    /// A ready frame of exactly t (e.g. the reconstructions at 0 and 1), if any.
    std::shared_ptr<const MorphFrame> frameAt(float t) const;

    /// Pad moved: renders (x, y) on the pool; while one renders, only the latest position waits.
    void requestPad(float x, float y);

    /// Writes the morph at t (exact render) to a 16-bit WAV, on the pool.
    void exportWav(const QString& file, float t);
    /// Writes steps files `<base>_NN_t0.000.wav` for t = 0..1 into folder, on the pool (cancellable).
    void exportSeries(const QString& folder, const QString& base, int steps);

    /// True while slots encode, the pad renders or an export runs (not the LiveMorph ladder).
    bool busy() const;
    /// Ladder rungs (t = k / kLadderSteps) rendered for the current pair.
    int ladderReady() const { return ladderReady_; }
    LiveMorph* liveMorph() const { return live_.get(); }

signals:
    void slotEncoded(int slot);
    void slotFailed(int slot, const QString& message);
    void pairChanged(bool ready);
    void frameReady(std::shared_ptr<const MorphFrame> frame);
    void padFrameReady(std::shared_ptr<const MorphFrame> frame);
    void padFailed(const QString& message);
    void ladderProgress(int ready, int total);
    void exportFinished(bool ok, const QString& message);

private:
    struct Slot {
        std::optional<std::size_t> note;
        std::shared_ptr<const EncodedNote> encoded;
        std::vector<float> audio;
        std::uint64_t generation = 0;
        bool encoding = false;
    };
    void encodeSlot(int slot);
    void updatePair();
    void resetLive();
    void onLiveFrame(std::shared_ptr<const MorphFrame> frame);
    void startPad(float x, float y);
    void finishLadderJob();

    QPointer<BackgroundJobs> jobs_; // may go before us when the window is destroyed
    std::shared_ptr<GuiRelay> relay_;
    std::shared_ptr<const MorphEngine> engine_;
    std::shared_ptr<const NSynthDataset> dataset_;
    std::array<Slot, kSlots> slots_;
    std::uint64_t engineGeneration_ = 0;
    MorphOptions options_;
    std::unique_ptr<LiveMorph> live_;
    std::uint64_t liveGeneration_ = 0;
    bool pairReady_ = false;
    float currentT_ = 0.f;
    std::map<int, std::shared_ptr<const MorphFrame>> frames_; ///< key t * 10000, bounded
    int ladderReady_ = 0;
    int ladderJob_ = 0;
    bool padBusy_ = false;
    std::optional<std::pair<float, float>> padPending_;
    std::shared_ptr<const MorphRender> lastPad_;
    int exporting_ = 0;
};

} // namespace morph::ui
