#pragma once
// Opens a dataset (NSynthDataset::open + the browser outline) on the thread pool and reports
// the result on the GUI thread; the job shows in the Background work dock while it runs.
// Thread contract: GUI thread only.
#include "DatasetOutline.h"

#include <QObject>
#include <QString>

#include <cstdint>

namespace morph::ui {

class BackgroundJobs;

struct LoadedDataset {
    NSynthDataset dataset;
    DatasetOutline outline;
    QString path;
    double seconds = 0.0; ///< time to open and outline, measured on the worker
};

class DatasetLoader : public QObject {
    Q_OBJECT
public:
    explicit DatasetLoader(BackgroundJobs* jobs, QObject* parent = nullptr);
    /// Starts opening `path`; a later open() supersedes an earlier one still running.
    void open(const QString& path);
    bool busy() const { return running_ > 0; }

    /// Opens synchronously (what the worker runs). Throws DatasetError.
    static LoadedDataset load(const QString& path);

signals:
    void loaded(const LoadedDataset& result);
    void failed(const QString& path, const QString& message);

private:
    BackgroundJobs* jobs_;
    std::uint64_t generation_ = 0;
    int running_ = 0;
};

} // namespace morph::ui
