// MainWindow wiring (offscreen, audio off or unreachable): opening the pitch-60 dataset fills
// the browser and the viewer (analysis on the thread pool), the audio notice shows when there
// is no device, A/B fill the morph slots, the dataset is remembered in QSettings, and the
// Preferences dialog returns what was chosen.
#include "AudioController.h"
#include "DatasetBrowser.h"
#include "MainWindow.h"
#include "MorphSlots.h"
#include "NoteTableModel.h"
#include "NoteViewer.h"
#include "PreferencesDialog.h"
#include "SpectrogramView.h"
#include "WaveformView.h"
#include "support/UiTestSupport.h"

#include <QComboBox>
#include <QLabel>
#include <QSettings>
#include <QSlider>
#include <QTableView>
#include <QtTest>

#include <cstdlib>

using namespace morph::ui;

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { morph::test::isolateSettings("test_main_window"); }

    void opensDatasetAndShowsTheFirstNote()
    {
        MainWindowOptions options;
        options.dataPath = morph::test::pitch60Dir();
        options.openAudio = false;
        MainWindow w(options);
        w.resize(1200, 800);
        w.show();
        QTRY_VERIFY_WITH_TIMEOUT(w.loadedDataset().has_value(), 20000);
        QCOMPARE(w.browser()->model()->rowCount(), 60);
        QTRY_VERIFY_WITH_TIMEOUT(w.viewer()->note() != nullptr, 20000);
        QTRY_VERIFY(w.isIdle());
        const auto note = w.viewer()->note();
        QCOMPARE(note->index, *w.browser()->currentNote());
        QCOMPARE(note->audio.size(), std::size_t{64000});
        QCOMPARE(note->spectrogram.bins, 513);
        QCOMPARE(note->spectrogram.frames, 126); // METHOD §2: 64000 samples -> 126 frames
        QCOMPARE(w.viewer()->waveformView()->pointCount(), 64000);
        QVERIFY(w.viewer()->spectrogramView()->spectrogram() != nullptr);
        QVERIFY(w.audioStatusLabel()->text().contains(QStringLiteral("No audio output")));
        QCOMPARE(QSettings().value(QStringLiteral("dataset/recent")).toStringList().value(0), options.dataPath);

        // Selecting another note replaces the viewer's note.
        QVERIFY(w.browser()->selectNote(QStringLiteral("guitar_acoustic_010-060-100")));
        QTRY_COMPARE_WITH_TIMEOUT(w.viewer()->note()->noteStr, QStringLiteral("guitar_acoustic_010-060-100"), 20000);

        // A / B assign the current note to the morph slots.
        w.browser()->table()->setFocus();
        QTest::keyClick(w.browser()->table(), Qt::Key_A);
        QCOMPARE(w.morphSlots()->noteName(0), QStringLiteral("guitar_acoustic_010-060-100"));
        QVERIFY(!w.morphSlots()->note(1).has_value());
    }

    void reopensTheRememberedDataset()
    {
        // The previous test stored the dataset in QSettings.
        MainWindowOptions options;
        options.openAudio = false;
        MainWindow w(options);
        QTRY_VERIFY_WITH_TIMEOUT(w.loadedDataset().has_value(), 20000);
        QCOMPARE(w.browser()->model()->rowCount(), 60);
    }

    void aBadDatasetKeepsTheWindowUsable()
    {
        MainWindowOptions options;
        options.dataPath = QStringLiteral("/nonexistent/morph-dataset");
        options.openAudio = false;
        MainWindow w(options); // not shown: no message box
        QTRY_VERIFY_WITH_TIMEOUT(w.isIdle(), 20000);
        QVERIFY(!w.loadedDataset().has_value());
        QCOMPARE(w.browser()->model()->rowCount(), 0);
    }

    void noAudioDeviceGivesANoticeNotAFailure()
    {
        qputenv("PULSE_SERVER", "unix:/nonexistent/morph-no-server");
        AudioController audio;
        AudioSettings s;
        s.api = QStringLiteral("pulse");
        QVERIFY(!audio.apply(s));
        QVERIFY(!audio.available());
        QVERIFY(audio.statusText().contains(QStringLiteral("No audio output device")));
        QVERIFY(!audio.play(std::vector<float>(100, 0.f), 16000));
        audio.stop(); // harmless
        qunsetenv("PULSE_SERVER");
    }

    void preferencesReturnTheChoice()
    {
        AudioSettings s;
        s.bufferFrames = 1024;
        s.volume = 0.25;
        PreferencesDialog d(s, QStringLiteral("none"));
        QCOMPARE(d.settings().bufferFrames, 1024);
        QCOMPARE(d.settings().volume, 0.25);
        QVERIFY(d.settings().device.isEmpty()); // automatic
        auto* volume = d.findChild<QSlider*>(QStringLiteral("volume"));
        QVERIFY(volume);
        QSignalSpy changed(&d, &PreferencesDialog::volumeChanged);
        volume->setValue(60);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(d.settings().volume, 0.6);
        auto* buffer = d.findChild<QComboBox*>(QStringLiteral("bufferSize"));
        buffer->setCurrentIndex(buffer->findData(256));
        QCOMPARE(d.settings().bufferFrames, 256);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
