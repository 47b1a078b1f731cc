#include "audio/AudioOutput.h"

#include "audio/RingBuffer.h"
#include "dataset/AudioFile.h"
#include "util/Errors.h"

#include <rtaudio/RtAudio.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <sstream>
#include <thread>

namespace morph::audio {

namespace {

// Set for the duration of the callback on the audio thread (a plain thread_local bool in a static
// library: initial-exec TLS, no allocation on access).
thread_local bool tInsideCallback = false;

/// Marks the callback's extent on the audio thread (RAII, noexcept).
struct CallbackScope {
    CallbackScope() noexcept { tInsideCallback = true; }
    ~CallbackScope() { tInsideCallback = false; }
    CallbackScope(const CallbackScope&) = delete;
    CallbackScope& operator=(const CallbackScope&) = delete;
};

constexpr std::uint64_t kNoEnd = std::numeric_limits<std::uint64_t>::max();
constexpr std::size_t kMinRingFrames = 4096;     // >= 256 ms at 16 kHz
constexpr std::size_t kRingBuffersAhead = 8;     // ring holds this many callback buffers at least

/// Compiled APIs in the order we try them for "default": a sound server first (it shares the
/// device with other programs), then raw ALSA, then JACK (only when a JACK server runs).
std::vector<RtAudio::Api> apisInPreferenceOrder()
{
    std::vector<RtAudio::Api> compiled;
    RtAudio::getCompiledApi(compiled);
    const RtAudio::Api preferred[] = {RtAudio::LINUX_PULSE, RtAudio::LINUX_ALSA, RtAudio::UNIX_JACK};
    std::vector<RtAudio::Api> ordered;
    for (RtAudio::Api api : preferred)
        if (std::find(compiled.begin(), compiled.end(), api) != compiled.end()) ordered.push_back(api);
    for (RtAudio::Api api : compiled)
        if (api != RtAudio::RTAUDIO_DUMMY && std::find(ordered.begin(), ordered.end(), api) == ordered.end())
            ordered.push_back(api);
    return ordered;
}

std::string apiList(const std::vector<RtAudio::Api>& apis)
{
    std::string out;
    for (RtAudio::Api api : apis) {
        if (!out.empty()) out += ", ";
        out += RtAudio::getApiName(api);
    }
    return out;
}

/// Output devices of one API; RtAudio errors while probing a device skip that device.
std::vector<AudioDeviceInfo> probeApi(RtAudio& rt, RtAudio::Api api)
{
    std::vector<AudioDeviceInfo> devices;
    const unsigned count = rt.getDeviceCount();
    for (unsigned i = 0; i < count; ++i) {
        RtAudio::DeviceInfo info;
        try {
            info = rt.getDeviceInfo(i);
        } catch (const RtAudioError&) {
            continue; // a device that cannot be probed cannot be opened either; list the others
        }
        if (!info.probed || info.outputChannels == 0) continue;
        AudioDeviceInfo d;
        d.api = RtAudio::getApiName(api);
        d.apiDisplayName = RtAudio::getApiDisplayName(api);
        d.name = info.name;
        d.index = i;
        d.outputChannels = info.outputChannels;
        d.preferredSampleRate = info.preferredSampleRate;
        d.sampleRates = info.sampleRates;
        d.isDefault = info.isDefaultOutput;
        devices.push_back(std::move(d));
    }
    return devices;
}

} // namespace

struct AudioOutput::Impl {
    // ---- control-thread state -----------------------------------------------------------
    AudioOutputConfig config;
    std::unique_ptr<RtAudio> rt;
    unsigned streamRate = 0;
    unsigned streamFrames = 0;
    std::string deviceDescription;
    mutable std::mutex textMutex; // guards lastError and deviceDescription
    std::string lastError;

