#pragma once
// Registry of long-running background work shown in the "Background work" dock: each job has a
// title, a progress (0..1, or indeterminate), a status line and an optional cancel token.
//
// Thread contract: GUI thread only. Workers report progress by posting to the GUI thread
// (e.g. QMetaObject::invokeMethod(jobs, [=]{ jobs->setProgress(id, f); })), never directly.
#include "util/CancelToken.h"

#include <QObject>
#include <QString>

#include <map>
#include <optional>

namespace morph::ui {

class BackgroundJobs : public QObject {
    Q_OBJECT
public:
    struct Job {
        QString title;
        QString status;
        double progress = -1.0; ///< < 0: indeterminate
        std::optional<CancelToken> cancel;
        bool cancelRequested = false;
    };

    explicit BackgroundJobs(QObject* parent = nullptr);

    /// Registers a job; a token makes it cancellable from the dock. Returns its id.
    int start(const QString& title, std::optional<CancelToken> cancel = std::nullopt);
    void setProgress(int id, double fraction, const QString& status = {});
    void finish(int id);
    /// Sets the job's cancel token (the worker stops at its next check) and marks it.
    void cancel(int id);

    const Job* job(int id) const;
    int count() const { return static_cast<int>(jobs_.size()); }

signals:
    void jobAdded(int id);
    void jobChanged(int id);
    void jobFinished(int id);

private:
    std::map<int, Job> jobs_;
    int nextId_ = 1;
};

} // namespace morph::ui
