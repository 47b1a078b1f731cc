#include "NoteViewer.h"

#include "SpectrogramView.h"
#include "WaveformView.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>
#include <QVBoxLayout>

namespace morph::ui {

NoteViewer::NoteViewer(QWidget* parent) : QWidget(parent)
{
    title_ = new QLabel(tr("No note selected"));
    title_->setObjectName(QStringLiteral("noteTitle"));
    title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    axis_ = new QComboBox;
    axis_->setObjectName(QStringLiteral("frequencyAxis"));
    for (FrequencyAxis a : {FrequencyAxis::Linear, FrequencyAxis::Log, FrequencyAxis::Mel})
        axis_->addItem(tr("%1 frequency").arg(QString::fromUtf8(frequencyAxisName(a))), static_cast<int>(a));
    auto* header = new QHBoxLayout;
    header->addWidget(title_, 1);
    header->addWidget(new QLabel(tr("Axis:")));
    header->addWidget(axis_);

    waveform_ = new WaveformView;
    spectrogram_ = new SpectrogramView;
    waveform_->setMinimumHeight(80);
    spectrogram_->setMinimumHeight(160);
    readout_ = new QLabel(QStringLiteral(" "));
    readout_->setObjectName(QStringLiteral("cursorReadout"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(2);
    layout->addLayout(header);
    layout->addWidget(waveform_, 1);
    layout->addWidget(spectrogram_, 3);
    layout->addWidget(readout_);

    // Waveform and spectrogram share the time axis (ranges kept in step both ways).
    connect(spectrogram_, &SpectrogramView::timeRangeChanged, waveform_, &WaveformView::setTimeRange);
    connect(waveform_, &WaveformView::timeRangeChanged, spectrogram_, &SpectrogramView::setTimeRange);
    connect(spectrogram_, &SpectrogramView::cursorReadout, this, [this](const QString& text) {
        readout_->setText(text.isEmpty() ? QStringLiteral(" ") : text);
    });
    connect(axis_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int) {
        const auto a = static_cast<FrequencyAxis>(axis_->currentData().toInt());
        spectrogram_->setFrequencyAxis(a);
        QSettings().setValue(QStringLiteral("view/frequencyAxis"), static_cast<int>(a));
    });
    const int saved = QSettings().value(QStringLiteral("view/frequencyAxis"), 0).toInt();
    setFrequencyAxis(static_cast<FrequencyAxis>(std::clamp(saved, 0, 2)));
}

void NoteViewer::setFrequencyAxis(FrequencyAxis axis)
{
    const int index = axis_->findData(static_cast<int>(axis));
    if (index >= 0 && index != axis_->currentIndex()) axis_->setCurrentIndex(index);
    spectrogram_->setFrequencyAxis(axis);
}

void NoteViewer::setNote(std::shared_ptr<const AnalysedNote> note)
{
    note_ = std::move(note);
    if (!note_) {
        showMessage(tr("No note selected"));
        return;
    }
    QString title = QStringLiteral("<b>%1</b>  %2").arg(note_->noteStr.toHtmlEscaped(), note_->details.toHtmlEscaped());
    if (!note_->adjustments.isEmpty())
        title += QStringLiteral("  <i>(%1)</i>").arg(note_->adjustments.join(QStringLiteral(", ")).toHtmlEscaped());
    title_->setText(title);
    waveform_->setAudio(note_->audio, note_->sampleRate);
    // Aliasing constructor: the spectrogram lives as long as the note.
    spectrogramData_ = std::shared_ptr<const SpectrogramData>(note_, &note_->spectrogram);
    spectrogram_->setSpectrogram(spectrogramData_);
    alignPlots();
}

void NoteViewer::alignPlots()
{
    // The spectrogram has frequency labels on the left and a colour bar on the right: give the
    // waveform's plot area the same horizontal extent so time lines up between the two.
    spectrogram_->replot();
    const QRect area = spectrogram_->axisRect()->rect();
    waveform_->axisRect()->setAutoMargins(QCP::msTop | QCP::msBottom);
    waveform_->axisRect()->setMargins(QMargins(area.left(), 0, spectrogram_->width() - area.right() - 1, 0));
    waveform_->replot();
}

void NoteViewer::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    alignPlots();
}

void NoteViewer::showMessage(const QString& text)
{
    title_->setText(text);
    waveform_->clearAudio();
    spectrogram_->clearSpectrogram();
}

void NoteViewer::setPlayhead(double seconds)
{
    waveform_->setPlayhead(seconds);
    spectrogram_->setPlayhead(seconds);
}

} // namespace morph::ui
