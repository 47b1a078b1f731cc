// StyleTransferService + StyleTransferPanel on real notes with a tiny network: the assign buttons
// ask for the browser's note, Run runs in the background (the GUI thread keeps turning, the job
// shows in the dock), the loss plot fills in (log y axis, one point per iterate), the result
// arrives with three spectrograms, Export writes a finite WAV of the content's length, Stop
// cancels a long run, and a bad setting is refused with a message.
#include "BackgroundJobs.h"
#include "SpectrogramView.h"
#include "StyleTransferPanel.h"
#include "StyleTransferService.h"
#include "dataset/AudioFile.h"
#include "dataset/NSynthDataset.h"
#include "support/UiTestSupport.h"

#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <qcustomplot.h>

#include <cmath>

using namespace morph;
using namespace morph::ui;

namespace {

std::shared_ptr<const NSynthDataset> dataset()
{
    static auto d = std::make_shared<const NSynthDataset>(NSynthDataset::open(morph::test::pitch60Dir().toStdString()));
    return d;
}

std::size_t note(const char* name) { return *dataset()->find(name); }

style::StyleTransferOptions tinyOptions(int iterations)
{
    style::StyleTransferOptions o;
    o.nFft = 512;
    o.hop = 128;
    o.filters = 64;
    o.kernel = 5;
    o.iterations = iterations;
    o.griffinLimIterations = 8;
    return o;
}

} // namespace

class TestStyleTransferPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { morph::test::isolateSettings("test_style_transfer_panel"); }

    void runShowsLossesAndResultThenExports()
    {
        BackgroundJobs jobs;
        StyleTransferService service(&jobs);
        service.setDataset(dataset());
        StyleTransferPanel panel(&service, nullptr);
        panel.setOptions(tinyOptions(12));
        QCOMPARE(panel.options().nFft, 512);
        QCOMPARE(panel.options().hop, 128); // the form's hop is nFft / 4
        QCOMPARE(panel.options().filters, 64);

        // The assign buttons ask MainWindow for the browser's note; it answers with setNote.
        QSignalSpy assign(&panel, &StyleTransferPanel::assignRequested);
        panel.assignButton(StyleTransferPanel::Content)->click();
        panel.assignButton(StyleTransferPanel::Style)->click();
        QCOMPARE(assign.count(), 2);
        QCOMPARE(assign.at(0).at(0).toInt(), int(StyleTransferPanel::Content));
        QCOMPARE(assign.at(1).at(0).toInt(), int(StyleTransferPanel::Style));
        QVERIFY(!panel.runButton()->isEnabled()); // no notes yet
        panel.setNote(StyleTransferPanel::Content, note("organ_electronic_001-060-100"), QStringLiteral("organ"));
        panel.setNote(StyleTransferPanel::Style, note("brass_acoustic_016-060-127"), QStringLiteral("brass"));
        QVERIFY(panel.runButton()->isEnabled());

        QSignalSpy progress(&service, &StyleTransferService::progress);
        QSignalSpy result(&service, &StyleTransferService::resultReady);
        QSignalSpy finished(&service, &StyleTransferService::finished);
        // The GUI thread keeps turning while the transfer runs: a timer fires meanwhile.
        int ticks = 0;
        QTimer ticker;
        connect(&ticker, &QTimer::timeout, this, [&] { ++ticks; });
        ticker.start(5);
        panel.runButton()->click();
        QVERIFY(service.running());
        QCOMPARE(jobs.count(), 1); // in the Background work dock
        QVERIFY(!panel.runButton()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
        QVERIFY(ticks > 0);
        QCOMPARE(finished.at(0).at(0).toBool(), true);
        QCOMPARE(finished.at(0).at(1).toBool(), false);
        QCOMPARE(jobs.count(), 0);
        QCOMPARE(result.count(), 1);
        QVERIFY(progress.count() >= 2); // first and last iterate always arrive
        QCOMPARE(progress.last().at(0).toInt(), 12);

        const auto outcome = service.outcome();
        QVERIFY(outcome);
        QCOMPARE(outcome->result.lossCurve.size(), std::size_t{13});
        QCOMPARE(outcome->result.audio.size(), std::size_t{64000});
        QVERIFY(outcome->result.lossCurve.back().style < outcome->result.lossCurve.front().style);
        // The plot: log y axis, the full curve (13 iterates) in every graph.
        QCOMPARE(panel.lossPlot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        QCOMPARE(panel.lossPlot()->graphCount(), 5);
        for (int g = 0; g < 5; ++g) QCOMPARE(panel.lossPlot()->graph(g)->dataCount(), 13);
        // Three spectrograms side by side: content, style, result, same shape.
        for (int k = 0; k < 3; ++k) {
            QVERIFY(panel.view(k)->spectrogram());
            QCOMPARE(panel.view(k)->spectrogram()->bins, 257);
            QCOMPARE(panel.view(k)->spectrogram()->frames, 501);
        }
        QCOMPARE(outcome->contentAudio.size(), std::size_t{64000});

        // Export: written on the pool, then a finite WAV of the content's length.
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("styled.wav"));
        QSignalSpy exported(&service, &StyleTransferService::exportFinished);
        QVERIFY(panel.exportTo(file));
        QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 30000);
        QCOMPARE(exported.at(0).at(0).toBool(), true);
        const LoadedAudio written = loadAudio(file.toStdString(), 0);
        QCOMPARE(written.sampleRate, 16000);
        QCOMPARE(written.samples.size(), std::size_t{64000});
        float peak = 0.f;
        for (float v : written.samples) {
            QVERIFY(std::isfinite(v));
            peak = std::max(peak, std::fabs(v));
        }
        QVERIFY(peak > 1e-3f);
        QVERIFY(peak <= 0.99f);
    }

    void stopCancelsALongRun()
    {
        BackgroundJobs jobs;
        StyleTransferService service(&jobs);
        service.setDataset(dataset());
        StyleTransferPanel panel(&service, nullptr);
        panel.setOptions(tinyOptions(100000));
        panel.setNote(StyleTransferPanel::Content, note("organ_electronic_001-060-100"), QStringLiteral("organ"));
        panel.setNote(StyleTransferPanel::Style, note("brass_acoustic_016-060-127"), QStringLiteral("brass"));
        QSignalSpy progress(&service, &StyleTransferService::progress);
        QSignalSpy finished(&service, &StyleTransferService::finished);
        QVERIFY(panel.run());
        QVERIFY(!panel.run()); // one at a time
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 1, 60000);
        jobs.cancel(1); // the dock's Cancel
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QCOMPARE(finished.at(0).at(1).toBool(), true);
        QVERIFY(!service.outcome());
        QCOMPARE(panel.statusText(), QStringLiteral("Stopped"));
        QCOMPARE(jobs.count(), 0);
    }

    void badSettingsAreRefusedWithAMessage()
    {
        StyleTransferService service(nullptr);
        service.setDataset(dataset());
        StyleTransferPanel panel(&service, nullptr);
        auto o = tinyOptions(5);
        o.contentWeight = o.styleWeight = 0;
        panel.setOptions(o);
        panel.setNote(StyleTransferPanel::Content, note("organ_electronic_001-060-100"), QStringLiteral("organ"));
        panel.setNote(StyleTransferPanel::Style, note("brass_acoustic_016-060-127"), QStringLiteral("brass"));
        QVERIFY(!panel.run());
        QVERIFY(!service.running());
        QVERIFY(panel.statusText().contains(QStringLiteral("weight")));
        o = tinyOptions(5);
        o.features = style::FeatureKind::Encoder;
        panel.setOptions(o); // no model loaded
        QVERIFY(!panel.run());
        QVERIFY(panel.statusText().contains(QStringLiteral("model")));
        // Another dataset: the note indices no longer mean anything, the notes are cleared.
        QSignalSpy changed(&service, &StyleTransferService::datasetChanged);
        service.setDataset(std::make_shared<const NSynthDataset>(*dataset()));
        QCOMPARE(changed.count(), 1);
        QVERIFY(!panel.note(StyleTransferPanel::Content));
        QVERIFY(!panel.note(StyleTransferPanel::Style));
        QVERIFY(!panel.runButton()->isEnabled());
        QVERIFY(!service.start(100000, 0, tinyOptions(5))); // outside the dataset
    }
};

QTEST_MAIN(TestStyleTransferPanel)
#include "test_style_transfer_panel.moc"