    // ---- shared with the audio callback (atomics; the ring is replaced only while closed) ---
    std::unique_ptr<SpscRingBuffer<float>> ring;
    unsigned channels = 1;
    std::atomic<std::uint64_t> skipTo{0};     // callback discards ring data before this
    std::atomic<std::uint64_t> genStart{0};   // ring position of sample 0 of the current buffer
    std::atomic<std::uint64_t> genEnd{0};     // ring position after its last sample (kNoEnd while writing)
    std::atomic<float> volume{1.f};
    std::atomic<std::uint64_t> rendered{0}, callbacks{0}, underflows{0};
    std::atomic<std::uint64_t> consumed{0};   // ring->totalRead() as published by the callback
    std::atomic<bool> open{false};

    // ---- position bookkeeping read by any thread ----------------------------------------
    std::atomic<std::size_t> streamLength{0};  // current buffer length in stream frames
    std::atomic<std::size_t> sourceLength{0};  // ... in samples of the buffer given to play()
    std::atomic<std::size_t> startOffset{0};   // stream frame of the buffer played first
    std::atomic<int> sourceRate{16000};
    std::atomic<bool> loop{false};

    // ---- feeder (producer side of the ring; whoever holds feedMutex is the producer) -----
    std::mutex feedMutex;
    std::condition_variable feedWake;
    std::vector<float> current;   // guarded by feedMutex
    std::size_t offset = 0;       // guarded by feedMutex
    bool writing = false;         // guarded by feedMutex
    bool quit = false;            // guarded by feedMutex
    std::chrono::milliseconds feedPeriod{10};
    std::thread feeder;

    static int callback(void* out, void* /*in*/, unsigned nFrames, double /*time*/,
                        RtAudioStreamStatus status, void* user)
    {
        // REAL-TIME: no locks, no allocation, no logging, no exceptions.
        const CallbackScope scope;
        auto* self = static_cast<Impl*>(user);
        self->callbacks.fetch_add(1, std::memory_order_relaxed);
        if (status & RTAUDIO_OUTPUT_UNDERFLOW) self->underflows.fetch_add(1, std::memory_order_relaxed);
        auto* o = static_cast<float*>(out);
        SpscRingBuffer<float>& r = *self->ring;
        r.skipTo(self->skipTo.load(std::memory_order_acquire));
        const std::size_t got = r.read(o, nFrames); // mono, into the first nFrames floats
        self->rendered.fetch_add(got, std::memory_order_relaxed);
        self->consumed.store(r.totalRead(), std::memory_order_release);
        const float vol = self->volume.load(std::memory_order_relaxed);
        const unsigned ch = self->channels;
        // Expand to interleaved channels in place, from the end so no unread sample is overwritten.
        for (std::size_t i = nFrames; i-- > 0;) {
            const float v = i < got ? o[i] * vol : 0.f;
            for (unsigned c = 0; c < ch; ++c) o[i * ch + c] = v;
        }
        return 0;
    }

    /// Copies as much of `current` into the ring as fits. Caller holds feedMutex.
    void fillLocked()
    {
        while (writing) {
            const std::size_t space = ring->writeSpace();
            if (space == 0) return;
            const std::size_t n = std::min(space, current.size() - offset);
            ring->write(current.data() + offset, n);
            offset += n;
            if (offset == current.size()) {
                if (loop.load(std::memory_order_relaxed)) {
                    offset = 0;
                } else {
                    writing = false;
                    genEnd.store(ring->totalWritten(), std::memory_order_release);
                    std::vector<float>().swap(current); // free here, never on the audio thread
                }
            }
        }
    }

    void feederLoop()
    {
        std::unique_lock<std::mutex> lock(feedMutex);
        while (!quit) {
            fillLocked();
            feedWake.wait_for(lock, feedPeriod);
        }
    }

    /// Replaces the material being fed (empty = stop). Control thread.
    void switchTo(std::vector<float> samples, std::size_t sourceLen, int rate, std::size_t startFrame = 0)
    {
        std::vector<float> old;
        {
            std::lock_guard<std::mutex> lock(feedMutex);
            const std::uint64_t start = ring->totalWritten();
            old.swap(current);
            current = std::move(samples);
            offset = current.empty() ? 0 : std::min(startFrame, current.size() - 1);
            startOffset.store(offset, std::memory_order_relaxed);
            writing = !current.empty();
            streamLength.store(current.size(), std::memory_order_relaxed);
            sourceLength.store(sourceLen, std::memory_order_relaxed);
            sourceRate.store(rate, std::memory_order_relaxed);
            genEnd.store(writing ? kNoEnd : start, std::memory_order_release);
            genStart.store(start, std::memory_order_release);
            skipTo.store(start, std::memory_order_release);
            fillLocked(); // start at once rather than at the next feeder wake-up
        }
        feedWake.notify_one();
        // `old` is freed here, on the control thread.
    }

