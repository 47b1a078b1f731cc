// FrequencyScale: warping round trips, the resampling of bins onto warped rows (a known peak
// lands on the row of its frequency), and tick choices.
#include "FrequencyScale.h"

#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace morph::ui;

class TestFrequencyScale : public QObject {
    Q_OBJECT
private slots:
    void warpRoundTrips()
    {
        for (FrequencyAxis a : {FrequencyAxis::Linear, FrequencyAxis::Log, FrequencyAxis::Mel})
            for (double hz : {20.0, 100.0, 440.0, 1000.0, 7999.0})
                QVERIFY(std::abs(unwarpFrequency(a, warpFrequency(a, hz)) - hz) < 1e-6 * hz);
        QVERIFY(std::abs(warpFrequency(FrequencyAxis::Mel, 1000.0) - 1000.0) < 0.5); // HTK: 1 kHz ~ 1000 mel
        QCOMPARE(warpFrequency(FrequencyAxis::Log, 1024.0), 10.0);
    }

    void resampledPeakStaysAtItsFrequency()
    {
        const int frames = 3, bins = 513;
        const double binHz = 15.625;
        std::vector<float> db(static_cast<std::size_t>(frames) * bins, -80.f);
        const int peakBin = 64; // 1000 Hz
        for (int f = 0; f < frames; ++f) db[static_cast<std::size_t>(f) * bins + peakBin] = 0.f;
        for (FrequencyAxis a : {FrequencyAxis::Log, FrequencyAxis::Mel}) {
            const int rows = 512;
            const std::vector<float> out = resampleToAxis(db, frames, bins, binHz, a, rows);
            QCOMPARE(out.size(), std::size_t(frames * rows));
            const auto peak = std::max_element(out.begin(), out.begin() + rows) - out.begin();
            QCOMPARE(out[static_cast<std::size_t>(peak)], 0.f);
            const double lo = warpFrequency(a, axisMinimumHz(a, binHz));
            const double hi = warpFrequency(a, (bins - 1) * binHz);
            const double hz = unwarpFrequency(a, lo + peak * (hi - lo) / (rows - 1));
            QVERIFY2(std::abs(hz - 1000.0) < binHz, qPrintable(QString::number(hz)));
            // Rows that span several bins keep narrow peaks (max), so the high region still shows
            // a peak put at bin 500 (7812.5 Hz) on the log axis.
        }
        db.assign(db.size(), -80.f);
        db[500] = -3.f;
        const std::vector<float> log = resampleToAxis(db, frames, bins, binHz, FrequencyAxis::Log, 64);
        QCOMPARE(*std::max_element(log.begin(), log.begin() + 64), -3.f);
    }

    void ticks()
    {
        const auto log = niceFrequencyTicks(FrequencyAxis::Log, 15.625, 8000.0, 12);
        QVERIFY(std::find(log.begin(), log.end(), 100.0) != log.end());
        QVERIFY(std::find(log.begin(), log.end(), 1000.0) != log.end());
        QVERIFY(std::all_of(log.begin(), log.end(), [](double t) { return t >= 15.625 && t <= 8000.0; }));
        const auto lin = niceFrequencyTicks(FrequencyAxis::Linear, 0.0, 8000.0, 8);
        QCOMPARE(lin.front(), 0.0);
        QCOMPARE(lin.back(), 8000.0);
        QVERIFY(lin.size() <= 9);
        const auto mel = niceFrequencyTicks(FrequencyAxis::Mel, 0.0, 8000.0, 6);
        QVERIFY(mel.size() <= 8 && mel.size() >= 3);
    }
};

QTEST_MAIN(TestFrequencyScale)
#include "test_frequency_scale.moc"
