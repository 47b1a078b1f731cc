#pragma once
// Runs one training job on its own QThread: opens the dataset if needed, prepares the feature
// caches (core prepareTrainingRun, shared with the CLI), then runs a plain core Trainer with a
// CancelToken. The trainer's callbacks (its worker thread) are relayed to the GUI thread, the
// batch progress throttled to ~10 Hz; epoch records and log lines always arrive. The job shows
// in the Background work dock (its Cancel = stop).
//
// Thread contract: GUI thread only. stop() never waits: the trainer notices the token within one
// batch, saves last.pt and the thread ends, then finished() arrives. The destructor (exit only)
// cancels and joins.
#include "WorkerThread.h"
#include "dataset/NSynthDataset.h"
#include "train/Trainer.h"
#include "train/TrainingData.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <memory>

namespace morph::ui {

class BackgroundJobs;
class GuiRelay;

struct TrainRequest {
    std::shared_ptr<const NSynthDataset> dataset; ///< the open dataset, or null: open datasetPath
    QString datasetPath;
    DataSelection selection;
    TrainConfig config;   ///< model, hyper-parameters and runDir
    bool resume = false;  ///< continue runDir (its config.json fixes the model and data)
};

class TrainingRunner : public QObject {
    Q_OBJECT
public:
    static constexpr int kProgressIntervalMs = 100;

    explicit TrainingRunner(BackgroundJobs* jobs, QObject* parent = nullptr);
    ~TrainingRunner() override;

    /// Starts a run; false (and nothing happens) while one is running.
    bool start(TrainRequest request);
    void stop();
    bool running() const { return worker_.running(); }
    bool stopping() const { return running() && cancel_.isCancelled(); }
    /// The run folder of the current or last run.
    const std::filesystem::path& runDir() const { return runDir_; }
    /// Blocks until the thread has ended (tests, benchmarks). Returns false on timeout.
    bool waitForFinished(int milliseconds);

signals:
    void stageChanged(const QString& text);
    void trainingStarted(const QString& device, qulonglong trainSlices, qulonglong validSlices);
    void progress(const morph::TrainProgress& progress);
    void epochFinished(const morph::EpochRecord& record);
    void logLine(const QString& line);
    void finished(bool ok, bool cancelled, const QString& message);

private:
    void onThreadEnded(const WorkerOutcome& outcome);

    QPointer<BackgroundJobs> jobs_; // may go before us when the window is destroyed
    std::shared_ptr<GuiRelay> relay_;
    CancelToken cancel_;
    std::filesystem::path runDir_;
    int job_ = 0;
    int epochs_ = 1;
    WorkerThread worker_{QStringLiteral("morph-training")};
};

} // namespace morph::ui
