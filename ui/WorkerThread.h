#pragma once
// One dedicated QThread for one long job at a time (a style transfer, a training run): start()
// runs the job on a fresh thread at low priority; when the thread has ended, finished() brings
// the job's outcome to the GUI thread. Anything the job posted to the GUI thread before it
// returned (e.g. through a GuiRelay) has been delivered by then, since the thread's end is
// queued after it.
//
// Thread contract: every member is for the GUI thread (the thread that created the object).
// The job runs on the worker thread and must touch only what it captured by value, its cancel
// token and thread-safe relays; it reports its own errors in its outcome (a std::exception
// that escapes it becomes the outcome's message, not ok).
// cancelAndJoin() and the destructor cancel the job's token and wait for the thread to end
// (exit only: the job must notice its token soon); finished() is not emitted then.
#include "util/CancelToken.h"

#include <QObject>
#include <QString>

#include <functional>

class QThread;

namespace morph::ui {

/// How a job ended, as it reported it.
struct WorkerOutcome {
    bool ok = false;
    bool cancelled = false;
    QString message;
};

class WorkerThread : public QObject {
    Q_OBJECT
public:
    using Job = std::function<WorkerOutcome()>;

    /// `threadName` names the thread (debuggers, profilers).
    explicit WorkerThread(QString threadName, QObject* parent = nullptr);
    ~WorkerThread() override;

    /// Runs `job` on a new thread; `cancel` is the token the job checks (cancelAndJoin() sets
    /// it). False (nothing happens) while a job runs.
    bool start(CancelToken cancel, Job job);
    /// True from start() until finished() has been emitted.
    bool running() const { return thread_ != nullptr; }
    /// Blocks until the thread has ended (tests, benchmarks); true at once when none runs.
    /// False on timeout. finished() still arrives through the event loop.
    bool waitForFinished(int milliseconds);
    /// Cancels the job's token and blocks until its thread has ended (exit only).
    void cancelAndJoin();

signals:
    void finished(const morph::ui::WorkerOutcome& outcome);

private:
    QString threadName_;
    QThread* thread_ = nullptr;
    CancelToken cancel_;
    unsigned run_ = 0; // which start() the queued end of a thread belongs to
};

} // namespace morph::ui
