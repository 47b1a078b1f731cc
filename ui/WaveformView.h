#pragma once
// Waveform plot of one note (amplitude vs time in seconds) with a playhead; its time range is
// kept in step with the spectrogram below it by NoteViewer. Wheel zoom and drag pan on time.
// Thread contract: GUI thread only.
#include <qcustomplot.h>

#include <vector>

namespace morph::ui {

class WaveformView : public QCustomPlot {
    Q_OBJECT
public:
    explicit WaveformView(QWidget* parent = nullptr);

    void setAudio(const std::vector<float>& samples, int sampleRate);
    void clearAudio();
    void setTimeRange(double lo, double hi); ///< emits no timeRangeChanged
    void setPlayhead(double seconds);        ///< < 0 hides it
    int pointCount() const;

signals:
    void timeRangeChanged(double lo, double hi);

private:
    QCPGraph* graph_ = nullptr;
    QCPItemStraightLine* playhead_ = nullptr;
    double duration_ = 0.0;
    bool settingRange_ = false;
};

} // namespace morph::ui
