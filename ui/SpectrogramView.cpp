#include "SpectrogramView.h"

#include <algorithm>
#include <cmath>

namespace morph::ui {

namespace {

constexpr int kWarpedRows = 512; // display rows for log/mel axes

/// A perceptually ordered dark-to-bright gradient (close to matplotlib's "magma").
QCPColorGradient spectrogramGradient()
{
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.00, QColor(0, 0, 4));
    g.setColorStopAt(0.20, QColor(40, 11, 84));
    g.setColorStopAt(0.40, QColor(101, 21, 110));
    g.setColorStopAt(0.60, QColor(159, 42, 99));
    g.setColorStopAt(0.75, QColor(212, 72, 66));
    g.setColorStopAt(0.88, QColor(245, 125, 21));
    g.setColorStopAt(1.00, QColor(252, 255, 164));
    g.setLevelCount(256);
    return g;
}

/// Ticks at round Hz values on a warped axis, labelled in Hz/kHz.
class FrequencyTicker : public QCPAxisTicker {
public:
    explicit FrequencyTicker(FrequencyAxis axis) : axis_(axis) {}

protected:
    QVector<double> createTickVector(double, const QCPRange& range) override
    {
        QVector<double> ticks;
        const double lo = unwarpFrequency(axis_, range.lower);
        const double hi = unwarpFrequency(axis_, range.upper);
        for (double hz : niceFrequencyTicks(axis_, std::max(0.0, lo), hi, tickCount() + 2))
            ticks.push_back(warpFrequency(axis_, hz));
        return ticks;
    }
    QVector<double> createSubTickVector(int, const QVector<double>&) override { return {}; }
    QString getTickLabel(double tick, const QLocale&, QChar, int) override
    {
        const double hz = unwarpFrequency(axis_, tick);
        if (hz >= 1000.0) {
            const double k = hz / 1000.0;
            return std::abs(k - std::round(k)) < 1e-6 ? QStringLiteral("%1k").arg(std::round(k))
                                                      : QStringLiteral("%1k").arg(k, 0, 'f', 1);
        }
        return QString::number(std::round(hz));
    }

private:
    FrequencyAxis axis_;
};

} // namespace

SpectrogramView::SpectrogramView(QWidget* parent) : QCustomPlot(parent)
{
    setObjectName(QStringLiteral("spectrogramView"));
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    axisRect()->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    axisRect()->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    xAxis->setLabel(tr("Time (s)"));
    yAxis->setLabel(tr("Frequency (Hz)"));

    map_ = new QCPColorMap(xAxis, yAxis);
    map_->setInterpolate(false);
    map_->setTightBoundary(false);
    scale_ = new QCPColorScale(this);
    scale_->setType(QCPAxis::atRight);
    scale_->axis()->setLabel(tr("dB"));
    scale_->setBarWidth(12);
    plotLayout()->addElement(0, 1, scale_);
    map_->setColorScale(scale_);
    map_->setGradient(spectrogramGradient());
    map_->setDataRange(QCPRange(-80.0, 0.0));
    auto* margins = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);

    playhead_ = new QCPItemStraightLine(this);
    playhead_->setPen(QPen(QColor(80, 220, 255), 1.5));
    playhead_->setVisible(false);

    message_ = new QCPItemText(this);
    message_->position->setType(QCPItemPosition::ptAxisRectRatio);
    message_->position->setCoords(0.5, 0.5);
    message_->setColor(palette().color(QPalette::WindowText));
    message_->setText(tr("Select a note to see its spectrogram"));

    connect(xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this](const QCPRange& r) {
        if (settingRange_) return;
        clampRanges();
        emit timeRangeChanged(xAxis->range().lower, xAxis->range().upper);
        (void)r;
    });
    connect(yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this](const QCPRange&) {
        if (!settingRange_) clampRanges();
    });
    connect(this, &QCustomPlot::mouseMove, this, &SpectrogramView::onMouseMove);
    connect(this, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent*) { resetView(); });
    setFrequencyAxis(FrequencyAxis::Linear);
    clearSpectrogram();
}

void SpectrogramView::setSpectrogram(std::shared_ptr<const SpectrogramData> data)
{
    data_ = std::move(data);
    message_->setVisible(false);
    rebuildImage();
    resetView();
}

void SpectrogramView::clearSpectrogram()
{
    data_.reset();
    map_->data()->clear();
    message_->setVisible(true);
    playhead_->setVisible(false);
    settingRange_ = true;
    xAxis->setRange(0, 4);
    yAxis->setRange(warpFrequency(axis_, axisMinimumHz(axis_, 15.625)), warpFrequency(axis_, 8000));
    settingRange_ = false;
    replot(rpQueuedReplot);
}

