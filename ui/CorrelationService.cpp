#include "CorrelationService.h"

#include "BackgroundJobs.h"
#include "GuiRelay.h"
#include "dataset/NSynthDataset.h"
#include "morph/EncodingService.h"

#include <QThreadPool>

#include <chrono>

namespace morph::ui {

namespace {
/// Destroying an EncodingService joins its worker after the chunk it is encoding: do that on the
/// pool, never on the GUI thread.
void disposeInBackground(std::unique_ptr<EncodingService> service)
{
    if (!service) return;
    service->cancel();
    std::shared_ptr<EncodingService> owned(std::move(service));
    QThreadPool::globalInstance()->start([owned]() mutable { owned.reset(); });
}
} // namespace

CorrelationService::CorrelationService(BackgroundJobs* jobs, QObject* parent)
    : QObject(parent), jobs_(jobs), relay_(GuiRelay::create(this)), cacheRoot_(EmbeddingDiskCache::defaultRoot())
{
    if (jobs_)
        connect(jobs_, &BackgroundJobs::jobChanged, this, [this](int id) {
            const BackgroundJobs::Job* j = jobs_->job(id);
            if (id == job_ && j && j->cancelRequested && service_) service_->cancel();
        });
}

CorrelationService::~CorrelationService()
{
    relay_->detach();
    endJob();
    service_.reset(); // at exit: joins the worker (it stops after its current chunk)
}

void CorrelationService::setModel(std::shared_ptr<const ModelRunner> model)
{
    model_ = std::move(model);
    rebuild();
}

void CorrelationService::setDataset(std::shared_ptr<const NSynthDataset> dataset)
{
    dataset_ = std::move(dataset);
    rebuild();
}

void CorrelationService::setCacheRoot(const std::filesystem::path& root)
{
    cacheRoot_ = root;
    rebuild();
}

void CorrelationService::rebuild()
{
    const bool wasBusy = busy_;
    ++generation_;
    busy_ = false;
    endJob();
    disposeInBackground(std::move(service_));
    result_.reset();
    if (model_ && dataset_) service_ = std::make_unique<EncodingService>(model_, dataset_, cacheRoot_);
    if (wasBusy) emit cancelled();
}

void CorrelationService::endJob()
{
    if (job_ && jobs_) jobs_->finish(job_);
    job_ = 0;
}

void CorrelationService::cancel()
{
    if (service_) service_->cancel();
}

void CorrelationService::compute(std::vector<std::size_t> notes)
{
    if (!service_) {
        emit failed(tr("Load a model and open a dataset first."));
        return;
    }
    const std::uint64_t generation = ++generation_;
    endJob();
    busy_ = true;
    const int total = static_cast<int>(notes.size());
    if (jobs_) {
        job_ = jobs_->start(tr("Encoding %1 notes for the correlation matrix").arg(total), CancelToken());
        jobs_->setProgress(job_, 0.0, tr("0 / %1").arg(total));
    }
    emit started(total);

    EncodingService* service = service_.get();
    std::shared_ptr<const NSynthDataset> dataset = dataset_;
    std::shared_ptr<GuiRelay> relay = relay_;
    const auto startTime = std::chrono::steady_clock::now();
    auto onProgress = [relay, this, generation](const EncodingProgress& p) {
        relay->post([this, generation, done = int(p.done), total = int(p.total), cached = p.fromCache] {
            if (generation != generation_) return;
            if (jobs_ && job_)
                jobs_->setProgress(job_, total ? double(done) / total : 1.0,
                                   tr("%1 / %2 notes (%3 from cache)").arg(done).arg(total).arg(cached));
            emit progress(done, total);
        });
    };
    // Runs on the service's worker: gather what encoded and correlate it there.
    auto onFinished = [relay, this, generation, service, dataset, notes, startTime](const EncodingProgress& p,
                                                                                    bool wasCancelled) {
        std::shared_ptr<CorrelationResult> result;
        QString error;
        if (!wasCancelled) {
            result = std::make_shared<CorrelationResult>();
            result->requested = notes.size();
            result->failed = p.failed;
            result->fromCache = p.fromCache;
            result->lastError = QString::fromStdString(p.lastError);
            std::vector<std::shared_ptr<const NoteEmbedding>> keep;
            std::vector<const std::vector<float>*> vectors;
            for (std::size_t n : notes) {
                auto e = service->embedding(n);
                if (!e) continue;
                keep.push_back(e);
                vectors.push_back(&e->values);
                result->notes.push_back(n);
                const NoteMeta& meta = dataset->note(n);
                result->keys.push_back(PairKey{meta.instrument, meta.family});
                result->labels << QString::fromStdString(meta.noteStr);
            }
            try {
                result->matrix = computeCorrelation(vectors);
                result->seconds =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - startTime).count();
            } catch (const std::exception& e) {
                error = QString::fromStdString(e.what());
                result.reset();
            }
        }
        relay->post([this, generation, result, wasCancelled, error] {
            if (generation != generation_) return;
            busy_ = false;
            endJob();
            if (wasCancelled) {
                emit cancelled();
            } else if (!result) {
                emit failed(error);
            } else if (result->notes.size() < 2) {
                emit failed(tr("Fewer than two notes could be encoded%1")
                                .arg(result->lastError.isEmpty() ? QString() : QStringLiteral(": ") + result->lastError));
            } else {
                result_ = result;
                emit finished(result_);
            }
        });
    };
    service_->start(std::move(notes), onProgress, onFinished);
}

} // namespace morph::ui
