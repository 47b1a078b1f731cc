#include "TrainingRunner.h"

#include "BackgroundJobs.h"
#include "GuiRelay.h"
#include "train/TrainingRun.h"
#include "util/Errors.h"

#include <QThread>

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
}

TrainingRunner::~TrainingRunner()
{
    relay_->detach();
    if (thread_) {
        cancel_.cancel();
        thread_->wait(); // exit only: the trainer stops within one batch
        delete thread_;
        thread_ = nullptr;
    }
    if (job_ && jobs_) jobs_->finish(job_);
}

bool TrainingRunner::start(TrainRequest request)
{
    if (thread_) return false;
    cancel_ = CancelToken();
    runDir_ = request.config.runDir;
    epochs_ = std::max(1, request.config.epochs);
    ok_ = cancelled_ = false;
    message_.clear();
    if (jobs_) {
        job_ = jobs_->start(tr("Training %1 → %2")
                                .arg(QString::fromUtf8(architectureName(request.config.model.arch)),
                                     QString::fromStdString(runDir_.filename().string())),
                            cancel_);
        jobs_->setProgress(job_, -1.0, tr("preparing"));
    }
    auto relay = relay_;
    CancelToken cancel = cancel_;
    thread_ = QThread::create([relay, cancel, request = std::move(request), this]() mutable {
        // ---- worker thread: touch only `request`, `cancel` and the relay ----
        bool ok = false, cancelled = false;
        QString message;
        auto stage = [&](const QString& text) {
            relay->post([this, text] {
                emit stageChanged(text);
                if (jobs_ && job_) jobs_->setProgress(job_, -1.0, text);
            });
        };
        try {
            NSynthDataset opened;
            const NSynthDataset* dataset = request.dataset.get();
            TrainConfig config = request.config;
            const bool resume = request.resume && std::filesystem::exists(config.runDir / "config.json");
            if (resume) {
                TrainConfig saved = loadRunConfig(config.runDir);
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
                    [&](const std::string& line) {
                        relay->post([this, l = QString::fromStdString(line)] { emit logLine(l); });
                    });
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
            trainer.setLogCallback([&](const std::string& line) {
                relay->post([this, l = QString::fromStdString(line)] { emit logLine(l); });
            });
            relay->post([this, device = QString::fromStdString(trainer.device()),
                         t = qulonglong(trainer.trainSlicesPerEpoch()), v = qulonglong(trainer.validSlices())] {
                emit trainingStarted(device, t, v);
            });
            const TrainResult result = trainer.run(cancel);
            cancelled = result.stop == TrainResult::Stop::Cancelled;
            ok = !cancelled;
            message = QStringLiteral("%1 after %2 epoch(s); best validation loss %3 dB² at epoch %4")
                          .arg(QString::fromUtf8(stopName(result.stop)))
                          .arg(result.epochsDone)
                          .arg(result.bestValidLoss, 0, 'f', 3)
                          .arg(result.bestEpoch);
        } catch (const CancelledError& e) {
            cancelled = true;
            message = QString::fromStdString(e.what());
        } catch (const std::exception& e) { // typed morph errors: shown to the user
            message = QString::fromStdString(e.what());
        }
        relay->post([this, ok, cancelled, message] {
            ok_ = ok;
            cancelled_ = cancelled;
            message_ = message;
        });
    });
    thread_->setObjectName(QStringLiteral("morph-training"));
    connect(thread_, &QThread::finished, this, &TrainingRunner::onThreadEnded);
    connect(this, &TrainingRunner::progress, this, [this](const TrainProgress& p) {
        if (!jobs_ || !job_) return;
        const double within = p.batches ? double(p.batch) / double(p.batches) : 0.0;
        const double epochPart = p.phase == TrainPhase::Train ? 0.9 * within : 0.9 + 0.1 * within;
        jobs_->setProgress(job_, std::min(1.0, (p.epoch - 1 + epochPart) / std::max(1, p.epochs)),
                           tr("epoch %1 / %2, %3, loss %4").arg(p.epoch).arg(p.epochs)
                               .arg(QString::fromUtf8(trainPhaseName(p.phase)))
                               .arg(p.loss, 0, 'f', 2));
    });
    thread_->start(QThread::LowPriority);
    return true;
}

void TrainingRunner::stop()
{
    if (!thread_) return;
    cancel_.cancel();
    emit stageChanged(tr("Stopping after this batch…"));
}

void TrainingRunner::onThreadEnded()
{
    // The thread's last post (the outcome) was queued before QThread::finished: it has run.
    QThread* t = thread_;
    thread_ = nullptr;
    t->deleteLater();
    if (job_ && jobs_) jobs_->finish(job_);
    job_ = 0;
    emit finished(ok_, cancelled_, message_);
}

bool TrainingRunner::waitForFinished(int milliseconds)
{
    if (!thread_) return true;
    return thread_->wait(QDeadlineTimer(milliseconds));
}

} // namespace morph::ui
