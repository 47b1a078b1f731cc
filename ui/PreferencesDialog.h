#pragma once
// Preferences: audio output device (all devices RtAudio lists, or automatic), buffer size and
// volume. Returns the chosen AudioSettings; the caller applies them.
// Thread contract: GUI thread only.
#include "AudioController.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QSlider;

namespace morph::ui {

class PreferencesDialog : public QDialog {
    Q_OBJECT
public:
    PreferencesDialog(const AudioSettings& current, const QString& audioStatus, QWidget* parent = nullptr);
    AudioSettings settings() const;

signals:
    /// Emitted live while the volume slider moves (0..1).
    void volumeChanged(double volume);

private:
    void populateDevices(const AudioSettings& current);

    QComboBox* device_ = nullptr;
    QComboBox* buffer_ = nullptr;
    QSlider* volume_ = nullptr;
    QLabel* volumeLabel_ = nullptr;
};

} // namespace morph::ui
