#include "TrainingRunner.h"

#include "BackgroundJobs.h"
#include "GuiRelay.h"
#include "train/TrainingRun.h"
#include "util/Errors.h"

#include <chrono>

namespace morph::ui {

TrainingRunner::TrainingRunner(BackgroundJobs* jobs, QObject* parent)
    : QObject(parent), jobs_(jobs), relay_(GuiRelay::create(this))
{
    if (jobs_)
        connect(jobs_, &BackgroundJobs::jobChanged, this, [this](int id) {
            const BackgroundJobs::Job* j = jobs_->job(id);
            if (id == job_ && j && j->cancelRequested) stop();
        });
    connect(&worker_, &WorkerThread::finished, this, &TrainingRunner::onThreadEnded);
    // The dock follows the batches (connected once here, not once per run).
    connect(this, &TrainingRunner::progress, this, [this](const TrainProgress& p) {
        if (!jobs_ || !job_) return;
        const double within = p.batches ? double(p.batch) / double(p.batches) : 0.0;
        const double epochPart = p.phase == TrainPhase::Train ? 0.9 * within : 0.9 + 0.1 * within;
        jobs_->setProgress(job_, std::min(1.0, (p.epoch - 1 + epochPart) / std::max(1, p.epochs)),
                           tr("epoch %1 / %2, %3, loss %4").arg(p.epoch).arg(p.epochs)
                               .arg(QString::fromUtf8(trainPhaseName(p.phase)))
                               .arg(p.loss, 0, 'f', 2));
    });
}

TrainingRunner::~TrainingRunner()
{
    relay_->detach();
    worker_.cancelAndJoin(); // exit only: the trainer stops within one batch
    if (job_ && jobs_) jobs_->finish(job_);
}

bool TrainingRunner::start(TrainRequest request)
{
    if (worker_.running()) return false;
    cancel_ = CancelToken();
    runDir_ = request.config.runDir;
    epochs_ = std::max(1, request.config.epochs);
    if (jobs_) {
        job_ = jobs_->start(tr("Training %1 → %2")
                                .arg(QString::fromUtf8(architectureName(request.config.model.arch)),
                                     QString::fromStdString(runDir_.filename().string())),
                            cancel_);
        jobs_->setProgress(job_, -1.0, tr("preparing"));
    }
    auto relay = relay_;
    CancelToken cancel = cancel_;
    worker_.start(cancel_, [relay, cancel, request = std::move(request), this]() mutable {
        // ---- worker thread: touch only `request`, `cancel` and the relay ----
        WorkerOutcome done;
        auto stage = [&](const QString& text) {
            relay->post([this, text] {
                emit stageChanged(text);
                if (jobs_ && job_) jobs_->setProgress(job_, -1.0, text);
            });
        };
        // One-line messages of every stage (resume fallbacks, note sets, the trainer) go to the log.
        auto postLog = [relay, this](const std::string& line) {
            relay->post([this, l = QString::fromStdString(line)] { emit logLine(l); });
        };
        try {
            NSynthDataset opened;
            const NSynthDataset* dataset = request.dataset.get();
            TrainConfig config = request.config;
            const bool resume = request.resume && std::filesystem::exists(config.runDir / "config.json");
            if (resume) {
                // A copied run folder finds its feature caches under runDir/features.
                TrainConfig saved = loadRunConfig(config.runDir, postLog);
                saved.epochs = config.epochs;
                saved.device = config.device;
                saved.threads = config.threads;
                config = saved;
                stage(tr("Resuming %1").arg(QString::fromStdString(config.runDir.string())));
            } else {
                if (std::filesystem::exists(config.runDir / "last.pt"))
                    throw ConfigError("run folder " + config.runDir.string() +
                                      " already holds a training state: resume it or choose another folder");
                if (!dataset) {
                    stage(tr("Opening %1").arg(request.datasetPath));
                    opened = NSynthDataset::open(std::filesystem::path(request.datasetPath.toStdString()));
                    dataset = &opened;
                }
                auto lastPost = std::chrono::steady_clock::now() - std::chrono::seconds(1);
                prepareTrainingRun(
                    *dataset, request.selection, config, {}, cancel,
                    [&](const std::string& label, const FeatureBuildProgress& p) {
                        const auto now = std::chrono::steady_clock::now();
                        if (p.done < p.total && now - lastPost < std::chrono::milliseconds(kProgressIntervalMs)) return;
                        lastPost = now;
                        stage(tr("Preparing features (%1): %2 / %3 notes")
                                  .arg(QString::fromStdString(label))
                                  .arg(p.done)
                                  .arg(p.total));
                    },
                    postLog);
            }
            Trainer trainer(config, resume);
            auto lastProgress = std::chrono::steady_clock::now() - std::chrono::seconds(1);
            trainer.setProgressCallback([&](const TrainProgress& p) {
                const auto now = std::chrono::steady_clock::now();
                const bool phaseEnd = p.batch >= p.batches;
                if (!phaseEnd && now - lastProgress < std::chrono::milliseconds(kProgressIntervalMs)) return;
                lastProgress = now;
                relay->post([this, p] { emit progress(p); });
            });
            trainer.setEpochCallback([&](const EpochRecord& r) { relay->post([this, r] { emit epochFinished(r); }); });
            trainer.setLogCallback(postLog);
            relay->post([this, device = QString::fromStdString(trainer.device()),
                         t = qulonglong(trainer.trainSlicesPerEpoch()), v = qulonglong(trainer.validSlices())] {
                emit trainingStarted(device, t, v);
            });
            const TrainResult result = trainer.run(cancel);
            done.cancelled = result.stop == TrainResult::Stop::Cancelled;
            done.ok = !done.cancelled;
            done.message = QStringLiteral("%1 after %2 epoch(s); best validation loss %3 dB² at epoch %4")
                               .arg(QString::fromUtf8(stopName(result.stop)))
                               .arg(result.epochsDone)
                               .arg(result.bestValidLoss, 0, 'f', 3)
                               .arg(result.bestEpoch);
        } catch (const CancelledError& e) {
            done.cancelled = true;
            done.message = QString::fromStdString(e.what());
        } catch (const std::exception& e) { // typed morph errors: shown to the user
            done.message = QString::fromStdString(e.what());
        }
        return done;
    });
    return true;
}

void TrainingRunner::stop()
{
    if (!worker_.running()) return;
    cancel_.cancel();
    emit stageChanged(tr("Stopping after this batch…"));
}

void TrainingRunner::onThreadEnded(const WorkerOutcome& outcome)
{
    // The run's last posts (epochs, log lines) were queued before the thread's end: they ran.
    if (job_ && jobs_) jobs_->finish(job_);
    job_ = 0;
    emit finished(outcome.ok, outcome.cancelled, outcome.message);
}

bool TrainingRunner::waitForFinished(int milliseconds) { return worker_.waitForFinished(milliseconds); }

} // namespace morph::ui
