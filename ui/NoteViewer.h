#pragma once
// One note on screen: a header line (note and metadata), the waveform above the spectrogram
// (time ranges kept in step, shared playhead), the frequency-axis choice and the cursor readout.
// Thread contract: GUI thread only.
#include "FrequencyScale.h"
#include "NoteData.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;

namespace morph::ui {

class SpectrogramView;
class WaveformView;

class NoteViewer : public QWidget {
    Q_OBJECT
public:
    explicit NoteViewer(QWidget* parent = nullptr);

    void setNote(std::shared_ptr<const AnalysedNote> note);
    /// Shows a message instead of a note ("Loading…", an error).
    void showMessage(const QString& text);
    std::shared_ptr<const AnalysedNote> note() const { return note_; }
    void setPlayhead(double seconds);
    void setFrequencyAxis(FrequencyAxis axis);

    SpectrogramView* spectrogramView() const { return spectrogram_; }
    WaveformView* waveformView() const { return waveform_; }

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void alignPlots();

    std::shared_ptr<const AnalysedNote> note_;
    std::shared_ptr<const SpectrogramData> spectrogramData_;
    QLabel* title_ = nullptr;
    QLabel* readout_ = nullptr;
    QComboBox* axis_ = nullptr;
    WaveformView* waveform_ = nullptr;
    SpectrogramView* spectrogram_ = nullptr;
};

} // namespace morph::ui
