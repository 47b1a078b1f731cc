#pragma once
// Qt side of playback: owns the core AudioOutput, remembers the device settings in QSettings
// ("audio/api", "audio/device", "audio/bufferFrames", "audio/volume"), and while something
// plays polls the atomic playback position on a timer and emits it.
// With no usable device, available() is false and statusText() says why: the window shows that
// in its status bar and everything else keeps working.
//
// Thread contract: GUI thread only (the AudioOutput it owns has its own feeder/audio threads).
#include "audio/AudioOutput.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <vector>

namespace morph::ui {

struct AudioSettings {
    QString api;            ///< "" = automatic
    QString device;         ///< "" = default device of the API
    int bufferFrames = 512;
    double volume = 0.8;    ///< 0..1

    static AudioSettings load();  ///< from QSettings
    void save() const;
};

class AudioController : public QObject {
    Q_OBJECT
public:
    explicit AudioController(QObject* parent = nullptr);
    ~AudioController() override;

    /// (Re)opens the device with these settings (and stores them). Returns available().
    bool apply(const AudioSettings& settings);
    const AudioSettings& settings() const { return settings_; }

    bool available() const { return output_.available(); }
    QString statusText() const;

    /// Plays mono samples; returns false (and emits nothing) when no device is available.
    bool play(std::vector<float> samples, int sampleRate, bool loop = false);
    void stop();
    void setVolume(double volume);
    bool isPlaying() const { return output_.isPlaying(); }
    double positionSeconds() const { return output_.positionSeconds(); }

    audio::AudioOutput& output() { return output_; }

signals:
    void availabilityChanged(bool available, const QString& status);
    void positionChanged(double seconds);
    void playbackStarted();
    void playbackStopped();
    void playbackFailed(const QString& message);

private:
    void poll();

    audio::AudioOutput output_;
    AudioSettings settings_;
    QTimer poll_;
    bool wasPlaying_ = false;
};

} // namespace morph::ui
