// Playback from the window through the real audio path: a private PulseAudio null sink (see
// tests/support/PrivatePulseServer.h) is the device; Space on the note table plays the current
// note, the playhead position advances, Space again stops it. Skipped (with the reason) when the
// daemon cannot be started here.
#include "AudioController.h"
#include "DatasetBrowser.h"
#include "MainWindow.h"
#include "NoteViewer.h"
#include "support/PrivatePulseServer.h"
#include "support/UiTestSupport.h"

#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QtTest>

using namespace morph::ui;

class TestAudioPlayback : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<morph::test::PrivatePulseServer> server_;

private slots:
    void initTestCase()
    {
        morph::test::isolateSettings("test_audio_playback");
        server_ = std::make_unique<morph::test::PrivatePulseServer>();
        if (server_->ok()) qputenv("PULSE_SERVER", server_->address().c_str());
    }

    void cleanupTestCase()
    {
        qunsetenv("PULSE_SERVER");
        server_.reset();
    }

    void spacePlaysAndStopsTheCurrentNote()
    {
        if (!server_->ok()) QSKIP(qPrintable(QStringLiteral("no PulseAudio null sink: %1").arg(QString::fromStdString(server_->error()))));
        AudioSettings audio;
        audio.api = QStringLiteral("pulse");
        audio.bufferFrames = 256;
        audio.save();

        MainWindowOptions options;
        options.dataPath = morph::test::pitch60Dir();
        MainWindow w(options);
        w.resize(1000, 700);
        w.show();
        QVERIFY2(w.audio()->available(), qPrintable(w.audio()->statusText()));
        QVERIFY(!w.audioStatusLabel()->text().contains(QStringLiteral("No audio")));
        QTRY_VERIFY_WITH_TIMEOUT(w.viewer()->note() != nullptr, 20000);

        QSignalSpy position(w.audio(), &AudioController::positionChanged);
        w.browser()->table()->setFocus();
        QTest::keyClick(w.browser()->table(), Qt::Key_Space);
        QVERIFY(w.audio()->isPlaying());
        // The playhead moves: some position report > 0 s within a generous time (the null sink's
        // clock is slower than real time).
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(position.begin(), position.end(),
                                             [](const QList<QVariant>& args) { return args.at(0).toDouble() > 0.0; }),
                                 20000);
        QVERIFY(w.audio()->output().framesRendered() > 0);
        QTest::keyClick(w.browser()->table(), Qt::Key_Space); // again: stop
        QVERIFY(!w.audio()->isPlaying());
        QTRY_VERIFY(!position.isEmpty() && position.last().at(0).toDouble() < 0.0); // playhead hidden
    }
};

QTEST_MAIN(TestAudioPlayback)
#include "test_audio_playback.moc"
