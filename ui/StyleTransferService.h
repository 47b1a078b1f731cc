#pragma once
// The Style tab's engine room (no widgets): runs one core StyleTransfer at a time on its own
// QThread (loads the content and style notes, optimises, Griffin-Lim), relays the per-iteration
// losses to the GUI thread (throttled to ~20 Hz; the last iterate always arrives), shows the job
// in the Background work dock (its Cancel stops the run), and exports the result as a WAV on the
// pool. The result arrives with its display spectrograms (made on the worker).
//
// Thread contract: GUI thread only. stop() never waits: the run notices the token before its
// next loss evaluation, then finished() arrives. The destructor (exit only) cancels and joins.
#include "NoteData.h"
#include "WorkerThread.h"
#include "style/StyleTransfer.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <cstddef>
#include <memory>
#include <optional>

namespace morph {
class NSynthDataset;
}

namespace morph::ui {

class BackgroundJobs;
class GuiRelay;

/// A finished transfer, ready to show, play and export.
struct StyleTransferOutcome {
    style::StyleTransferResult result;
    QString contentName, styleName;
    std::vector<float> contentAudio, styleAudio;  ///< at result.sampleRate
    /// dB re each spectrogram's maximum (floor -80 dB), linear STFT bins.
    std::shared_ptr<const SpectrogramData> content, style, output;
};

/// Display spectrogram of a style-transfer representation (log1p or dB).
std::shared_ptr<const SpectrogramData> displaySpectrogram(const dsp::Spectrogram& representation, bool db,
                                                         int sampleRate, int nFft, int hop);

class StyleTransferService : public QObject {
    Q_OBJECT
public:
    static constexpr int kProgressIntervalMs = 50;

    explicit StyleTransferService(BackgroundJobs* jobs, QObject* parent = nullptr);
    ~StyleTransferService() override;

    /// A new dataset invalidates note indices: emits datasetChanged (the panel clears its notes).
    void setDataset(std::shared_ptr<const NSynthDataset> dataset);
    std::shared_ptr<const NSynthDataset> dataset() const { return dataset_; }

    /// Starts a transfer of dataset notes; false (nothing happens) while one runs, without a
    /// dataset or with an index outside it.
    bool start(std::size_t contentNote, std::size_t styleNote, const style::StyleTransferOptions& options);
    void stop();
    bool running() const { return worker_.running(); }
    bool stopping() const { return running() && cancel_.isCancelled(); }
    /// Blocks until the run's thread has ended (tests). False on timeout.
    bool waitForFinished(int milliseconds);

    std::shared_ptr<const StyleTransferOutcome> outcome() const { return outcome_; }
    /// Writes the last result as 16-bit WAV (atomically) on the pool; exportFinished follows.
    bool exportWav(const QString& file);

signals:
    void datasetChanged();
    void started(int iterations);
    void progress(int iteration, int iterations, const morph::style::LossTerms& loss);
    void resultReady(std::shared_ptr<const morph::ui::StyleTransferOutcome> outcome);
    void finished(bool ok, bool cancelled, const QString& message);
    void exportFinished(bool ok, const QString& message);

private:
    void onThreadEnded(const WorkerOutcome& outcome);

    QPointer<BackgroundJobs> jobs_;
    std::shared_ptr<GuiRelay> relay_;
    std::shared_ptr<const NSynthDataset> dataset_;
    CancelToken cancel_;
    int job_ = 0;
    std::shared_ptr<const StyleTransferOutcome> outcome_;
    WorkerThread worker_{QStringLiteral("morph-style-transfer")};
};

} // namespace morph::ui
