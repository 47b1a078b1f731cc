// NoteTableModel over the real NSynth pitch-60 test notes: row/column counts, the metadata of
// known notes (values from examples.json), subsets, sorting, and Qt's model consistency checks.
#include "DatasetOutline.h"
#include "NoteTableModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

using morph::NSynthDataset;
using morph::ui::NoteTableModel;

class TestNoteTableModel : public QObject {
    Q_OBJECT
private:
    NSynthDataset dataset_;

    QString cell(const NoteTableModel& m, int row, int column) const
    {
        return m.data(m.index(row, column)).toString();
    }

private slots:
    void initTestCase()
    {
        dataset_ = NSynthDataset::open(MORPH_SHARED_DATA_DIR "/nsynth-test-pitch60");
        QCOMPARE(dataset_.size(), std::size_t{60});
    }

    void countsRowsAndColumns()
    {
        NoteTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        model.setDataset(dataset_);
        QCOMPARE(model.rowCount(), 60);
        QCOMPARE(model.columnCount(), 8);
        QCOMPARE(model.headerData(NoteTableModel::NoteStr, Qt::Horizontal).toString(), QStringLiteral("Note"));
        QCOMPARE(model.rowCount(model.index(0, 0)), 0); // a flat table
    }

    void showsTheMetadataOfKnownNotes()
    {
        NoteTableModel model;
        model.setDataset(dataset_);
        const auto index = dataset_.find("string_acoustic_057-060-100");
        QVERIFY(index.has_value());
        const int row = model.rowOfNote(*index);
        QVERIFY(row >= 0);
        QCOMPARE(cell(model, row, NoteTableModel::NoteStr), QStringLiteral("string_acoustic_057-060-100"));
        QCOMPARE(cell(model, row, NoteTableModel::Instrument), QStringLiteral("string_acoustic_057"));
        QCOMPARE(cell(model, row, NoteTableModel::Family), QStringLiteral("string"));
        QCOMPARE(cell(model, row, NoteTableModel::Source), QStringLiteral("acoustic"));
        QCOMPARE(model.data(model.index(row, NoteTableModel::Pitch)).toInt(), 60);
        QCOMPARE(model.data(model.index(row, NoteTableModel::Velocity)).toInt(), 100);
        QCOMPARE(cell(model, row, NoteTableModel::Qualities), QStringLiteral("bright, nonlinear_env, reverb"));
        QCOMPARE(cell(model, row, NoteTableModel::SplitCol), QStringLiteral("test"));
        QCOMPARE(model.data(model.index(row, 0), NoteTableModel::NoteIndexRole).toULongLong(), qulonglong(*index));
        QVERIFY(model.data(model.index(row, 0), Qt::ToolTipRole).toString().endsWith(
            QStringLiteral("audio/string_acoustic_057-060-100.wav")));

        const auto organ = dataset_.find("organ_electronic_001-060-127");
        QVERIFY(organ.has_value());
        const int organRow = model.rowOfNote(*organ);
        QCOMPARE(cell(model, organRow, NoteTableModel::Family), QStringLiteral("organ"));
        QCOMPARE(cell(model, organRow, NoteTableModel::Source), QStringLiteral("electronic"));
        QCOMPARE(cell(model, organRow, NoteTableModel::Qualities), QStringLiteral("dark"));
        QCOMPARE(model.data(model.index(organRow, NoteTableModel::Velocity)).toInt(), 127);
    }

