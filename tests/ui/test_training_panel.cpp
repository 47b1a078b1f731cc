// TrainingRunner + TrainingPanel on the real pitch-60 notes with a very small network: features
// are prepared (core prepareTrainingRun), epochs arrive as curve points, batch progress is
// throttled, checkpoints are listed and "Use This Model" names best.pt; Stop ends a run within
// one batch with last.pt saved and Resume continues it (in a moved run folder too); closing the window mid-run asks, then
// stops the run and closes once it has ended.
#include "BackgroundJobs.h"
#include "MainWindow.h"
#include "TrainingPanel.h"
#include "TrainingRunner.h"
#include "dataset/NSynthDataset.h"
#include "model/CheckpointInfo.h"
#include "support/UiTestSupport.h"

#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace morph;
using namespace morph::ui;

Q_DECLARE_METATYPE(morph::TrainProgress)
Q_DECLARE_METATYPE(morph::EpochRecord)

namespace {

/// A run that takes a few seconds: 4-8-8-8 channels, 160 slices per epoch, 96 validation slices.
TrainRequest smallRun(const QString& runDir, int epochs)
{
    TrainRequest r;
    r.dataset = std::make_shared<const NSynthDataset>(NSynthDataset::open(morph::test::pitch60Dir().toStdString()));
    r.selection.trainSplit = "test"; // this set has only NSynth's test split; validation = held-out instruments
    r.selection.validSplit = "valid";
    r.selection.testSplit = "";
    r.selection.maxNotes = 24;
    r.config.model.arch = Architecture::Single;
    r.config.model.channels = {4, 8, 8, 8};
    r.config.epochs = epochs;
    r.config.batchSize = 32;
    r.config.maxSlicesPerEpoch = 160;
    r.config.maxValidSlices = 96;
    r.config.device = "cpu";
    r.config.threads = 1;
    r.config.earlyStopPatience = 100;
    r.config.runDir = runDir.toStdString();
    return r;
}

} // namespace

class TestTrainingPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        morph::test::isolateSettings("test_training_panel");
        qRegisterMetaType<morph::TrainProgress>();
        qRegisterMetaType<morph::EpochRecord>();
    }

    void runsAndShowsCurvesAndCheckpoints()
    {
        QTemporaryDir dir;
        const QString run = dir.filePath(QStringLiteral("run"));
        BackgroundJobs jobs;
        TrainingRunner runner(&jobs);
        TrainingPanel panel(&runner);
        panel.setRunFolder(run);
        QSignalSpy started(&runner, &TrainingRunner::trainingStarted);
        QSignalSpy epochs(&runner, &TrainingRunner::epochFinished);
        QSignalSpy progress(&runner, &TrainingRunner::progress);
        QSignalSpy finished(&runner, &TrainingRunner::finished);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(runner.start(smallRun(run, 2)));
        QVERIFY(runner.running());
        QVERIFY(!runner.start(smallRun(run, 2))); // one run at a time
        QCOMPARE(jobs.count(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
        const double seconds = clock.elapsed() / 1000.0;
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(2).toString()));
        QCOMPARE(finished.at(0).at(1).toBool(), false);
        QVERIFY(!runner.running());
        QCOMPARE(jobs.count(), 0);
        QCOMPARE(started.count(), 1);
        QCOMPARE(started.at(0).at(0).toString(), QStringLiteral("cpu"));
        QCOMPARE(started.at(0).at(1).toULongLong(), 160ull);
        QCOMPARE(epochs.count(), 2);
        const auto e2 = epochs.at(1).at(0).value<EpochRecord>();
        QCOMPARE(e2.epoch, 2);
        QVERIFY(e2.trainLoss > 0 && e2.validLoss > 0);
        // Throttled to ~10 Hz, plus the end of every phase (2 epochs x train + valid).
        QVERIFY2(progress.count() <= int(seconds * 1000 / TrainingRunner::kProgressIntervalMs) + 4 + 2,
                 qPrintable(QStringLiteral("%1 progress signals in %2 s").arg(progress.count()).arg(seconds)));
        QVERIFY(progress.count() >= 4);

        QCOMPARE(panel.epochPoints(), 2);
        QCOMPARE(panel.validPoints(), 2);
        QVERIFY(panel.runningPoints() >= 2);
        QVERIFY(panel.stageText().startsWith(QStringLiteral("Finished")));
        const QStringList ckpts = panel.checkpoints();
        QVERIFY(ckpts.contains(QDir(run).filePath(QStringLiteral("best.pt"))));
        QVERIFY(ckpts.contains(QDir(run).filePath(QStringLiteral("last.pt"))));
        QVERIFY(ckpts.contains(QDir(run).filePath(QStringLiteral("checkpoints/epoch-002.pt"))));
        QCOMPARE(panel.checkpointList()->currentItem()->data(Qt::UserRole).toString(),
                 QDir(run).filePath(QStringLiteral("best.pt")));
        QVERIFY(QFileInfo::exists(QDir(run).filePath(QStringLiteral("features"))));

        QSignalSpy use(&panel, &TrainingPanel::useModelRequested);
        panel.findChild<QPushButton*>(QStringLiteral("useModel"))->click();
        QCOMPARE(use.count(), 1);
        QCOMPARE(use.at(0).at(0).toString(), QDir(run).filePath(QStringLiteral("best.pt")));
    }

    void startFromACheckpointWidensIt()
    {
        QTemporaryDir dir;
        TrainingRunner runner(nullptr);
        QSignalSpy finished(&runner, &TrainingRunner::finished);
        QSignalSpy log(&runner, &TrainingRunner::logLine);
        QVERIFY(runner.start(smallRun(dir.filePath(QStringLiteral("source")), 1)));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(2).toString()));
        const QString source = dir.filePath(QStringLiteral("source/best.pt"));

        // The panel's "Start from" field reaches the run's config; the run widens 4-8-8-8.
        TrainingPanel panel(&runner);
        panel.setChannels(QStringLiteral("8,8,8,8"));
        panel.setInitialCheckpoint(source);
        const TrainRequest fromPanel = panel.request(false);
        QCOMPARE(QString::fromStdString(fromPanel.config.initFrom.string()), source);
        TrainRequest wide = smallRun(dir.filePath(QStringLiteral("wide")), 1);
        wide.config.model.channels = fromPanel.config.model.channels;
        wide.config.initFrom = fromPanel.config.initFrom;
        QVERIFY(runner.start(wide));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 120000);
        QVERIFY2(finished.at(1).at(0).toBool(), qPrintable(finished.at(1).at(2).toString()));
        bool widened = false;
        for (const auto& args : log)
            widened = widened || args.at(0).toString().contains(QStringLiteral("widened 4-8-8-8 -> 8-8-8-8"));
        QVERIFY(widened);

        // Position biases: the check box reaches the config (2D models only), and a run with them
        // starts from the plain checkpoint.
        QVERIFY(!fromPanel.config.model.positionBias);
        panel.setPositionBias(true);
        QVERIFY(panel.positionBiasAvailable());
        QVERIFY(panel.request(false).config.model.positionBias);
        panel.setArchitecture(QStringLiteral("frame1d"));
        QVERIFY(!panel.positionBiasAvailable());
        QVERIFY(!panel.request(false).config.model.positionBias);
        panel.setArchitecture(QStringLiteral("single"));
        QVERIFY(panel.positionBiasAvailable());
        TrainRequest biased = smallRun(dir.filePath(QStringLiteral("biased")), 1);
        biased.config.model.positionBias = panel.request(false).config.model.positionBias;
        biased.config.initFrom = source.toStdString();
        QVERIFY(runner.start(biased));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 120000);
        QVERIFY2(finished.at(2).at(0).toBool(), qPrintable(finished.at(2).at(2).toString()));
        QVERIFY(readCheckpointInfo(dir.filePath(QStringLiteral("biased/best.pt")).toStdString()).config.positionBias);

        // A narrower run cannot start from it: the run fails with the reason, nothing crashes.
        TrainRequest narrow = smallRun(dir.filePath(QStringLiteral("narrow")), 1);
        narrow.config.model.channels = {2, 8, 8, 8};
        narrow.config.initFrom = source.toStdString();
        QVERIFY(runner.start(narrow));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 4, 120000);
        QCOMPARE(finished.at(3).at(0).toBool(), false);
        QVERIFY2(finished.at(3).at(2).toString().contains(QStringLiteral("at least the source's")),
                 qPrintable(finished.at(3).at(2).toString()));
    }

    void stopSavesAndResumeContinues()
    {
        QTemporaryDir dir;
        const QString run = dir.filePath(QStringLiteral("run"));
        TrainingRunner runner(nullptr);
        TrainingPanel panel(&runner);
        panel.setRunFolder(run);
        QSignalSpy progress(&runner, &TrainingRunner::progress);
        QSignalSpy epochs(&runner, &TrainingRunner::epochFinished);
        QSignalSpy finished(&runner, &TrainingRunner::finished);
        TrainRequest slow = smallRun(run, 3);
        slow.config.testSleepPerBatchMs = 150; // many batches in flight when Stop comes
        QVERIFY(runner.start(slow));
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 1, 120000);
        runner.stop();
        QVERIFY(runner.stopping());
        // The trainer checks the token every batch (how fast: bench_ui_morph measures it).
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished.at(0).at(1).toBool(), true); // cancelled
        QVERIFY(QFileInfo::exists(QDir(run).filePath(QStringLiteral("last.pt"))));
        QVERIFY(panel.stageText().startsWith(QStringLiteral("Stopped")));
        const int epochsBefore = epochs.count();

        // Resume finishes the 3 epochs; a new Start in that folder is refused.
        TrainRequest again = smallRun(run, 3);
        QVERIFY(runner.start(again));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
        QCOMPARE(finished.at(1).at(0).toBool(), false);
        QVERIFY(finished.at(1).at(2).toString().contains(QStringLiteral("already holds a training state")));

        // Resume in a moved run folder (config.json still names the old feature caches): the
        // caches are found in the folder's own features/ and the log says so.
        const QString moved = dir.filePath(QStringLiteral("moved run"));
        QVERIFY(QDir().rename(run, moved));
        QSignalSpy logs(&runner, &TrainingRunner::logLine);
        TrainRequest resume = smallRun(moved, 3);
        resume.resume = true;
        QVERIFY(runner.start(resume));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 120000);
        QVERIFY2(finished.at(2).at(0).toBool(), qPrintable(finished.at(2).at(2).toString()));
        QVERIFY(epochsBefore < 3);
        QCOMPARE(epochs.count(), 3); // the resumed run did the remaining epochs only
        QCOMPARE(epochs.last().at(0).value<EpochRecord>().epoch, 3);
        int fallbacks = 0;
        for (const auto& line : logs) fallbacks += line.at(0).toString().contains(QStringLiteral("is missing; using"));
        QCOMPARE(fallbacks, 2);
    }

    void closingTheWindowMidRunStopsItFirst()
    {
        QTemporaryDir dir;
        MainWindowOptions options;
        options.openAudio = false;
        options.restoreLast = false;
        auto* w = new MainWindow(options);
        w->setAttribute(Qt::WA_DeleteOnClose, false);
        int asked = 0;
        w->setCloseConfirmation([&asked] {
            ++asked;
            return true;
        });
        w->show();
        TrainRequest slow = smallRun(dir.filePath(QStringLiteral("run")), 5);
        slow.config.testSleepPerBatchMs = 150;
        QSignalSpy progress(w->trainingRunner(), &TrainingRunner::progress);
        QVERIFY(w->trainingRunner()->start(slow));
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 1, 120000);
        QVERIFY(!w->close()); // not yet: the run is asked to stop first
        QCOMPARE(asked, 1);
        QVERIFY(w->trainingRunner()->stopping());
        QVERIFY(w->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!w->isVisible(), 60000); // closes once the runner has ended
        QVERIFY(!w->trainingRunner()->running());
        QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("run/last.pt"))));
        delete w;
    }
};

QTEST_MAIN(TestTrainingPanel)
#include "test_training_panel.moc"
