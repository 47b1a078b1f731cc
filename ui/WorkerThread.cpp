#include "WorkerThread.h"

#include <QDeadlineTimer>
#include <QThread>

#include <exception>
#include <memory>
#include <utility>

namespace morph::ui {

WorkerThread::WorkerThread(QString threadName, QObject* parent)
    : QObject(parent), threadName_(std::move(threadName))
{
}

WorkerThread::~WorkerThread() { cancelAndJoin(); }

bool WorkerThread::start(CancelToken cancel, Job job)
{
    if (thread_) return false;
    cancel_ = std::move(cancel);
    // Written by the worker before the thread ends, read here after its end was delivered.
    auto outcome = std::make_shared<WorkerOutcome>();
    QThread* thread = QThread::create([job = std::move(job), outcome] {
        try {
            *outcome = job();
        } catch (const std::exception& e) { // a job reports its own errors; this is the net
            outcome->ok = false;
            outcome->message = QString::fromStdString(e.what());
        }
    });
    thread->setObjectName(threadName_);
    const unsigned run = ++run_;
    connect(thread, &QThread::finished, this, [this, thread, run, outcome] {
        if (run != run_ || thread != thread_) return; // already joined by cancelAndJoin()
        thread_ = nullptr;
        thread->deleteLater();
        emit finished(*outcome);
    });
    thread_ = thread;
    thread_->start(QThread::LowPriority);
    return true;
}

bool WorkerThread::waitForFinished(int milliseconds)
{
    if (!thread_) return true;
    return thread_->wait(QDeadlineTimer(milliseconds));
}

void WorkerThread::cancelAndJoin()
{
    if (!thread_) return;
    cancel_.cancel();
    thread_->wait();
    delete thread_;
    thread_ = nullptr;
}

} // namespace morph::ui