    void subsetsAndSorting()
    {
        NoteTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDataset(dataset_);
        morph::NoteQuery q;
        q.velocity = 127;
        model.setSubset(dataset_.query(q));
        QCOMPARE(model.rowCount(), 14); // 14 notes at velocity 127 in examples.json
        QVERIFY(model.isSubset());
        for (int r = 0; r < model.rowCount(); ++r)
            QCOMPARE(model.data(model.index(r, NoteTableModel::Velocity)).toInt(), 127);
        QCOMPARE(model.rowOfNote(*dataset_.find("string_acoustic_057-060-100")), -1); // velocity 100

        model.clearSubset();
        model.sort(NoteTableModel::Velocity, Qt::DescendingOrder);
        QCOMPARE(model.rowCount(), 60);
        QCOMPARE(model.data(model.index(0, NoteTableModel::Velocity)).toInt(), 127);
        QCOMPARE(model.data(model.index(59, NoteTableModel::Velocity)).toInt(), 25);
        for (int r = 1; r < 60; ++r)
            QVERIFY(model.data(model.index(r - 1, NoteTableModel::Velocity)).toInt() >=
                    model.data(model.index(r, NoteTableModel::Velocity)).toInt());
        model.sort(NoteTableModel::NoteStr, Qt::AscendingOrder);
        QCOMPARE(cell(model, 0, NoteTableModel::NoteStr), QStringLiteral("bass_electronic_018-060-075"));
        QCOMPARE(cell(model, 59, NoteTableModel::NoteStr), QStringLiteral("vocal_synthetic_003-060-100"));
    }

    void largeSortsRunInTheBackground()
    {
        NoteTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSyncSortLimit(0); // every sort goes to the thread pool
        model.setDataset(dataset_);
        QSignalSpy finished(&model, &NoteTableModel::sortingFinished);
        model.sort(NoteTableModel::Velocity, Qt::AscendingOrder);
        QVERIFY(model.isSorting());
        QCOMPARE(model.rowCount(), 60); // rows stay visible (unsorted) meanwhile
        QVERIFY(finished.wait(10000));
        QVERIFY(!model.isSorting());
        QCOMPARE(model.data(model.index(0, NoteTableModel::Velocity)).toInt(), 25);
        QCOMPARE(model.data(model.index(59, NoteTableModel::Velocity)).toInt(), 127);
        // A sort superseded by a new subset is dropped: the subset wins, sorted itself.
        model.sort(NoteTableModel::Velocity, Qt::DescendingOrder);
        morph::NoteQuery q;
        q.family = 6; // organ
        model.setSubset(dataset_.query(q));
        QTRY_VERIFY_WITH_TIMEOUT(!model.isSorting(), 10000);
        QCoreApplication::processEvents();
        QCOMPARE(model.rowCount(), 11);
        QCOMPARE(model.data(model.index(0, NoteTableModel::Velocity)).toInt(), 127);
        QCOMPARE(cell(model, 0, NoteTableModel::Family), QStringLiteral("organ"));
    }

    void qualitiesText()
    {
        QCOMPARE(NoteTableModel::qualitiesText(0), QString());
        QCOMPARE(NoteTableModel::qualitiesText(0b1000000001), QStringLiteral("bright, tempo-synced"));
    }

    void outlineCountsSplitsFamiliesInstruments()
    {
        const morph::ui::DatasetOutline outline = morph::ui::buildOutline(dataset_);
        QCOMPARE(outline.notes, std::size_t{60});
        QCOMPARE(outline.splits.size(), std::size_t{1});
        QCOMPARE(outline.splits[0].split, morph::Split::Test);
        QCOMPARE(outline.splits[0].notes, std::size_t{60});
        std::size_t organ = 0, guitar = 0, instruments = 0;
        for (const auto& f : outline.splits[0].families) {
            if (f.family == 6) organ = f.notes;
            if (f.family == 3) guitar = f.notes;
            instruments += f.instruments.size();
            std::size_t sum = 0;
            for (const auto& i : f.instruments) sum += i.notes;
            QCOMPARE(sum, f.notes);
        }
        QCOMPARE(organ, std::size_t{11});
        QCOMPARE(guitar, std::size_t{9});
        QCOMPARE(instruments, std::size_t{40});
        QCOMPARE(outline.velocities, (std::vector<int>{25, 50, 75, 100, 127}));
        QCOMPARE(outline.pitchMin, 60);
        QCOMPARE(outline.pitchMax, 60);
    }
};

QTEST_MAIN(TestNoteTableModel)
#include "test_note_table_model.moc"
