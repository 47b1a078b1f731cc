// The window's new parts: six tabs with Ctrl+1..6, File › Open Model… (Ctrl+M), the model is
// remembered and reloaded at the next start, the window state and current tab persist, slots
// A / B reach the morph panel and controller, and the correlation note set follows the
// selected note's pitch; the Style tab's "use selected as content / style" buttons take the
// browser's note.
#include "CorrelationPanel.h"
#include "DatasetBrowser.h"
#include "MainWindow.h"
#include "ModelService.h"
#include "MorphController.h"
#include "MorphSlots.h"
#include "StyleTransferPanel.h"
#include "support/UiTestSupport.h"

#include <QLabel>
#include <QPushButton>
#include <QMenuBar>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace morph::ui;

class TestMainWindowPanels : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { morph::test::isolateSettings("test_main_window_panels"); }

    void tabsMenusAndTheRememberedModel()
    {
        QTemporaryDir cache;
        {
            MainWindow w(morph::test::pitch60WindowOptions(cache.path()));
            w.show();
            w.activateWindow();
            QVERIFY(QTest::qWaitForWindowActive(&w));
            QCOMPARE(w.tabs()->count(), 6);
            QCOMPARE(w.tabs()->tabText(2), QStringLiteral("M&orph"));
            QTest::keyClick(&w, Qt::Key_3, Qt::ControlModifier);
            QCOMPARE(w.currentTab(), MainWindow::Tab::Morph);
            QTest::keyClick(&w, Qt::Key_5, Qt::ControlModifier);
            QCOMPARE(w.currentTab(), MainWindow::Tab::Model);
            QTest::keyClick(&w, Qt::Key_6, Qt::ControlModifier);
            QCOMPARE(w.currentTab(), MainWindow::Tab::Style);
            bool hasOpenModel = false;
            for (QAction* menu : w.menuBar()->actions())
                for (QAction* a : menu->menu()->actions())
                    if (a->text() == QStringLiteral("Open &Model…"))
                        hasOpenModel = a->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_M);
            QVERIFY(hasOpenModel);

            QSignalSpy ready(&w, &MainWindow::modelReady);
            QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 30000);
            QTRY_VERIFY_WITH_TIMEOUT(w.loadedDataset().has_value() && w.browser()->currentNote(), 30000);
            QVERIFY(w.findChild<QLabel*>(QStringLiteral("modelStatus"))->text().contains(QStringLiteral("tiny_single.pt")));

            // Slots A / B reach the morph controller.
            QVERIFY(w.browser()->selectNote(QStringLiteral("guitar_acoustic_010-060-100")));
            const std::size_t a = *w.browser()->currentNote();
            const std::size_t b = *w.loadedDataset()->dataset.find("brass_acoustic_006-060-100");
            w.choosePair(a, b);
            QCOMPARE(w.morphController()->slotNote(0), std::make_optional(a));
            QCOMPARE(w.morphController()->slotNote(1), std::make_optional(b));
            QTRY_VERIFY_WITH_TIMEOUT(w.morphController()->pairReady(), 30000);
            // C / D on the note table fill the pad's corners.
            w.showTab(MainWindow::Tab::Browser);
            QVERIFY(w.browser()->selectNote(QStringLiteral("organ_electronic_001-060-100")));
            w.browser()->table()->setFocus();
            QTest::keyClick(w.browser()->table(), Qt::Key_D);
            QCOMPARE(w.morphController()->slotNote(3), w.browser()->currentNote());
            QVERIFY(w.morphController()->pairReady()); // A / B untouched
            // The Style tab takes the browser's note as content, then another as style.
            w.stylePanel()->assignButton(StyleTransferPanel::Content)->click();
            QCOMPARE(w.stylePanel()->note(StyleTransferPanel::Content), w.browser()->currentNote());
            QVERIFY(w.browser()->selectNote(QStringLiteral("brass_acoustic_006-060-100")));
            w.stylePanel()->assignButton(StyleTransferPanel::Style)->click();
            QCOMPARE(w.stylePanel()->note(StyleTransferPanel::Style), std::make_optional(b));
            QVERIFY(w.stylePanel()->runButton()->isEnabled());
            QTRY_VERIFY_WITH_TIMEOUT(w.isIdle(), 30000);
            w.showTab(MainWindow::Tab::Correlation);
            QVERIFY(w.close());
        }
        QCOMPARE(QSettings().value(QStringLiteral("model/checkpoint")).toString(), morph::test::tinyModel());
        QVERIFY(!QSettings().value(QStringLiteral("window/state")).toByteArray().isEmpty());
        {
            // Next start without options: the model (and the dataset, and the tab) come back.
            MainWindowOptions options;
            options.openAudio = false;
            options.embeddingCache = cache.path();
            MainWindow w(options);
            QCOMPARE(w.currentTab(), MainWindow::Tab::Correlation);
            QTRY_VERIFY_WITH_TIMEOUT(w.modelService()->model() != nullptr, 30000);
            QCOMPARE(w.modelService()->path(), morph::test::tinyModel());
            QTRY_VERIFY_WITH_TIMEOUT(w.loadedDataset().has_value(), 30000);
        }
    }

    void aMissingRememberedModelIsNotFatal()
    {
        QSettings().setValue(QStringLiteral("model/checkpoint"), QStringLiteral("/nonexistent/model.pt"));
        MainWindowOptions options;
        options.openAudio = false;
        options.restoreLast = true;
        MainWindow w(options);
        QTRY_VERIFY_WITH_TIMEOUT(w.isIdle(), 30000);
        // No models/default/model.pt next to the build tree or here: no model, no error box.
        if (ModelService::defaultModelPath().isEmpty()) QVERIFY(w.modelService()->model() == nullptr);
    }
};

QTEST_MAIN(TestMainWindowPanels)
#include "test_main_window_panels.moc"
