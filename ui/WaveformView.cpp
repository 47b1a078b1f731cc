#include "WaveformView.h"

#include <algorithm>

namespace morph::ui {

WaveformView::WaveformView(QWidget* parent) : QCustomPlot(parent)
{
    setObjectName(QStringLiteral("waveformView"));
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    axisRect()->setRangeZoom(Qt::Horizontal);
    axisRect()->setRangeDrag(Qt::Horizontal);
    graph_ = addGraph();
    graph_->setPen(QPen(QColor(70, 130, 200), 1.0));
    graph_->setAdaptiveSampling(true);
    yAxis->setRange(-1.0, 1.0);
    yAxis->ticker()->setTickCount(3);
    yAxis->setLabel(tr("Amplitude"));
    xAxis->setTickLabels(false); // the spectrogram below carries the time labels
    playhead_ = new QCPItemStraightLine(this);
    playhead_->setPen(QPen(QColor(230, 60, 60), 1.5));
    playhead_->setVisible(false);
    connect(xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this](const QCPRange& r) {
        if (settingRange_) return;
        if (duration_ > 0.0) {
            // Keep the view on the note.
            QCPRange c = r;
            if (c.size() > duration_) c = QCPRange(0.0, duration_);
            if (c.lower < 0.0) c = QCPRange(0.0, c.size());
            if (c.upper > duration_) c = QCPRange(duration_ - c.size(), duration_);
            if (c != r) {
                settingRange_ = true;
                xAxis->setRange(c);
                settingRange_ = false;
            }
        }
        emit timeRangeChanged(xAxis->range().lower, xAxis->range().upper);
    });
    connect(this, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent*) {
        if (duration_ > 0.0) xAxis->setRange(0.0, duration_);
        replot(rpQueuedReplot);
    });
    clearAudio();
}

void WaveformView::setAudio(const std::vector<float>& samples, int sampleRate)
{
    QVector<double> keys(static_cast<int>(samples.size()));
    QVector<double> values(static_cast<int>(samples.size()));
    float peak = 0.f;
    for (int i = 0; i < keys.size(); ++i) {
        keys[i] = static_cast<double>(i) / sampleRate;
        values[i] = samples[static_cast<std::size_t>(i)];
        peak = std::max(peak, std::abs(samples[static_cast<std::size_t>(i)]));
    }
    graph_->setData(keys, values, true);
    duration_ = sampleRate > 0 ? static_cast<double>(samples.size()) / sampleRate : 0.0;
    const double y = std::max(0.05, std::min(1.0, peak * 1.1));
    yAxis->setRange(-y, y);
    settingRange_ = true;
    xAxis->setRange(0.0, std::max(duration_, 1e-3));
    settingRange_ = false;
    replot(rpQueuedReplot);
}

void WaveformView::clearAudio()
{
    graph_->data()->clear();
    duration_ = 0.0;
    playhead_->setVisible(false);
    settingRange_ = true;
    xAxis->setRange(0.0, 4.0);
    settingRange_ = false;
    replot(rpQueuedReplot);
}

void WaveformView::setTimeRange(double lo, double hi)
{
    settingRange_ = true;
    xAxis->setRange(lo, hi);
    settingRange_ = false;
    replot(rpQueuedReplot);
}

void WaveformView::setPlayhead(double seconds)
{
    const bool show = seconds >= 0.0 && duration_ > 0.0;
    playhead_->setVisible(show);
    if (show) {
        playhead_->point1->setCoords(seconds, -1.0);
        playhead_->point2->setCoords(seconds, 1.0);
    }
    replot(rpQueuedReplot);
}

int WaveformView::pointCount() const { return graph_->dataCount(); }

} // namespace morph::ui