void SpectrogramView::setFrequencyAxis(FrequencyAxis axis)
{
    axis_ = axis;
    yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new FrequencyTicker(axis)));
    yAxis->ticker()->setTickCount(8);
    if (data_) {
        rebuildImage();
        settingRange_ = true;
        yAxis->setRange(map_->data()->valueRange());
        settingRange_ = false;
    } else {
        clearSpectrogram();
    }
    replot(rpQueuedReplot);
}

void SpectrogramView::rebuildImage()
{
    if (!data_) return;
    const SpectrogramData& s = *data_;
    const double binHz = s.binHz();
    const int rows = axis_ == FrequencyAxis::Linear ? s.bins : kWarpedRows;
    std::vector<float> warped;
    const std::vector<float>* src = &s.db;
    if (axis_ != FrequencyAxis::Linear) {
        warped = resampleToAxis(s.db, s.frames, s.bins, binHz, axis_, rows);
        src = &warped;
    }
    const double t1 = s.frameSeconds(std::max(0, s.frames - 1));
    const double f0 = warpFrequency(axis_, axisMinimumHz(axis_, binHz));
    const double f1 = warpFrequency(axis_, (s.bins - 1) * binHz);
    auto* grid = new QCPColorMapData(s.frames, rows, QCPRange(0.0, t1), QCPRange(f0, f1));
    for (int f = 0; f < s.frames; ++f) {
        const float* column = src->data() + static_cast<std::size_t>(f) * rows;
        for (int r = 0; r < rows; ++r) grid->setCell(f, r, column[r]);
    }
    map_->setData(grid, false); // the map takes ownership
    map_->setDataRange(QCPRange(s.floorDb, 0.0));
}

void SpectrogramView::setTimeRange(double lo, double hi)
{
    settingRange_ = true;
    xAxis->setRange(lo, hi);
    settingRange_ = false;
    replot(rpQueuedReplot);
}

void SpectrogramView::setPlayhead(double seconds)
{
    const bool show = seconds >= 0.0 && data_;
    playhead_->setVisible(show);
    if (show) {
        playhead_->point1->setCoords(seconds, 0.0);
        playhead_->point2->setCoords(seconds, 1.0);
    }
    replot(rpQueuedReplot);
}

void SpectrogramView::resetView()
{
    settingRange_ = true;
    if (data_) {
        map_->rescaleAxes();
        const QCPRange keys = map_->data()->keyRange();
        xAxis->setRange(keys.lower, keys.upper);
        yAxis->setRange(map_->data()->valueRange());
    }
    settingRange_ = false;
    emit timeRangeChanged(xAxis->range().lower, xAxis->range().upper);
    replot(rpQueuedReplot);
}

void SpectrogramView::clampRanges()
{
    if (!data_) return;
    // Keep the view on the data: no panning into empty space, no zooming out beyond it.
    const QCPRange keys = map_->data()->keyRange();
    const QCPRange values = map_->data()->valueRange();
    auto clamp = [](QCPAxis* axis, const QCPRange& bounds) {
        QCPRange r = axis->range();
        const double span = std::min(r.size(), bounds.size());
        if (r.size() > bounds.size()) r = bounds;
        if (r.lower < bounds.lower) r = QCPRange(bounds.lower, bounds.lower + span);
        if (r.upper > bounds.upper) r = QCPRange(bounds.upper - span, bounds.upper);
        if (r != axis->range()) axis->setRange(r);
    };
    settingRange_ = true;
    clamp(xAxis, keys);
    clamp(yAxis, values);
    settingRange_ = false;
}

QString SpectrogramView::readoutAt(const QPointF& pixel) const
{
    if (!data_ || !axisRect()->rect().contains(pixel.toPoint())) return {};
    const SpectrogramData& s = *data_;
    const double t = xAxis->pixelToCoord(pixel.x());
    const double hz = unwarpFrequency(axis_, yAxis->pixelToCoord(pixel.y()));
    const int frame = static_cast<int>(std::lround(t * s.sampleRate / s.hop));
    const int bin = static_cast<int>(std::lround(hz / s.binHz()));
    if (frame < 0 || frame >= s.frames || bin < 0 || bin >= s.bins) return {};
    return tr("t = %1 s   f = %2 Hz (bin %3)   %4 dB")
        .arg(t, 0, 'f', 3)
        .arg(hz, 0, 'f', 0)
        .arg(bin)
        .arg(s.at(frame, bin), 0, 'f', 1);
}

void SpectrogramView::onMouseMove(QMouseEvent* event) { emit cursorReadout(readoutAt(event->position())); }

} // namespace morph::ui
