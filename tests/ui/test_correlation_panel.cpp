// Correlation view, pair list, correlation service and panel: a known matrix is drawn cell for
// cell, the tooltip names both notes and r, a click emits the cell; the ranking honours the
// same-instrument / same-family filters and a double-click emits dataset indices; the service
// encodes the 60 real pitch-60 notes with a tiny model (progress in the Background work dock,
// cancellable) and correlates them; the panel turns a click into a pair of dataset notes.
#include "BackgroundJobs.h"
#include "CorrelationPanel.h"
#include "CorrelationService.h"
#include "CorrelationView.h"
#include "PairList.h"
#include "model/ModelRunner.h"
#include "support/UiTestSupport.h"

#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace morph;
using namespace morph::ui;

namespace {

CorrelationMatrix knownMatrix()
{
    // 4 notes: 0 and 1 one instrument, 2 same family as 0/1, 3 another family.
    CorrelationMatrix m;
    m.size = 4;
    m.values = {1.0f,  0.9f, 0.2f, -0.5f,  //
                0.9f,  1.0f, 0.1f, 0.3f,   //
                0.2f,  0.1f, 1.0f, -0.2f,  //
                -0.5f, 0.3f, -0.2f, 1.0f};
    return m;
}

std::shared_ptr<const CorrelationResult> knownResult()
{
    auto r = std::make_shared<CorrelationResult>();
    r->matrix = knownMatrix();
    r->notes = {10, 11, 20, 30}; // dataset indices
    r->keys = {{1, 0}, {1, 0}, {2, 0}, {3, 5}};
    r->labels = {QStringLiteral("bass_a-060-100"), QStringLiteral("bass_a-060-127"), QStringLiteral("bass_b-060-100"),
                 QStringLiteral("vocal_c-060-100")};
    return r;
}

std::shared_ptr<const ModelRunner> loadTiny()
{
    return std::shared_ptr<const ModelRunner>(
        ModelRunner::load(morph::test::tinyModel().toStdString(), "cpu").release());
}

/// The correlation service of the service and panel tests: a private embedding cache, the
/// Background work registry, and the 60 pitch-60 notes opened (not yet given to the service).
struct ServiceFixture {
    QTemporaryDir cache;
    BackgroundJobs jobs;
    CorrelationService service{&jobs};
    std::shared_ptr<const NSynthDataset> dataset =
        std::make_shared<const NSynthDataset>(NSynthDataset::open(morph::test::pitch60Dir().toStdString()));

    ServiceFixture() { service.setCacheRoot(cache.path().toStdString()); }

    std::vector<std::size_t> allNotes() const
    {
        std::vector<std::size_t> notes(dataset->size());
        for (std::size_t i = 0; i < notes.size(); ++i) notes[i] = i;
        return notes;
    }
};

} // namespace

class TestCorrelationPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { morph::test::isolateSettings("test_correlation_panel"); }

    void viewDrawsTheMatrixAndNamesCells()
    {
        CorrelationView view;
        view.resize(500, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const auto r = knownResult();
        view.setMatrix(r->matrix, r->labels);
        view.replot();
        QCOMPARE(view.size(), 4);
        for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j) QCOMPARE(view.cellValue(i, j), double(r->matrix.at(i, j)));
        QVERIFY(std::isnan(view.cellValue(4, 0)));

        const QPointF c = view.cellCenter(0, 3);
        QCOMPARE(view.cellAt(c), std::make_optional(std::make_pair(0, 3)));
        const QString tip = view.toolTipAt(c);
        QVERIFY2(tip.contains(QStringLiteral("bass_a-060-100")) && tip.contains(QStringLiteral("vocal_c-060-100")),
                 qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("r = -0.500")), qPrintable(tip));

        QSignalSpy clicked(&view, &CorrelationView::cellClicked);
        QTest::mouseClick(&view, Qt::LeftButton, {}, view.cellCenter(2, 1).toPoint());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.at(0).at(0).toInt(), 2);
        QCOMPARE(clicked.at(0).at(1).toInt(), 1);
        QCOMPARE(view.selectedCell(), std::make_optional(std::make_pair(2, 1)));
        // Outside the matrix: nothing.
        QVERIFY(view.toolTipAt(QPointF(2, 2)).isEmpty());
    }

    void pairListRanksWithTheFilters()
    {
        PairList list;
        PairFilter f;
        f.skipSameInstrument = false;
        f.skipSameFamily = false;
        list.setFilter(f);
        list.setResult(knownResult());
        // All 6 pairs, ascending r: (0,3) -0.5, (2,3) -0.2, (1,2) 0.1, (0,2) 0.2, (1,3) 0.3, (0,1) 0.9
        QCOMPARE(list.rowCount(), 6);
        QCOMPARE(list.pair(0).a, std::size_t{0});
        QCOMPARE(list.pair(0).b, std::size_t{3});
        QCOMPARE(list.pair(0).r, -0.5f);
        QCOMPARE(list.pair(5).r, 0.9f);
        QCOMPARE(list.table()->item(0, 0)->text(), QStringLiteral("-0.500"));

        f.skipSameInstrument = true; // drops (0,1)
        list.setFilter(f);
        QCOMPARE(list.rowCount(), 5);
        QCOMPARE(list.pair(4).r, 0.3f);

        f.skipSameFamily = true; // only pairs with note 3 (family 5) remain
        list.setFilter(f);
        QCOMPARE(list.rowCount(), 3);
        for (int row = 0; row < 3; ++row) QCOMPARE(list.pair(row).b, std::size_t{3});

        QSignalSpy activated(&list, &PairList::pairActivated);
        // Double-click the second row: (1,3) -> dataset notes 11 and 30
        QTableWidget* t = list.table();
        list.resize(500, 300);
        list.show();
        QVERIFY(QTest::qWaitForWindowExposed(&list));
        const QRect rect = t->visualItemRect(t->item(1, 1));
        // An item view acts on a double-click only at the index the press landed on.
        QTest::mousePress(t->viewport(), Qt::LeftButton, {}, rect.center());
        QTest::mouseRelease(t->viewport(), Qt::LeftButton, {}, rect.center());
        QTest::mouseDClick(t->viewport(), Qt::LeftButton, {}, rect.center());
        QVERIFY(activated.count() >= 1);
        QCOMPARE(activated.at(0).at(0).value<std::size_t>(), std::size_t{20});
        QCOMPARE(activated.at(0).at(1).value<std::size_t>(), std::size_t{30});
    }

    void serviceEncodesAndCorrelatesTheRealNotes()
    {
        ServiceFixture f;
        f.service.setDataset(f.dataset);
        QVERIFY(!f.service.ready());
        f.service.setModel(loadTiny());
        QVERIFY(f.service.ready());

        const std::vector<std::size_t> notes = f.allNotes();
        QSignalSpy finished(&f.service, &CorrelationService::finished);
        QSignalSpy progress(&f.service, &CorrelationService::progress);
        QSignalSpy added(&f.jobs, &BackgroundJobs::jobAdded);
        f.service.compute(notes);
        QVERIFY(f.service.busy());
        QCOMPARE(added.count(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QVERIFY(!f.service.busy());
        QCOMPARE(f.jobs.count(), 0);
        QVERIFY(progress.count() >= 1);
        QCOMPARE(progress.last().at(0).toInt(), 60);
        const auto r = f.service.result();
        QVERIFY(r);
        QCOMPARE(r->notes.size(), std::size_t{60});
        QCOMPARE(r->matrix.size, std::size_t{60});
        QCOMPARE(r->labels.size(), 60);
        QCOMPARE(r->failed, std::size_t{0});
        for (std::size_t i = 0; i < 60; ++i) {
            QCOMPARE(r->matrix.at(i, i), 1.0f);
            QCOMPARE(r->labels[int(i)], QString::fromStdString(f.dataset->note(r->notes[i]).noteStr));
            QCOMPARE(r->keys[i].instrument, f.dataset->note(r->notes[i]).instrument);
            for (std::size_t j = 0; j < 60; ++j) {
                QCOMPARE(r->matrix.at(i, j), r->matrix.at(j, i));
                QVERIFY(r->matrix.at(i, j) >= -1.0001f && r->matrix.at(i, j) <= 1.0001f);
            }
        }

        // Again: everything comes from the cache.
        f.service.compute(notes);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
        QCOMPARE(f.service.result()->fromCache, std::size_t{60});
    }

    void cancelFromTheDockStopsEncoding()
    {
        ServiceFixture f;
        f.service.setDataset(f.dataset);
        f.service.setModel(loadTiny());
        const std::vector<std::size_t> notes = f.allNotes();
        QSignalSpy cancelled(&f.service, &CorrelationService::cancelled);
        QSignalSpy finished(&f.service, &CorrelationService::finished);
        QSignalSpy added(&f.jobs, &BackgroundJobs::jobAdded);
        f.service.compute(notes);
        f.jobs.cancel(added.at(0).at(0).toInt()); // what the dock's Cancel button does
        QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, 60000);
        QCOMPARE(finished.count(), 0);
        QCOMPARE(f.jobs.count(), 0);
        QVERIFY(!f.service.busy());
    }

    void panelTurnsAClickIntoAPairOfNotes()
    {
        ServiceFixture f;
        CorrelationPanel panel(&f.service);
        panel.resize(1000, 700);
        panel.show();
        f.service.setDataset(f.dataset);
        f.service.setModel(loadTiny());
        panel.setDataset(f.dataset);
        NoteQuery q;
        q.pitchMin = q.pitchMax = 60;
        q.family = 0; // bass: 9 notes in this set
        panel.setQuery(q, QStringLiteral("bass at pitch 60"));
        panel.compute();
        QSignalSpy finished(&f.service, &CorrelationService::finished);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        const auto r = f.service.result();
        const std::size_t n = f.dataset->query(q).size();
        QCOMPARE(r->notes.size(), n);
        QCOMPARE(panel.view()->size(), int(n));
        QVERIFY(panel.statusText().contains(QStringLiteral("%1 notes").arg(n)));
        for (std::size_t k = 0; k < n; ++k) QCOMPARE(f.dataset->note(r->notes[k]).family, 0);

        QSignalSpy chosen(&panel, &CorrelationPanel::pairChosen);
        panel.view()->replot();
        QTest::mouseClick(panel.view(), Qt::LeftButton, {}, panel.view()->cellCenter(1, 4).toPoint());
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.at(0).at(0).value<std::size_t>(), r->notes[1]);
        QCOMPARE(chosen.at(0).at(1).value<std::size_t>(), r->notes[4]);
        // The diagonal is no pair.
        QTest::mouseClick(panel.view(), Qt::LeftButton, {}, panel.view()->cellCenter(2, 2).toPoint());
        QCOMPARE(chosen.count(), 1);
        // The lowest pair of the list (double-click) is a pair too.
        panel.pairList()->activateRow(0);
        QCOMPARE(chosen.count(), 2);
        const RankedPair& low = panel.pairList()->pair(0);
        QCOMPARE(chosen.at(1).at(0).value<std::size_t>(), r->notes[low.a]);
        // Showing the pair frames it in the matrix.
        panel.showPair(r->notes[low.a], r->notes[low.b]);
        QCOMPARE(panel.view()->selectedCell(), std::make_optional(std::make_pair(int(low.a), int(low.b))));
        // Max notes thins the set evenly.
        panel.setMaxNotes(4);
        panel.compute();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
        QCOMPARE(f.service.result()->notes.size(), std::size_t{4});
    }
};

QTEST_MAIN(TestCorrelationPanel)
#include "test_correlation_panel.moc"
