// The browser's note analysis (NoteAnalysisService, what the note viewer shows) when a note's WAV
// vanishes while the dataset is open, or is converted on load: a clear failure naming the file,
// and the other notes still show (offscreen).
#include "NoteAnalysisService.h"

#include "dataset/NSynthDataset.h"
#include "support/TempDir.h"

#include <QSignalSpy>
#include <QtTest>

#include <filesystem>

using namespace morph;
using namespace morph::ui;
namespace fs = std::filesystem;

class TestVanishedNote : public QObject {
    Q_OBJECT
private:
    morph::test::TempDir tmp_{"morph_ui_vanish"}; // removed with the test object
    NSynthDataset dataset_;

private slots:
    void initTestCase()
    {
        const fs::path src = fs::path(MORPH_SHARED_DATA_DIR) / "nsynth-test-pitch60";
        fs::copy(src, tmp_.path / "nsynth-test", fs::copy_options::recursive);
        dataset_ = NSynthDataset::open(tmp_.path / "nsynth-test", DatasetOpenOptions{true, false, {}});
    }

    void aVanishedNoteFailsNamingItsFileAndTheOthersStillShow()
    {
        NoteAnalysisService service;
        QSignalSpy ready(&service, &NoteAnalysisService::ready);
        QSignalSpy failed(&service, &NoteAnalysisService::failed);
        const fs::path gone = dataset_.audioPath(3);
        fs::remove(gone);
        service.request(dataset_, 3);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
        QCOMPARE(failed.at(0).at(0).value<std::size_t>(), std::size_t(3));
        const QString message = failed.at(0).at(1).toString();
        QVERIFY2(message.contains(QString::fromStdString("cannot load audio " + gone.string() + ": file not found")),
                 qPrintable(message));

        service.request(dataset_, 4);
        QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 10000);
        const auto note = ready.at(0).at(0).value<std::shared_ptr<const AnalysedNote>>();
        QCOMPARE(note->index, std::size_t(4));
        QCOMPARE(note->spectrogram.frames, 126);
        QVERIFY(note->adjustments.isEmpty());
    }
};

QTEST_MAIN(TestVanishedNote)
#include "test_vanished_note.moc"
