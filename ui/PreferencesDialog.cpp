#include "PreferencesDialog.h"

#include "audio/AudioOutput.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QVBoxLayout>

namespace morph::ui {

PreferencesDialog::PreferencesDialog(const AudioSettings& current, const QString& audioStatus, QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Preferences"));
    auto* group = new QGroupBox(tr("Audio output"));
    auto* form = new QFormLayout(group);

    device_ = new QComboBox;
    device_->setObjectName(QStringLiteral("audioDevice"));
    populateDevices(current);
    form->addRow(tr("Device:"), device_);

    buffer_ = new QComboBox;
    buffer_->setObjectName(QStringLiteral("bufferSize"));
    for (int frames : {64, 128, 256, 512, 1024, 2048, 4096})
        buffer_->addItem(tr("%1 frames (%2 ms at 16 kHz)").arg(frames).arg(frames / 16.0, 0, 'f', 1), frames);
    const int bufferIndex = buffer_->findData(current.bufferFrames);
    buffer_->setCurrentIndex(bufferIndex >= 0 ? bufferIndex : buffer_->findData(512));
    form->addRow(tr("Buffer size:"), buffer_);

    auto* volumeRow = new QHBoxLayout;
    volume_ = new QSlider(Qt::Horizontal);
    volume_->setObjectName(QStringLiteral("volume"));
    volume_->setRange(0, 100);
    volume_->setValue(static_cast<int>(current.volume * 100.0 + 0.5));
    volumeLabel_ = new QLabel;
    volumeLabel_->setMinimumWidth(40);
    volumeRow->addWidget(volume_, 1);
    volumeRow->addWidget(volumeLabel_);
    form->addRow(tr("Volume:"), volumeRow);
    auto showVolume = [this](int v) { volumeLabel_->setText(QStringLiteral("%1 %").arg(v)); };
    showVolume(volume_->value());
    connect(volume_, &QSlider::valueChanged, this, [this, showVolume](int v) {
        showVolume(v);
        emit volumeChanged(v / 100.0);
    });

    auto* status = new QLabel(tr("Current: %1").arg(audioStatus));
    status->setWordWrap(true);
    form->addRow(status);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(group);
    layout->addWidget(buttons);
}

void PreferencesDialog::populateDevices(const AudioSettings& current)
{
    device_->addItem(tr("Automatic (default output)"), QStringList{QString(), QString()});
    for (const audio::AudioDeviceInfo& d : audio::AudioOutput::listDevices()) {
        const QString api = QString::fromStdString(d.api);
        const QString name = QString::fromStdString(d.name);
        QString label = QStringLiteral("%1: %2").arg(QString::fromStdString(d.apiDisplayName), name);
        if (d.isDefault) label += tr(" (default)");
        device_->addItem(label, QStringList{api, name});
    }
    if (device_->count() == 1) device_->setItemText(0, tr("Automatic (no output device found)"));
    const int index = device_->findData(QStringList{current.api, current.device});
    if (index >= 0) {
        device_->setCurrentIndex(index);
    } else if (!current.device.isEmpty()) {
        // The remembered device is gone (unplugged?): keep it selectable so the choice is not lost.
        device_->addItem(tr("%1: %2 (not found)").arg(current.api, current.device), QStringList{current.api, current.device});
        device_->setCurrentIndex(device_->count() - 1);
    }
}

AudioSettings PreferencesDialog::settings() const
{
    AudioSettings s;
    const QStringList apiAndName = device_->currentData().toStringList();
    s.api = apiAndName.value(0);
    s.device = apiAndName.value(1);
    s.bufferFrames = buffer_->currentData().toInt();
    s.volume = volume_->value() / 100.0;
    return s;
}

} // namespace morph::ui
