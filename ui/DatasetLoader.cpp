#include "DatasetLoader.h"

#include "Async.h"
#include "BackgroundJobs.h"

#include <QFileInfo>

#include <chrono>

namespace morph::ui {

DatasetLoader::DatasetLoader(BackgroundJobs* jobs, QObject* parent) : QObject(parent), jobs_(jobs) {}

LoadedDataset DatasetLoader::load(const QString& path)
{
    const auto start = std::chrono::steady_clock::now();
    LoadedDataset result;
    result.path = path;
    result.dataset = NSynthDataset::open(std::filesystem::path(path.toStdString()));
    result.outline = buildOutline(result.dataset);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

void DatasetLoader::open(const QString& path)
{
    const std::uint64_t generation = ++generation_;
    ++running_;
    const int job = jobs_ ? jobs_->start(tr("Opening dataset %1").arg(QFileInfo(path).fileName())) : 0;
    runAsync(
        this, [path] { return load(path); },
        [this, generation, job, path](Outcome<LoadedDataset> outcome) {
            --running_;
            if (jobs_) jobs_->finish(job);
            if (generation != generation_) return; // another dataset was asked for meanwhile
            if (outcome.ok())
                emit loaded(*outcome.value);
            else
                emit failed(path, outcome.error);
        });
}

} // namespace morph::ui
