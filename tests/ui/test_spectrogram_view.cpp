// SpectrogramView with a synthetic spectrogram whose values are known: the cursor readout at a
// pixel reports that cell's time, frequency and dB; axis modes keep the data range; zoom/pan
// stay on the data; the playhead shows only with data.
#include "SpectrogramView.h"

#include <QtTest>

#include <memory>

using namespace morph::ui;

class TestSpectrogramView : public QObject {
    Q_OBJECT
private:
    static std::shared_ptr<SpectrogramData> ramp()
    {
        auto s = std::make_shared<SpectrogramData>();
        s->bins = 513;
        s->frames = 126;
        s->db.resize(static_cast<std::size_t>(s->bins) * s->frames);
        // value = -(bin % 80): every cell's dB identifies its bin.
        for (int f = 0; f < s->frames; ++f)
            for (int b = 0; b < s->bins; ++b) s->db[static_cast<std::size_t>(f) * s->bins + b] = -float(b % 80);
        return s;
    }

private slots:
    void readoutReportsTheCellUnderTheCursor()
    {
        SpectrogramView v;
        v.resize(800, 400);
        v.setSpectrogram(ramp());
        v.replot();
        for (FrequencyAxis axis : {FrequencyAxis::Linear, FrequencyAxis::Log, FrequencyAxis::Mel}) {
            v.setFrequencyAxis(axis);
            v.replot();
            // 1 s and 1000 Hz (bin 64) -> frame 31.25 -> 31, dB = -64.
            const double x = v.xAxis->coordToPixel(1.0);
            const double y = v.yAxis->coordToPixel(warpFrequency(axis, 1000.0));
            const QString text = v.readoutAt(QPointF(x, y));
            QVERIFY2(text.contains(QStringLiteral("bin 64")), qPrintable(text));
            QVERIFY2(text.contains(QStringLiteral("-64.0 dB")), qPrintable(text));
            QVERIFY2(text.contains(QStringLiteral("t = 1.0")), qPrintable(text));
        }
        QVERIFY(v.readoutAt(QPointF(-5, -5)).isEmpty());
    }

    void viewStaysOnTheData()
    {
        SpectrogramView v;
        v.resize(800, 400);
        v.setSpectrogram(ramp());
        const double end = 125 * 512 / 16000.0;
        QCOMPARE(v.xAxis->range().lower, 0.0);
        QVERIFY(std::abs(v.xAxis->range().upper - end) < 1e-9);
        v.xAxis->setRange(-10.0, 100.0); // zoomed out past the data -> clamped
        QCOMPARE(v.xAxis->range().lower, 0.0);
        QVERIFY(std::abs(v.xAxis->range().upper - end) < 1e-9);
        v.xAxis->setRange(3.5, 4.5); // panned past the end -> moved back, width kept
        QVERIFY(std::abs(v.xAxis->range().upper - end) < 1e-9);
        QVERIFY(std::abs(v.xAxis->range().size() - 1.0) < 1e-9);
        v.resetView();
        QCOMPARE(v.xAxis->range().lower, 0.0);
    }

    void emptyViewAndPlayhead()
    {
        SpectrogramView v;
        QVERIFY(v.spectrogram() == nullptr);
        QVERIFY(v.readoutAt(QPointF(100, 100)).isEmpty());
        v.setSpectrogram(ramp());
        QVERIFY(v.spectrogram() != nullptr);
        v.clearSpectrogram();
        QVERIFY(v.spectrogram() == nullptr);
    }
};

QTEST_MAIN(TestSpectrogramView)
#include "test_spectrogram_view.moc"
