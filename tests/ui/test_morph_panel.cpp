// MorphController + MorphPanel + XYPad + EmbeddingView with a tiny real model and real notes:
// A and B encode in the background, the slider gets the nearest ready render at once and the
// exact one through frameReady, the ladder pre-renders 11 positions (its job leaves the dock),
// the pad renders the latest position only, exports write 64000-sample WAVs, options re-render,
// and the panel's views follow the slider.
#include "AudioController.h"
#include "BackgroundJobs.h"
#include "EmbeddingView.h"
#include "MorphController.h"
#include "MorphPanel.h"
#include "SpectrogramView.h"
#include "XYPad.h"
#include "dataset/AudioFile.h"
#include "dataset/NSynthDataset.h"
#include "model/ModelRunner.h"
#include "morph/LiveMorph.h"
#include "support/UiTestSupport.h"

#include <QDir>
#include <QLabel>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace morph;
using namespace morph::ui;

namespace {

struct Fixture {
    std::shared_ptr<const NSynthDataset> dataset =
        std::make_shared<const NSynthDataset>(NSynthDataset::open(morph::test::pitch60Dir().toStdString()));
    std::shared_ptr<const ModelRunner> model{ModelRunner::load(morph::test::tinyModel().toStdString(), "cpu").release()};
    std::shared_ptr<const MorphEngine> engine = std::make_shared<const MorphEngine>(model);
    std::size_t note(const char* name) const { return *dataset->find(name); }
};

Fixture& fixture()
{
    static Fixture f;
    return f;
}

/// Controller with A = guitar, B = brass, encoded.
void setUpPair(MorphController& c)
{
    c.setDataset(fixture().dataset);
    c.setEngine(fixture().engine);
    QSignalSpy pair(&c, &MorphController::pairChanged);
    c.setSlot(0, fixture().note("guitar_acoustic_010-060-100"));
    c.setSlot(1, fixture().note("brass_acoustic_006-060-100"));
    QVERIFY(QTest::qWaitFor([&] { return c.pairReady(); }, 30000));
}

} // namespace

class TestMorphPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { morph::test::isolateSettings("test_morph_panel"); }

    void slotsEncodeInTheBackground()
    {
        MorphController c(nullptr);
        c.setDataset(fixture().dataset);
        c.setEngine(fixture().engine);
        QSignalSpy encoded(&c, &MorphController::slotEncoded);
        QSignalSpy pair(&c, &MorphController::pairChanged);
        c.setSlot(0, fixture().note("guitar_acoustic_010-060-100"));
        QVERIFY(c.busy());
        QVERIFY(!c.pairReady());
        QTRY_COMPARE_WITH_TIMEOUT(encoded.count(), 1, 30000);
        QVERIFY(c.encoded(0));
        QCOMPARE(c.encoded(0)->name, std::string("guitar_acoustic_010-060-100"));
        QCOMPARE(c.slotAudio(0).size(), std::size_t{64000});
        QCOMPARE(c.encoded(0)->embedding.dims, fixture().model->config().embeddingSize());
        QVERIFY(!c.pairReady());
        c.setSlot(1, fixture().note("brass_acoustic_006-060-100"));
        QTRY_VERIFY_WITH_TIMEOUT(c.pairReady(), 30000);
        QVERIFY(pair.count() >= 1);
        QCOMPARE(pair.last().at(0).toBool(), true);
        // The same note in slot C shares A's encoding at once.
        c.setSlot(2, fixture().note("guitar_acoustic_010-060-100"));
        QVERIFY(c.encoded(2) == c.encoded(0));
        QVERIFY(c.pairReady()); // C does not disturb the pair
    }

    void sliderGetsTheNearestAtOnceAndTheExactLater()
    {
        BackgroundJobs jobs;
        MorphController c(&jobs);
        QSignalSpy ladder(&c, &MorphController::ladderProgress);
        setUpPair(c);
        QCOMPARE(jobs.count(), 1); // "Pre-rendering …" in the dock
        // Wait for the whole ladder: 11 rungs, then its job is gone.
        QTRY_COMPARE_WITH_TIMEOUT(c.ladderReady(), MorphController::kLadderSteps + 1, 60000);
        QCOMPARE(jobs.count(), 0);
        QCOMPARE(ladder.last().at(0).toInt(), 11);
        QVERIFY(c.frameAt(0.f) && c.frameAt(1.f) && c.frameAt(0.5f));

        QSignalSpy frames(&c, &MorphController::frameReady);
        const auto nearest = c.request(0.437f);
        QVERIFY(nearest);                  // answered at once from the ladder...
        QCOMPARE(nearest->t, 0.4f);        // ...with the nearest rung
        QVERIFY(!nearest->exact);
        QTRY_VERIFY_WITH_TIMEOUT(c.frameAt(0.437f) != nullptr, 30000);
        const auto exact = c.frameAt(0.437f);
        QVERIFY(exact->exact);
        QCOMPARE(exact->render->audio.size(), std::size_t{64000});
        QCOMPARE(exact->render->weights, (std::vector<float>{1.f - 0.437f, 0.437f}));
        QCOMPARE(exact->spectrogram->bins, 513);
        QCOMPARE(exact->spectrogram->frames, 126);
        float peak = -1000.f;
        for (float v : exact->spectrogram->db) peak = std::max(peak, v);
        QCOMPARE(peak, 0.f); // dB re its own maximum
        // Asked again: the exact render comes back at once.
        QCOMPARE(c.request(0.437f), exact);
    }

    void padRendersOnlyTheLatestPosition()
    {
        MorphController c(nullptr);
        setUpPair(c);
        QSignalSpy pad(&c, &MorphController::padFrameReady);
        for (int k = 0; k <= 10; ++k) c.requestPad(0.1f * k, 0.5f);
        QVERIFY(c.busy());
        QTRY_VERIFY_WITH_TIMEOUT(!c.busy() && pad.count() >= 1, 60000);
        // The first request renders, the other ten collapse into the last one.
        QCOMPARE(pad.count(), 2);
        const auto last = pad.last().at(0).value<std::shared_ptr<const MorphFrame>>();
        QVERIFY(last->pad);
        QCOMPARE(last->x, 1.0f);
        QCOMPARE(last->y, 0.5f);
        QCOMPARE(last->render->weights.size(), std::size_t{4});
        // (1, 0.5): half B, half D (D defaults to B).
        QVERIFY(std::abs(last->render->weights[1] - 0.5f) < 1e-6f);
        QVERIFY(std::abs(last->render->weights[3] - 0.5f) < 1e-6f);
        QCOMPARE(last->render->audio.size(), std::size_t{64000});
    }

    void exportsWavFiles()
    {
        MorphController c(nullptr);
        setUpPair(c);
        QTemporaryDir dir;
        QSignalSpy done(&c, &MorphController::exportFinished);
        const QString file = dir.filePath(QStringLiteral("one.wav"));
        c.exportWav(file, 0.25f);
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
        QVERIFY2(done.at(0).at(0).toBool(), qPrintable(done.at(0).at(1).toString()));
        QCOMPARE(loadAudio(file.toStdString()).samples.size(), std::size_t{64000});

        c.exportSeries(dir.path(), QStringLiteral("series"), 3);
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 2, 60000);
        QVERIFY2(done.at(1).at(0).toBool(), qPrintable(done.at(1).at(1).toString()));
        const QStringList files = QDir(dir.path()).entryList({QStringLiteral("series_*.wav")}, QDir::Files, QDir::Name);
        QCOMPARE(files, (QStringList{QStringLiteral("series_00_t0.000.wav"), QStringLiteral("series_01_t0.500.wav"),
                                     QStringLiteral("series_02_t1.000.wav")}));
        for (const QString& f : files) QCOMPARE(loadAudio(dir.filePath(f).toStdString()).samples.size(), std::size_t{64000});

        // Without a pair: an honest failure, no file.
        MorphController empty(nullptr);
        QSignalSpy failed(&empty, &MorphController::exportFinished);
        empty.exportWav(dir.filePath(QStringLiteral("none.wav")), 0.5f);
        QCOMPARE(failed.count(), 1);
        QVERIFY(!failed.at(0).at(0).toBool());
    }

    void optionsInvalidateAndReRender()
    {
        MorphController c(nullptr);
        setUpPair(c);
        QTRY_VERIFY_WITH_TIMEOUT(c.frameAt(0.5f) != nullptr, 60000);
        const auto before = c.frameAt(0.5f);
        MorphOptions o = c.options();
        o.griffinLimIterations = 4;
        o.energyCorrection = false;
        c.setOptions(o);
        QCOMPARE(c.options().griffinLimIterations, 4);
        QVERIFY(c.frameAt(0.5f) == nullptr); // old renders are gone
        QTRY_VERIFY_WITH_TIMEOUT(c.frameAt(0.5f) != nullptr, 60000);
        QVERIFY(c.frameAt(0.5f) != before);
    }

    void xyPadMapsPixelsToCorners()
    {
        XYPad pad;
        pad.resize(240, 240);
        pad.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pad));
        QSignalSpy moved(&pad, &XYPad::positionChanged);
        QTest::mouseClick(&pad, Qt::LeftButton, {}, pad.pixelAt(0.25, 0.75).toPoint());
        QCOMPARE(moved.count(), 1);
        QVERIFY(std::abs(pad.x() - 0.25) < 0.01);
        QVERIFY(std::abs(pad.y() - 0.75) < 0.01); // y grows upwards: C and D are the top corners
        QTest::keyClick(&pad, Qt::Key_Right);
        QVERIFY(std::abs(pad.x() - 0.30) < 0.011);
        pad.setPosition(5.0, -1.0); // clamped
        QCOMPARE(pad.x(), 1.0);
        QCOMPARE(pad.y(), 0.0);
        const QPointF corner = pad.positionAt(QPointF(-100, 1000)); // outside: clamped to A's corner
        QCOMPARE(corner, QPointF(0.0, 0.0));
    }

    void embeddingViewSharesOneScale()
    {
        EmbeddingView view;
        NoteEmbedding a{2, 3, {0.f, 1.f, 2.f, 3.f, 4.f, 5.f}};
        NoteEmbedding b{2, 3, {-1.f, 0.f, 0.f, 0.f, 0.f, 10.f}};
        view.setEndpoints(a, b, QStringLiteral("a"), QStringLiteral("b"));
        QCOMPARE(view.colorRange().lower, -1.0);
        QCOMPARE(view.colorRange().upper, 10.0);
        QCOMPARE(view.value(EmbeddingView::A, 1, 2), 5.0);
        QCOMPARE(view.value(EmbeddingView::B, 0, 0), -1.0);
        QVERIFY(!view.hasData(EmbeddingView::Morph));
        NoteEmbedding m{2, 3, {-0.5f, 0.5f, 1.f, 1.5f, 2.f, 7.5f}};
        view.setMorph(m, QStringLiteral("t = 0.5"));
        QVERIFY(view.hasData(EmbeddingView::Morph));
        QCOMPARE(view.value(EmbeddingView::Morph, 1, 2), 7.5);
        QCOMPARE(view.colorRange().upper, 10.0); // the morph never rescales the colours
    }

    void panelFollowsTheSlider()
    {
        BackgroundJobs jobs;
        MorphController c(&jobs);
        AudioController audio; // not opened: no device, playback is a no-op
        MorphPanel panel(&c, &audio);
        panel.resize(1200, 800);
        panel.show();
        setUpPair(c);
        QTRY_VERIFY_WITH_TIMEOUT(panel.shownFrame() != nullptr, 60000);
        QVERIFY(panel.embeddingView()->hasData(EmbeddingView::A));
        QVERIFY(panel.embeddingView()->hasData(EmbeddingView::B));
        panel.slider()->setValue(730);
        QTRY_VERIFY_WITH_TIMEOUT(panel.shownFrame() && std::lround(panel.shownFrame()->t * 1000) == 730, 60000);
        // The views follow within kViewIntervalMs; the hidden embeddings once their tab shows.
        QTRY_COMPARE(panel.morphView()->spectrogram(), panel.shownFrame()->spectrogram.get());
        auto* title = panel.findChild<QLabel*>(QStringLiteral("morphTitle"));
        QVERIFY(title);
        QTRY_COMPARE(title->text(), QStringLiteral("Morph at t = 0.730"));
        QVERIFY(!panel.embeddingView()->hasData(EmbeddingView::Morph));
        panel.viewTabs()->setCurrentIndex(1);
        QTRY_VERIFY(panel.embeddingView()->hasData(EmbeddingView::Morph));
        // Reconstructions of A and B (t = 0 and 1) are shown once the ladder has them.
        QTRY_VERIFY_WITH_TIMEOUT(panel.reconstructionView(0)->spectrogram() && panel.reconstructionView(1)->spectrogram(),
                                 60000);
        // Pad mode: the panel shows pad renders.
        panel.setMode(MorphPanel::Mode::Pad);
        panel.pad()->setPosition(0.2, 0.9);
        QTRY_VERIFY_WITH_TIMEOUT(panel.shownFrame()->pad && std::abs(panel.shownFrame()->y - 0.9f) < 1e-6f, 60000);
        // Griffin-Lim iterations reach the controller (debounced).
        panel.findChild<QSpinBox*>(QStringLiteral("glIterations"))->setValue(8);
        QTRY_COMPARE_WITH_TIMEOUT(c.options().griffinLimIterations, 8, 5000);
    }
};

QTEST_MAIN(TestMorphPanel)
#include "test_morph_panel.moc"
