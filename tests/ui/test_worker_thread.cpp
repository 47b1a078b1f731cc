// WorkerThread: the job's outcome arrives on the GUI thread after the job's own posts, a second
// start is refused while one runs, waitForFinished times out on a running job, cancelAndJoin()
// stops and joins without a finished(), and an escaping std::exception becomes the message.
#include "GuiRelay.h"
#include "WorkerThread.h"

#include <QSignalSpy>
#include <QThread>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

using namespace morph;
using namespace morph::ui;

Q_DECLARE_METATYPE(morph::ui::WorkerOutcome)

namespace {

/// A job that waits for its token (or `release`), checking every millisecond.
WorkerThread::Job waitingJob(CancelToken cancel, std::shared_ptr<std::atomic_bool> release)
{
    return [cancel, release] {
        while (!cancel.isCancelled() && !release->load())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        WorkerOutcome o;
        o.cancelled = cancel.isCancelled();
        o.ok = !o.cancelled;
        o.message = o.cancelled ? QStringLiteral("stopped") : QStringLiteral("released");
        return o;
    };
}

} // namespace

class TestWorkerThread : public QObject {
    Q_OBJECT
private slots:
    void outcomeArrivesOnTheGuiThreadAfterTheJobsPosts()
    {
        WorkerThread worker(QStringLiteral("morph-test-worker"));
        QObject target;
        auto relay = GuiRelay::create(&target);
        QStringList order;
        QString threadName;
        QThread* finishedOn = nullptr;
        connect(&worker, &WorkerThread::finished, &target, [&](const WorkerOutcome& o) {
            order << QStringLiteral("finished:") + o.message;
            finishedOn = QThread::currentThread();
            QVERIFY(!worker.running()); // already false inside finished()
        });
        QVERIFY(!worker.running());
        QVERIFY(worker.start(CancelToken(), [relay, &order, &threadName] {
            threadName = QThread::currentThread()->objectName();
            for (int i = 0; i < 3; ++i) relay->post([&order, i] { order << QString::number(i); });
            WorkerOutcome o;
            o.ok = true;
            o.message = QStringLiteral("done");
            return o;
        }));
        QVERIFY(worker.running());
        QVERIFY(worker.waitForFinished(10000));
        QVERIFY(order.isEmpty()); // nothing is delivered before the event loop runs
        QTRY_COMPARE(order.size(), 4);
        QCOMPARE(order, (QStringList{"0", "1", "2", "finished:done"}));
        QCOMPARE(finishedOn, QThread::currentThread());
        QCOMPARE(threadName, QStringLiteral("morph-test-worker"));
        QVERIFY(!worker.running());
        QVERIFY(worker.waitForFinished(0)); // none running: true at once
    }

    void aSecondStartIsRefusedWhileOneRuns()
    {
        WorkerThread worker(QStringLiteral("morph-test-worker"));
        QSignalSpy finished(&worker, &WorkerThread::finished);
        CancelToken cancel;
        auto release = std::make_shared<std::atomic_bool>(false);
        QVERIFY(worker.start(cancel, waitingJob(cancel, release)));
        bool secondRan = false;
        QVERIFY(!worker.start(CancelToken(), [&secondRan] {
            secondRan = true;
            return WorkerOutcome{};
        }));
        QVERIFY(!worker.waitForFinished(20)); // still waiting for `release`
        release->store(true);
        QVERIFY(worker.waitForFinished(10000));
        QTRY_COMPARE(finished.count(), 1);
        const auto o = finished.at(0).at(0).value<WorkerOutcome>();
        QVERIFY(o.ok);
        QVERIFY(!o.cancelled);
        QCOMPARE(o.message, QStringLiteral("released"));
        QVERIFY(!secondRan);
        // Once finished, the worker takes the next job.
        QVERIFY(worker.start(CancelToken(), [] { return WorkerOutcome{true, false, QStringLiteral("next")}; }));
        QTRY_COMPARE(finished.count(), 2);
        QCOMPARE(finished.at(1).at(0).value<WorkerOutcome>().message, QStringLiteral("next"));
    }

    void cancelAndJoinStopsTheJobWithoutFinished()
    {
        int finished = 0;
        auto release = std::make_shared<std::atomic_bool>(false);
        CancelToken first, second;
        {
            WorkerThread worker(QStringLiteral("morph-test-worker"));
            connect(&worker, &WorkerThread::finished, &worker, [&finished] { ++finished; });
            QVERIFY(worker.start(first, waitingJob(first, release)));
            worker.cancelAndJoin();
            QVERIFY(first.isCancelled()); // the job's token was set
            QVERIFY(!worker.running());
            QCoreApplication::processEvents(); // the joined thread's queued end is ignored
            QCOMPARE(finished, 0);
            // The destructor of a worker with a running job cancels and joins too.
            QVERIFY(worker.start(second, waitingJob(second, release)));
            QVERIFY(worker.running());
        }
        QVERIFY(second.isCancelled());
        QCoreApplication::processEvents();
        QCOMPARE(finished, 0);
        QVERIFY(!release->load()); // both jobs ended through their tokens
    }

    void anEscapingExceptionBecomesTheMessage()
    {
        WorkerThread worker(QStringLiteral("morph-test-worker"));
        QSignalSpy finished(&worker, &WorkerThread::finished);
        QVERIFY(worker.start(CancelToken(), []() -> WorkerOutcome { throw std::runtime_error("disk full"); }));
        QTRY_COMPARE(finished.count(), 1);
        const auto o = finished.at(0).at(0).value<WorkerOutcome>();
        QVERIFY(!o.ok);
        QVERIFY(!o.cancelled);
        QCOMPARE(o.message, QStringLiteral("disk full"));
    }
};

QTEST_MAIN(TestWorkerThread)
#include "test_worker_thread.moc"
