#pragma once
// Audio playback over RtAudio (pulse / alsa / jack), with no Qt.
//
// Thread contract (three threads are involved):
//  - CONTROL thread (one at a time, normally the GUI thread): open(), tryOpen(), close(),
//    play(), stop(), setLoop(), setVolume(). These may block briefly (device open/close, a
//    mutex shared only with the feeder) and may allocate; never call them from the audio thread.
//  - Any thread: available(), volume(), loop(), isPlaying(), position*(), length*(),
//    framesRendered(), callbackCount(), underflowCount(), description(), lastError() (the last
//    two copy a string under a mutex), listDevices() (static; probes the system, may take some
//    milliseconds).
//  - FEEDER thread (private, non-real-time): takes the buffer handed over by play(), copies it
//    into a lock-free SPSC ring buffer as space frees up (looping if asked) and frees old buffers.
//  - AUDIO thread (RtAudio's callback): ONLY reads the ring buffer, applies the atomic volume and
//    publishes atomic counters. When data is short it zero-fills. It never locks, allocates, logs
//    or throws.
// stop() and a new play() discard queued audio without a handshake: the feeder publishes the
// absolute ring position where the new material starts, and the callback skips to it.
//
// With no usable device, open() throws AudioDeviceError (with a message a user can act on) and
// available() stays false; play() then throws AudioDeviceError, everything else is a no-op, so
// the rest of the application keeps working without sound.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace morph::audio {

/// One output device as RtAudio reports it.
struct AudioDeviceInfo {
    std::string api;            ///< RtAudio short API name: "pulse", "alsa", "jack"
    std::string apiDisplayName; ///< e.g. "PulseAudio"
    std::string name;           ///< device name (stable across runs; used to remember a choice)
    unsigned index = 0;         ///< RtAudio device index within its API (not stable)
    unsigned outputChannels = 0;
    unsigned preferredSampleRate = 0;
    std::vector<unsigned> sampleRates;
    bool isDefault = false;     ///< the default output device of its API
};

struct AudioOutputConfig {
    std::string api;                 ///< "" = first API with an output device (pulse, alsa, jack)
    std::string deviceName;          ///< "" = that API's default output device
    unsigned sampleRate = 16000;     ///< requested stream rate; the device's rate is used if unsupported
    unsigned bufferFrames = 512;     ///< requested callback size (the driver may change it)
};

class AudioOutput {
public:
    AudioOutput();
    ~AudioOutput(); ///< stops and closes the stream, joins the feeder
    AudioOutput(const AudioOutput&) = delete;
    AudioOutput& operator=(const AudioOutput&) = delete;

    /// All output devices of all compiled APIs (empty when there is no sound system).
    static std::vector<AudioDeviceInfo> listDevices();

    /// Opens (or re-opens) the stream and starts it, outputting silence until play().
    /// Throws AudioDeviceError; on failure available() is false and lastError() holds the message.
    void open(const AudioOutputConfig& config = {});
    /// open() that reports failure by return value (lastError() says why).
    bool tryOpen(const AudioOutputConfig& config = {});
    void close();

    bool available() const;
    std::string lastError() const;
    /// "PulseAudio: Null Output, 16000 Hz, 512 frames" when open, else the error.
    std::string description() const;
    unsigned streamSampleRate() const;
    unsigned streamBufferFrames() const;
    const AudioOutputConfig& config() const;

    /// Plays mono samples at `sampleRate` (resampled to the stream rate on this thread if they
    /// differ), replacing whatever plays now, from sample `startSample` of the new buffer (live
    /// morphing swaps in a new render where the old one was). Throws AudioDeviceError when no
    /// device is open.
    void play(std::vector<float> samples, int sampleRate, bool loop = false, std::size_t startSample = 0);
    void stop();
    void setLoop(bool loop);
    bool loop() const;
    void setVolume(float volume); ///< clamped to [0, 1]
    float volume() const;

    /// True from play() until the callback has consumed the last sample (never ends if looping).
    bool isPlaying() const;
    /// Playback position in samples of the buffer given to play() (wraps when looping).
    std::size_t positionSamples() const;
    double positionSeconds() const;
    std::size_t lengthSamples() const;

    /// Frames of real (non-silence) audio the callback took from the ring buffer, ever.
    std::uint64_t framesRendered() const;
    std::uint64_t callbackCount() const;
    std::uint64_t underflowCount() const; ///< driver-reported output underflows

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// True on the audio thread while AudioOutput's callback runs, else false. Lets a test count
/// allocations made inside the callback (tests/core/test_audio_realtime.cpp); real-time safe.
bool insideAudioCallback() noexcept;

} // namespace morph::audio