    void setError(const std::string& message)
    {
        std::lock_guard<std::mutex> lock(textMutex);
        lastError = message;
    }
};

AudioOutput::AudioOutput() : impl_(std::make_unique<Impl>()) {}

AudioOutput::~AudioOutput() { close(); }

std::vector<AudioDeviceInfo> AudioOutput::listDevices()
{
    std::vector<AudioDeviceInfo> all;
    for (RtAudio::Api api : apisInPreferenceOrder()) {
        try {
            RtAudio rt(api);
            rt.showWarnings(false);
            std::vector<AudioDeviceInfo> devices = probeApi(rt, api);
            all.insert(all.end(), devices.begin(), devices.end());
        } catch (const RtAudioError&) {
            continue; // this API is unusable here (no server); the others may work
        }
    }
    return all;
}

void AudioOutput::open(const AudioOutputConfig& config)
{
    close();
    Impl& d = *impl_;
    d.config = config;
    d.setError({});

    std::vector<RtAudio::Api> apis = apisInPreferenceOrder();
    if (!config.api.empty()) {
        const RtAudio::Api wanted = RtAudio::getCompiledApiByName(config.api);
        if (wanted == RtAudio::UNSPECIFIED) {
            const std::string msg = "Audio API '" + config.api + "' is not available in this build (compiled: " +
                                    apiList(apis) + "). Choose another in Preferences > Audio.";
            d.setError(msg);
            throw AudioDeviceError(msg);
        }
        apis = {wanted};
    }

    std::unique_ptr<RtAudio> rt;
    AudioDeviceInfo chosen;
    bool found = false;
    std::vector<std::string> seen;
    for (RtAudio::Api api : apis) {
        try {
            auto candidate = std::make_unique<RtAudio>(api);
            candidate->showWarnings(false);
            const std::vector<AudioDeviceInfo> devices = probeApi(*candidate, api);
            for (const AudioDeviceInfo& dev : devices) seen.push_back(dev.name + " (" + dev.api + ")");
            auto match = devices.end();
            if (!config.deviceName.empty()) {
                match = std::find_if(devices.begin(), devices.end(),
                                     [&](const AudioDeviceInfo& dev) { return dev.name == config.deviceName; });
            } else {
                match = std::find_if(devices.begin(), devices.end(),
                                     [](const AudioDeviceInfo& dev) { return dev.isDefault; });
                if (match == devices.end()) match = devices.begin();
            }
            if (match != devices.end()) {
                chosen = *match;
                rt = std::move(candidate);
                found = true;
                break;
            }
        } catch (const RtAudioError&) {
            continue; // API unusable (e.g. no server): try the next one
        }
    }
    if (!found) {
        std::string msg;
        if (!config.deviceName.empty()) {
            msg = "Audio device '" + config.deviceName + "' was not found";
            msg += seen.empty() ? std::string(" and no other output device exists")
                                : "; available: " + [&] {
                                      std::string s;
                                      for (const auto& n : seen) s += (s.empty() ? "" : ", ") + n;
                                      return s;
                                  }();
            msg += ". Choose a device in Preferences > Audio.";
        } else {
            msg = "No audio output device found (tried " + apiList(apis) +
                  "). Playback is off; everything else works. Start a sound server (e.g. PulseAudio) "
                  "or connect a device, then choose it in Preferences > Audio.";
        }
        d.setError(msg);
        throw AudioDeviceError(msg);
    }

    unsigned rate = config.sampleRate;
    if (!chosen.sampleRates.empty() &&
        std::find(chosen.sampleRates.begin(), chosen.sampleRates.end(), rate) == chosen.sampleRates.end())
        rate = chosen.preferredSampleRate ? chosen.preferredSampleRate : chosen.sampleRates.back();
    unsigned frames = std::max(16u, config.bufferFrames);
    d.channels = std::min(2u, chosen.outputChannels);

    RtAudio::StreamParameters params;
    params.deviceId = chosen.index;
    params.nChannels = d.channels;
    params.firstChannel = 0;
    RtAudio::StreamOptions options;
    options.streamName = "Morphstation";
    // PulseAudio: caps the server-side buffer (maxlength) at this many callback buffers. Without
    // it RtAudio leaves PulseAudio's default of about 2 s, so playback would lag and the
    // reported position would run ahead of what is heard. Other APIs treat it as a hint.
    options.numberOfBuffers = 4;

    try {
        rt->openStream(&params, nullptr, RTAUDIO_FLOAT32, rate, &frames, &Impl::callback, &d, &options);
    } catch (const RtAudioError& e) {
        const std::string msg = "Could not open audio device '" + chosen.name + "' (" + chosen.apiDisplayName +
                                ") at " + std::to_string(rate) + " Hz with " + std::to_string(frames) +
                                "-frame buffers: " + e.what() + ". Try another device or buffer size in "
                                "Preferences > Audio.";
        d.setError(msg);
        throw AudioDeviceError(msg);
    }

    d.streamRate = rate;
    d.streamFrames = frames;
    d.ring = std::make_unique<SpscRingBuffer<float>>(std::max(kMinRingFrames, kRingBuffersAhead * frames));
    d.skipTo = 0;
    d.genStart = 0;
    d.genEnd = 0;
    d.streamLength = 0;
    d.sourceLength = 0;
    d.rendered = 0;
    d.consumed = 0;
    d.callbacks = 0;
    d.underflows = 0;
    {
        std::lock_guard<std::mutex> lock(d.feedMutex);
        d.current.clear();
        d.offset = 0;
        d.writing = false;
        d.quit = false;
    }
    const double bufferMs = 1000.0 * frames / rate;
    d.feedPeriod = std::chrono::milliseconds(std::clamp(static_cast<int>(bufferMs / 2), 2, 20));
    d.feeder = std::thread([&d] { d.feederLoop(); });

    try {
        rt->startStream();
    } catch (const RtAudioError& e) {
        {
            std::lock_guard<std::mutex> lock(d.feedMutex);
            d.quit = true;
        }
        d.feedWake.notify_one();
        d.feeder.join();
        const std::string msg = "Could not start audio on '" + chosen.name + "' (" + chosen.apiDisplayName +
                                "): " + e.what();
        d.setError(msg);
        throw AudioDeviceError(msg);
    }
    d.rt = std::move(rt);
    {
        std::lock_guard<std::mutex> lock(d.textMutex);
        std::ostringstream text;
        text << chosen.apiDisplayName << ": " << chosen.name << ", " << rate << " Hz, " << frames << " frames";
        d.deviceDescription = text.str();
    }
    d.open = true;
}

bool AudioOutput::tryOpen(const AudioOutputConfig& config)
{
    try {
        open(config);
        return true;
    } catch (const AudioDeviceError&) {
        return false; // lastError() holds the message
    }
}

void AudioOutput::close()
{
    Impl& d = *impl_;
    if (!d.rt) return;
    d.open = false;
    try {
        if (d.rt->isStreamRunning()) d.rt->abortStream(); // drop queued audio; stopStream() drains
        if (d.rt->isStreamOpen()) d.rt->closeStream();
    } catch (const RtAudioError& e) {
        d.setError(std::string("Error while closing the audio device: ") + e.what());
    }
    d.rt.reset(); // the callback cannot run any more
    {
        std::lock_guard<std::mutex> lock(d.feedMutex);
        d.quit = true;
    }
    d.feedWake.notify_one();
    if (d.feeder.joinable()) d.feeder.join();
    {
        std::lock_guard<std::mutex> lock(d.feedMutex);
        std::vector<float>().swap(d.current);
        d.writing = false;
    }
    d.streamLength = 0;
    d.sourceLength = 0;
    d.genEnd = 0;
    d.genStart = 0;
    // The ring stays allocated until the next open() replaces it (queries never touch it).
    std::lock_guard<std::mutex> lock(d.textMutex);
    d.deviceDescription.clear();
}

bool AudioOutput::available() const { return impl_->open.load(); }

std::string AudioOutput::lastError() const
{
    std::lock_guard<std::mutex> lock(impl_->textMutex);
    return impl_->lastError;
}

std::string AudioOutput::description() const
{
    std::lock_guard<std::mutex> lock(impl_->textMutex);
    if (impl_->open.load()) return impl_->deviceDescription;
    return impl_->lastError.empty() ? std::string("No audio device open") : impl_->lastError;
}

unsigned AudioOutput::streamSampleRate() const { return impl_->streamRate; }
unsigned AudioOutput::streamBufferFrames() const { return impl_->streamFrames; }
const AudioOutputConfig& AudioOutput::config() const { return impl_->config; }

void AudioOutput::play(std::vector<float> samples, int sampleRate, bool loop, std::size_t startSample)
{
    Impl& d = *impl_;
    if (!d.open.load()) {
        const std::string why = lastError();
        throw AudioDeviceError("Cannot play: no audio device is open" + (why.empty() ? std::string(".") : ": " + why));
    }
    if (sampleRate <= 0) throw ConfigError("Cannot play audio with sample rate " + std::to_string(sampleRate));
    const std::size_t sourceLen = samples.size();
    if (static_cast<unsigned>(sampleRate) != d.streamRate && !samples.empty())
        samples = resampleMono(samples, sampleRate, static_cast<int>(d.streamRate));  // libsamplerate, shared with the WAV loader
    d.loop.store(loop);
    const std::size_t startFrame =
        sourceLen == 0 ? 0 : static_cast<std::size_t>(static_cast<double>(startSample) * samples.size() / sourceLen);
    d.switchTo(std::move(samples), sourceLen, sampleRate, startFrame);
}

void AudioOutput::stop()
{
    Impl& d = *impl_;
    if (!d.open.load()) return;
    d.switchTo({}, 0, d.sourceRate.load());
}

void AudioOutput::setLoop(bool loop) { impl_->loop.store(loop); }
bool AudioOutput::loop() const { return impl_->loop.load(); }

void AudioOutput::setVolume(float volume) { impl_->volume.store(std::clamp(volume, 0.f, 1.f)); }
float AudioOutput::volume() const { return impl_->volume.load(); }

bool AudioOutput::isPlaying() const
{
    const Impl& d = *impl_;
    if (!d.open.load() || d.streamLength.load() == 0) return false;
    return d.consumed.load(std::memory_order_acquire) < d.genEnd.load(std::memory_order_acquire);
}

std::size_t AudioOutput::positionSamples() const
{
    const Impl& d = *impl_;
    if (!d.open.load()) return 0;
    const std::size_t len = d.streamLength.load();
    const std::size_t srcLen = d.sourceLength.load();
    if (len == 0) return 0;
    const std::uint64_t read = d.consumed.load(std::memory_order_acquire);
    const std::uint64_t start = d.genStart.load(std::memory_order_acquire);
    const std::uint64_t end = d.genEnd.load(std::memory_order_acquire);
    if (read >= end) return srcLen;
    const std::uint64_t played = (read > start ? read - start : 0) + d.startOffset.load(std::memory_order_relaxed);
    const std::uint64_t pos = played % len;
    return static_cast<std::size_t>(static_cast<double>(pos) * srcLen / len);
}

double AudioOutput::positionSeconds() const
{
    return static_cast<double>(positionSamples()) / impl_->sourceRate.load();
}

std::size_t AudioOutput::lengthSamples() const { return impl_->sourceLength.load(); }

std::uint64_t AudioOutput::framesRendered() const { return impl_->rendered.load(); }
std::uint64_t AudioOutput::callbackCount() const { return impl_->callbacks.load(); }
std::uint64_t AudioOutput::underflowCount() const { return impl_->underflows.load(); }

bool insideAudioCallback() noexcept { return tInsideCallback; }

} // namespace morph::audio
