#pragma once
// Spectrogram plot: QCPColorMap of dB values with a colour bar, time in seconds, frequency in
// Hz on a linear, log or mel axis (display warping, see FrequencyScale.h), mouse-wheel zoom and
// drag pan (double-click resets), a playhead, and a cursor readout (time, frequency, dB).
// Thread contract: GUI thread only.
#include "FrequencyScale.h"
#include "NoteData.h"

#include <qcustomplot.h>

#include <memory>

namespace morph::ui {

class SpectrogramView : public QCustomPlot {
    Q_OBJECT
public:
    explicit SpectrogramView(QWidget* parent = nullptr);

    void setSpectrogram(std::shared_ptr<const SpectrogramData> data);
    void clearSpectrogram();
    const SpectrogramData* spectrogram() const { return data_.get(); }

    void setFrequencyAxis(FrequencyAxis axis);
    FrequencyAxis frequencyAxis() const { return axis_; }

    /// Visible time range (seconds); emits no timeRangeChanged.
    void setTimeRange(double lo, double hi);
    void setPlayhead(double seconds); ///< < 0 hides it
    void resetView();

    /// "t = 1.234 s   f = 440 Hz   -23.4 dB" for a point in widget pixels; empty outside the data.
    QString readoutAt(const QPointF& pixel) const;

signals:
    void timeRangeChanged(double lo, double hi);
    void cursorReadout(const QString& text);

private:
    void rebuildImage();
    void clampRanges();
    void onMouseMove(QMouseEvent* event);

    std::shared_ptr<const SpectrogramData> data_;
    FrequencyAxis axis_ = FrequencyAxis::Linear;
    QCPColorMap* map_ = nullptr;
    QCPColorScale* scale_ = nullptr;
    QCPItemStraightLine* playhead_ = nullptr;
    QCPItemText* message_ = nullptr;
    bool settingRange_ = false;
};

} // namespace morph::ui
