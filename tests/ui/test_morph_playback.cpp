// Live morph playback through a real audio callback (a private PulseAudio null sink, see
// tests/support/PrivatePulseServer.h): with Live on, a render shown while the slider is held is
// swapped into the playing loop at the same position (the position does not restart), the exact
// render of the final position plays in the end, and Stop stops. Skipped when no daemon starts.
#include "AudioController.h"
#include "BackgroundJobs.h"
#include "MorphController.h"
#include "MorphPanel.h"
#include "dataset/NSynthDataset.h"
#include "model/ModelRunner.h"
#include "support/PrivatePulseServer.h"
#include "support/UiTestSupport.h"

#include <QSlider>
#include <QtTest>

using namespace morph;
using namespace morph::ui;

class TestMorphPlayback : public QObject {
    Q_OBJECT
    std::unique_ptr<morph::test::PrivatePulseServer> server_;

private slots:
    void initTestCase()
    {
        morph::test::isolateSettings("test_morph_playback");
        server_ = std::make_unique<morph::test::PrivatePulseServer>();
        if (server_->ok()) qputenv("PULSE_SERVER", server_->address().c_str());
    }

    void cleanupTestCase()
    {
        qunsetenv("PULSE_SERVER");
        server_.reset();
    }

    void liveSwapsRendersWithoutRestarting()
    {
        if (!server_->ok()) QSKIP(qPrintable(QStringLiteral("no PulseAudio null sink: %1").arg(QString::fromStdString(server_->error()))));
        AudioController audio;
        AudioSettings s;
        s.api = QStringLiteral("pulse");
        s.bufferFrames = 256;
        QVERIFY2(audio.apply(s), qPrintable(audio.statusText()));
        MorphController c(nullptr);
        MorphPanel panel(&c, &audio);
        panel.setLiveEnabled(true);
        panel.setLoop(true);
        panel.show();
        auto dataset = std::make_shared<const NSynthDataset>(NSynthDataset::open(morph::test::pitch60Dir().toStdString()));
        std::shared_ptr<const ModelRunner> model(ModelRunner::load(morph::test::tinyModel().toStdString(), "cpu").release());
        c.setDataset(dataset);
        c.setEngine(std::make_shared<const MorphEngine>(model));
        c.setSlot(0, *dataset->find("guitar_acoustic_010-060-100"));
        c.setSlot(1, *dataset->find("brass_acoustic_006-060-100"));
        QTRY_VERIFY_WITH_TIMEOUT(c.ladderReady() == MorphController::kLadderSteps + 1, 60000);

        panel.playShown(); // the morph at t = 0, looping
        QVERIFY(audio.isPlaying());
        QTRY_VERIFY_WITH_TIMEOUT(audio.positionSamples() > 8000, 30000); // half a second in
        const auto before = panel.shownFrame();
        const std::size_t positionBefore = audio.positionSamples();

        // A drag: the slider is held and moves to 0.5 (a ladder rung: shown at once).
        panel.slider()->setSliderDown(true);
        panel.slider()->setValue(500);
        QVERIFY(panel.shownFrame() != before);
        QCOMPARE(panel.shownFrame()->t, 0.5f);
        // Swapped in place: the new buffer plays from (about) where the old one was, not from 0.
        QVERIFY2(audio.positionSamples() + 2000 >= positionBefore,
                 qPrintable(QStringLiteral("%1 -> %2").arg(positionBefore).arg(audio.positionSamples())));
        QCOMPARE(audio.output().lengthSamples(), std::size_t{64000});
        QVERIFY(audio.isPlaying());

        // An off-ladder position: the nearest rung now, the exact render when it arrives.
        panel.slider()->setValue(537);
        QTRY_VERIFY_WITH_TIMEOUT(panel.shownFrame() && std::lround(panel.shownFrame()->t * 1000) == 537, 30000);
        QVERIFY(audio.isPlaying());
        panel.slider()->setSliderDown(false);

        panel.stop();
        QVERIFY(!audio.isPlaying());
    }
};

QTEST_MAIN(TestMorphPlayback)
#include "test_morph_playback.moc"
