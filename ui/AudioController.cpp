#include "AudioController.h"

#include "util/Errors.h"

#include <QSettings>

namespace morph::ui {

AudioSettings AudioSettings::load()
{
    QSettings s;
    AudioSettings a;
    a.api = s.value(QStringLiteral("audio/api")).toString();
    a.device = s.value(QStringLiteral("audio/device")).toString();
    a.bufferFrames = s.value(QStringLiteral("audio/bufferFrames"), 512).toInt();
    a.volume = s.value(QStringLiteral("audio/volume"), 0.8).toDouble();
    return a;
}

void AudioSettings::save() const
{
    QSettings s;
    s.setValue(QStringLiteral("audio/api"), api);
    s.setValue(QStringLiteral("audio/device"), device);
    s.setValue(QStringLiteral("audio/bufferFrames"), bufferFrames);
    s.setValue(QStringLiteral("audio/volume"), volume);
}

AudioController::AudioController(QObject* parent) : QObject(parent)
{
    poll_.setInterval(30);
    connect(&poll_, &QTimer::timeout, this, &AudioController::poll);
}

AudioController::~AudioController() { output_.close(); }

bool AudioController::apply(const AudioSettings& settings)
{
    settings_ = settings;
    settings_.save();
    audio::AudioOutputConfig config;
    config.api = settings.api.toStdString();
    config.deviceName = settings.device.toStdString();
    config.bufferFrames = static_cast<unsigned>(std::max(16, settings.bufferFrames));
    output_.setVolume(static_cast<float>(settings.volume));
    const bool ok = output_.tryOpen(config);
    emit availabilityChanged(ok, statusText());
    return ok;
}

QString AudioController::statusText() const { return QString::fromStdString(output_.description()); }

bool AudioController::play(std::vector<float> samples, int sampleRate, bool loop)
{
    if (!output_.available()) return false;
    try {
        output_.play(std::move(samples), sampleRate, loop);
    } catch (const morph::Error& e) { // bad rate, resampling failure: tell the user, keep going
        emit playbackFailed(QString::fromStdString(e.what()));
        return false;
    }
    wasPlaying_ = true;
    poll_.start();
    emit playbackStarted();
    return true;
}

void AudioController::stop()
{
    output_.stop();
    poll();
}

void AudioController::setVolume(double volume)
{
    settings_.volume = volume;
    output_.setVolume(static_cast<float>(volume));
    QSettings().setValue(QStringLiteral("audio/volume"), volume);
}

void AudioController::poll()
{
    const bool playing = output_.isPlaying();
    emit positionChanged(playing ? output_.positionSeconds() : -1.0);
    if (wasPlaying_ && !playing) {
        wasPlaying_ = false;
        poll_.stop();
        emit playbackStopped();
    }
}

} // namespace morph::ui
