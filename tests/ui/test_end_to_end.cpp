// End to end through the real window: open the 60 real notes of nsynth-test-pitch60, load a
// (tiny, real) model, compute the correlation matrix at pitch 60, click the lowest-correlation
// pair's cell, move the morph slider, get the rendered audio, and export it as a WAV.
#include "CorrelationPanel.h"
#include "CorrelationService.h"
#include "CorrelationView.h"
#include "DatasetBrowser.h"
#include "MainWindow.h"
#include "MorphController.h"
#include "MorphPanel.h"
#include "MorphSlots.h"
#include "PairList.h"
#include "dataset/AudioFile.h"
#include "support/UiTestSupport.h"

#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

using namespace morph;
using namespace morph::ui;

class TestEndToEnd : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { morph::test::isolateSettings("test_end_to_end"); }

    void correlateClickMorphExport()
    {
        QTemporaryDir cache;
        MainWindow w(morph::test::pitch60WindowOptions(cache.path()));
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_VERIFY_WITH_TIMEOUT(w.loadedDataset().has_value() && w.correlationService()->ready(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(w.browser()->currentNote().has_value(), 30000);
        QCOMPARE(w.loadedDataset()->dataset.note(*w.browser()->currentNote()).pitch, 60);

        // Correlation at pitch 60: all 60 notes.
        w.showTab(MainWindow::Tab::Correlation);
        QSignalSpy correlated(w.correlationService(), &CorrelationService::finished);
        w.correlationPanel()->findChild<QPushButton*>(QStringLiteral("computeCorrelation"))->click();
        QTRY_COMPARE_WITH_TIMEOUT(correlated.count(), 1, 60000);
        const auto result = w.correlationService()->result();
        QCOMPARE(result->notes.size(), std::size_t{60});
        QCOMPARE(w.correlationPanel()->view()->size(), 60);

        // The lowest pair (skip same instrument), clicked in the matrix.
        PairList* list = w.correlationPanel()->pairList();
        QVERIFY(list->rowCount() > 0);
        const RankedPair low = list->pair(0);
        for (int row = 1; row < list->rowCount(); ++row) QVERIFY(list->pair(row).r >= low.r);
        CorrelationView* view = w.correlationPanel()->view();
        view->replot();
        QTest::mouseClick(view, Qt::LeftButton, {}, view->cellCenter(int(low.a), int(low.b)).toPoint());
        QCOMPARE(w.morphSlots()->note(0), std::make_optional(result->notes[low.a]));
        QCOMPARE(w.morphSlots()->note(1), std::make_optional(result->notes[low.b]));
        QCOMPARE(w.morphSlots()->noteName(0), result->labels[int(low.a)]);

        // Morph: the slider renders; the exact render of the new position arrives.
        w.showTab(MainWindow::Tab::Morph);
        MorphController* morph = w.morphController();
        QTRY_VERIFY_WITH_TIMEOUT(morph->pairReady(), 30000);
        w.morphPanel()->slider()->setValue(620);
        QTRY_VERIFY_WITH_TIMEOUT(morph->frameAt(0.62f) != nullptr, 60000);
        const auto frame = morph->frameAt(0.62f);
        QCOMPARE(frame->render->audio.size(), std::size_t{64000});
        QCOMPARE(frame->render->weights, (std::vector<float>{1.f - 0.62f, 0.62f}));
        float peak = 0.f;
        for (float x : frame->render->audio) peak = std::max(peak, std::abs(x));
        QVERIFY(peak > 0.f && peak <= 0.98f + 1e-6f);
        QTRY_VERIFY_WITH_TIMEOUT(w.morphPanel()->shownFrame() == frame, 30000);

        // Export the current morph.
        QTemporaryDir out;
        const QString file = out.filePath(QStringLiteral("morph.wav"));
        QSignalSpy exported(morph, &MorphController::exportFinished);
        morph->exportWav(file, morph->currentT());
        QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 60000);
        QVERIFY2(exported.at(0).at(0).toBool(), qPrintable(exported.at(0).at(1).toString()));
        QVERIFY(QFileInfo::exists(file));
        const LoadedAudio written = loadAudio(file.toStdString());
        QCOMPARE(written.samples.size(), std::size_t{64000});
        QCOMPARE(written.sampleRate, 16000);
        // 16-bit: the file holds the render to within quantisation (written x 32767, read / 32768).
        for (std::size_t i = 0; i < written.samples.size(); i += 997)
            QVERIFY(std::abs(written.samples[i] - frame->render->audio[i]) <= 2.0f / 32767.f);
        QTRY_VERIFY_WITH_TIMEOUT(w.isIdle(), 30000);
    }
};

QTEST_MAIN(TestEndToEnd)
#include "test_end_to_end.moc"
