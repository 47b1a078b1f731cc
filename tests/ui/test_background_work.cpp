// BackgroundJobs + BackgroundWorkDock: a job appears as a row with its progress, Cancel sets the
// job's CancelToken (a worker sees it at its next check), finishing removes the row.
#include "BackgroundJobs.h"
#include "BackgroundWorkDock.h"

#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

using namespace morph::ui;

class TestBackgroundWork : public QObject {
    Q_OBJECT
private slots:
    void rowsFollowJobsAndCancelSetsTheToken()
    {
        BackgroundJobs jobs;
        BackgroundWorkDock dock(&jobs);
        QCOMPARE(dock.rowCount(), 0);
        morph::CancelToken token;
        const int id = jobs.start(QStringLiteral("Training run 1"), token);
        const int other = jobs.start(QStringLiteral("Opening dataset")); // not cancellable
        QCOMPARE(dock.rowCount(), 2);
        jobs.setProgress(id, 0.25, QStringLiteral("epoch 1/4"));
        QProgressBar* bar = nullptr;
        for (QProgressBar* b : dock.findChildren<QProgressBar*>())
            if (b->maximum() == 1000) bar = b;
        QVERIFY(bar);
        QCOMPARE(bar->value(), 250);
        QPushButton* cancel = nullptr;
        for (QPushButton* b : dock.findChildren<QPushButton*>())
            if (b->isEnabled()) cancel = b;
        QVERIFY(cancel); // only the cancellable job's button is enabled
        QVERIFY(!token.isCancelled());
        cancel->click();
        QVERIFY(token.isCancelled());
        QVERIFY(jobs.job(id)->cancelRequested);
        QVERIFY(!cancel->isEnabled());
        QSignalSpy finished(&jobs, &BackgroundJobs::jobFinished);
        jobs.finish(id);
        jobs.finish(other);
        QCOMPARE(finished.count(), 2);
        QCOMPARE(jobs.count(), 0);
        QCOMPARE(dock.rowCount(), 0);
        jobs.setProgress(id, 0.5); // finished jobs are ignored
        jobs.cancel(other);
    }
};

QTEST_MAIN(TestBackgroundWork)
#include "test_background_work.moc"
