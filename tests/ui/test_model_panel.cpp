// ModelService + ModelPanel: a checkpoint loads on the pool and is swapped in (modelChanged),
// the panel shows what the checkpoint says about itself, a bad file fails with a message naming
// it and keeps the current model, the latest load wins, and the default model is found.
#include "BackgroundJobs.h"
#include "ModelPanel.h"
#include "ModelService.h"
#include "model/ModelRunner.h"
#include "morph/MorphEngine.h"
#include "support/UiTestSupport.h"

#include <QComboBox>
#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace morph::ui;

class TestModelPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { morph::test::isolateSettings("test_model_panel"); }

    void loadsOnThePoolAndSwapsIn()
    {
        BackgroundJobs jobs;
        ModelService service(&jobs);
        ModelPanel panel(&service);
        QSignalSpy changed(&service, &ModelService::modelChanged);
        QSignalSpy added(&jobs, &BackgroundJobs::jobAdded);
        service.load(morph::test::tinyModel());
        QVERIFY(service.busy());
        QCOMPARE(added.count(), 1);          // shown in the Background work dock
        QVERIFY(service.model() == nullptr); // nothing swapped in yet
        // The header is read at once (no LibTorch): the panel already says what it is.
        QVERIFY(panel.descriptionText().contains(QStringLiteral("single")));
        QVERIFY(panel.statusText().startsWith(QStringLiteral("Loading")));
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 20000);
        QVERIFY(!service.busy());
        QCOMPARE(jobs.count(), 0);
        QVERIFY(service.model() != nullptr);
        QVERIFY(service.engine() != nullptr);
        QCOMPARE(service.model()->config().arch, morph::Architecture::Single);
        QCOMPARE(service.model()->config().channels, (std::vector<int>{4, 8, 8, 8}));
        QCOMPARE(service.path(), morph::test::tinyModel());
        QVERIFY(panel.statusText().contains(morph::test::tinyModel()));
        QVERIFY(panel.descriptionText().contains(QStringLiteral("Running on cpu")));
    }

    void theArithmeticChoiceReloadsTheModelAndIsRemembered()
    {
        BackgroundJobs jobs;
        ModelService service(&jobs);
        ModelPanel panel(&service);
        QSignalSpy changed(&service, &ModelService::modelChanged);
        QCOMPARE(service.precisionChoice(), QStringLiteral("auto"));
        service.load(morph::test::tinyModel());
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 20000);
        QCOMPARE(service.model()->precision(), morph::nativeInferencePrecision());

        auto* combo = panel.findChild<QComboBox*>(QStringLiteral("modelPrecision"));
        QVERIFY(combo);
        QCOMPARE(combo->currentData().toString(), QStringLiteral("auto"));
        combo->setCurrentIndex(combo->findData(QStringLiteral("bfloat16")));
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 2, 20000);  // reloaded with the new arithmetic
        QCOMPARE(service.model()->precision(), morph::InferencePrecision::BFloat16);
        QVERIFY(panel.descriptionText().contains(QStringLiteral("Running on cpu, bfloat16")));
        combo->setCurrentIndex(combo->findData(QStringLiteral("float32")));
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 3, 20000);
        QCOMPARE(service.model()->precision(), morph::InferencePrecision::Float32);
        QVERIFY(panel.descriptionText().contains(QStringLiteral("Running on cpu, float32")));
        QVERIFY(!service.setPrecisionChoice(QStringLiteral("fp8")));
        QCOMPARE(service.precisionChoice(), QStringLiteral("float32"));

        // A new service (the next start) takes the remembered choice.
        ModelService next(&jobs);
        QCOMPARE(next.precisionChoice(), QStringLiteral("float32"));
        ModelPanel nextPanel(&next);
        QCOMPARE(nextPanel.findChild<QComboBox*>(QStringLiteral("modelPrecision"))->currentData().toString(),
                 QStringLiteral("float32"));
        QVERIFY(next.setPrecisionChoice(QStringLiteral("auto")));  // leave the settings as found
    }

    void aBadFileFailsAndKeepsTheCurrentModel()
    {
        BackgroundJobs jobs;
        ModelService service(&jobs);
        ModelPanel panel(&service);
        QSignalSpy changed(&service, &ModelService::modelChanged);
        service.load(morph::test::tinyModel());
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 20000);
        const auto before = service.model();

        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("not-a-model.pt"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a checkpoint");
        f.close();
        QSignalSpy failed(&service, &ModelService::loadFailed);
        service.load(bad);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 20000);
        QCOMPARE(failed.at(0).at(0).toString(), bad);
        QVERIFY(failed.at(0).at(1).toString().contains(QStringLiteral("not-a-model.pt")));
        QCOMPARE(changed.count(), 1);
        QVERIFY(service.model() == before); // still the old one
        QVERIFY(panel.statusText().contains(QStringLiteral("Could not load not-a-model.pt")));
        QVERIFY(panel.descriptionText().contains(QStringLiteral("Still using this model")));
    }

    void theLatestLoadWins()
    {
        ModelService service(nullptr);
        QSignalSpy changed(&service, &ModelService::modelChanged);
        QSignalSpy failed(&service, &ModelService::loadFailed);
        service.load(QStringLiteral("/nonexistent/first.pt"));
        service.load(morph::test::tinyModel());
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 20000);
        QTRY_VERIFY(!service.busy());
        QCOMPARE(failed.count(), 0); // the superseded (failing) load reports nothing
        QCOMPARE(service.path(), morph::test::tinyModel());
    }

    void describesAFileWithoutLoadingIt()
    {
        const QString text = ModelService::describeFile(morph::test::tinyModel());
        QVERIFY(text.contains(QStringLiteral("single")));
        QVERIFY(text.contains(QStringLiteral("1024"))); // n_fft: the pre-processing is described
        QVERIFY_THROWS_EXCEPTION(std::exception, ModelService::describeFile(QStringLiteral("/nonexistent.pt")));
    }

    void findsTheDefaultModelInTheWorkingFolder()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("models/default")));
        QVERIFY(QFile::copy(morph::test::tinyModel(), dir.filePath(QStringLiteral("models/default/model.pt"))));
        const QString old = QDir::currentPath();
        QDir::setCurrent(dir.path());
        const QString found = ModelService::defaultModelPath();
        QDir::setCurrent(old);
        QVERIFY(!found.isEmpty());
        QVERIFY(found.endsWith(QStringLiteral("models/default/model.pt")));
        QVERIFY(QFileInfo::exists(found));
    }
};

QTEST_MAIN(TestModelPanel)
#include "test_model_panel.moc"
