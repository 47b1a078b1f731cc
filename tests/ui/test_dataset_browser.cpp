// DatasetBrowser on the pitch-60 notes (offscreen): tree scope and filters narrow the table
// (queries run on the thread pool), Space / A / B on the table emit play / assign, selection is
// kept across filtering when possible.
#include "DatasetBrowser.h"
#include "NoteFilterBar.h"
#include "NoteTableModel.h"

#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QtTest>

using namespace morph;
using namespace morph::ui;

class TestDatasetBrowser : public QObject {
    Q_OBJECT
private:
    NSynthDataset dataset_;
    DatasetOutline outline_;

    /// Waits until the browser's query has finished.
    static void settle(DatasetBrowser& b)
    {
        QTRY_VERIFY_WITH_TIMEOUT(!b.queryRunning(), 10000);
        QCoreApplication::processEvents();
    }

private slots:
    void initTestCase()
    {
        dataset_ = NSynthDataset::open(MORPH_SHARED_DATA_DIR "/nsynth-test-pitch60");
        outline_ = buildOutline(dataset_);
    }

    void showsAllNotesAndTheTree()
    {
        DatasetBrowser b;
        b.setDataset(dataset_, outline_);
        QCOMPARE(b.model()->rowCount(), 60);
        QVERIFY(b.currentNote().has_value());
        QCOMPARE(b.tree()->topLevelItemCount(), 1);
        QTreeWidgetItem* all = b.tree()->topLevelItem(0);
        QCOMPARE(all->text(1), QStringLiteral("60"));
        QCOMPARE(all->childCount(), 1);               // one split: test
        QCOMPARE(all->child(0)->childCount(), 10);    // ten families present
    }

    void filtersNarrowTheTable()
    {
        DatasetBrowser b;
        b.setDataset(dataset_, outline_);
        QSignalSpy finished(&b, &DatasetBrowser::queryFinished);
        const int v127 = b.filterBar()->velocityBox()->findData(127);
        QVERIFY(v127 > 0);
        b.filterBar()->velocityBox()->setCurrentIndex(v127);
        QVERIFY(finished.wait(10000));
        QCOMPARE(b.model()->rowCount(), 14);

        b.filterBar()->searchBox()->setText(QStringLiteral("guitar"));
        QVERIFY(finished.wait(10000)); // after the search delay
        QCOMPARE(b.model()->rowCount(), 2); // guitar notes at velocity 127

        b.filterBar()->reset();
        b.filterBar()->searchBox()->setText(QStringLiteral("GUITAR")); // case-insensitive
        QVERIFY(finished.wait(10000));
        QCOMPARE(b.model()->rowCount(), 9);

        b.filterBar()->searchBox()->clear();
        b.filterBar()->setQualityRequired(0, true); // bright
        QVERIFY(finished.wait(10000));
        settle(b);
        QCOMPARE(b.model()->rowCount(), 9);

        b.filterBar()->reset();
        b.filterBar()->pitchMinBox()->setValue(61); // every note is at pitch 60
        QVERIFY(finished.wait(10000));
        QCOMPARE(b.model()->rowCount(), 0);
        QVERIFY(!b.currentNote().has_value());
    }

    void treeScopeNarrowsToAFamily()
    {
        DatasetBrowser b;
        b.setDataset(dataset_, outline_);
        QSignalSpy finished(&b, &DatasetBrowser::queryFinished);
        QTreeWidgetItem* test = b.tree()->topLevelItem(0)->child(0);
        QTreeWidgetItem* organ = nullptr;
        for (int i = 0; i < test->childCount(); ++i)
            if (test->child(i)->text(0) == QLatin1String("organ")) organ = test->child(i);
        QVERIFY(organ);
        QCOMPARE(organ->text(1), QStringLiteral("11"));
        b.tree()->setCurrentItem(organ);
        QVERIFY(finished.wait(10000));
        QCOMPARE(b.model()->rowCount(), 11);
        QCOMPARE(b.currentQuery().family, std::optional<int>(6));
        // An instrument below it.
        b.tree()->setCurrentItem(organ->child(0));
        QVERIFY(finished.wait(10000));
        QCOMPARE(b.model()->rowCount(), organ->child(0)->text(1).toInt());
    }

    void keysPlayAndAssign()
    {
        DatasetBrowser b;
        b.resize(900, 500);
        b.show();
        QVERIFY(QTest::qWaitForWindowExposed(&b));
        b.setDataset(dataset_, outline_);
        QVERIFY(b.selectNote(QStringLiteral("reed_acoustic_011-060-075")));
        const std::size_t index = *dataset_.find("reed_acoustic_011-060-075");
        QCOMPARE(*b.currentNote(), index);
        QSignalSpy play(&b, &DatasetBrowser::playRequested);
        QSignalSpy assign(&b, &DatasetBrowser::assignRequested);
        b.table()->setFocus();
        QTRY_VERIFY(b.table()->hasFocus());
        QTest::keyClick(b.table(), Qt::Key_Space);
        QCOMPARE(play.count(), 1);
        QCOMPARE(play.at(0).at(0).value<std::size_t>(), index);
        QTest::keyClick(b.table(), Qt::Key_A);
        QTest::keyClick(b.table(), Qt::Key_Down);
        QTest::keyClick(b.table(), Qt::Key_B);
        QCOMPARE(assign.count(), 2);
        QCOMPARE(assign.at(0).at(0).toInt(), 0);
        QCOMPARE(assign.at(0).at(1).value<std::size_t>(), index);
        QCOMPARE(assign.at(1).at(0).toInt(), 1);
        QVERIFY(assign.at(1).at(1).value<std::size_t>() != index);
    }

    void selectionSurvivesFilteringAndSelectNoteClearsFilters()
    {
        DatasetBrowser b;
        b.setDataset(dataset_, outline_);
        QSignalSpy finished(&b, &DatasetBrowser::queryFinished);
        QVERIFY(b.selectNote(QStringLiteral("organ_electronic_001-060-127")));
        b.filterBar()->velocityBox()->setCurrentIndex(b.filterBar()->velocityBox()->findData(127));
        QVERIFY(finished.wait(10000));
        QCOMPARE(b.model()->rowCount(), 14);
        QCOMPARE(*b.currentNote(), *dataset_.find("organ_electronic_001-060-127"));
        // A note hidden by the filter: selecting it shows everything again.
        QVERIFY(b.selectNote(QStringLiteral("string_acoustic_057-060-100")));
        QCOMPARE(b.model()->rowCount(), 60);
        QCOMPARE(*b.currentNote(), *dataset_.find("string_acoustic_057-060-100"));
        QVERIFY(!b.selectNote(QStringLiteral("no_such_note-060-100")));
    }
};

QTEST_MAIN(TestDatasetBrowser)
#include "test_dataset_browser.moc"
