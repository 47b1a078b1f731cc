#include "BackgroundJobs.h"

namespace morph::ui {

BackgroundJobs::BackgroundJobs(QObject* parent) : QObject(parent) {}

int BackgroundJobs::start(const QString& title, std::optional<CancelToken> cancel)
{
    const int id = nextId_++;
    Job job;
    job.title = title;
    job.cancel = std::move(cancel);
    jobs_.emplace(id, std::move(job));
    emit jobAdded(id);
    return id;
}

void BackgroundJobs::setProgress(int id, double fraction, const QString& status)
{
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return;
    it->second.progress = fraction;
    if (!status.isEmpty()) it->second.status = status;
    emit jobChanged(id);
}

void BackgroundJobs::finish(int id)
{
    if (jobs_.erase(id) > 0) emit jobFinished(id);
}

void BackgroundJobs::cancel(int id)
{
    auto it = jobs_.find(id);
    if (it == jobs_.end() || !it->second.cancel) return;
    it->second.cancel->cancel();
    it->second.cancelRequested = true;
    it->second.status = tr("Cancelling…");
    emit jobChanged(id);
}

const BackgroundJobs::Job* BackgroundJobs::job(int id) const
{
    auto it = jobs_.find(id);
    return it == jobs_.end() ? nullptr : &it->second;
}

} // namespace morph::ui
