// AudioOutput over RtAudio.
//  - Without a device (a PulseAudio address nobody listens on, an unknown API, an unknown device
//    name) open() must throw AudioDeviceError with a message and leave available() == false;
//    play() must throw AudioDeviceError and everything else must be a harmless no-op.
//  - With a device: the test starts its own PulseAudio daemon with a null sink on a private
//    socket (so it never disturbs, or depends on, another sound server), plays buffers through the
//    real RtAudio callback path and checks the callback consumed them and the position advanced.
//    If the daemon cannot be started here, those tests are skipped with the reason.
#include "audio/AudioOutput.h"
#include "support/PrivatePulseServer.h"
#include "util/Errors.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>
#include <thread>

using morph::AudioDeviceError;
using morph::audio::AudioOutput;
using morph::audio::AudioOutputConfig;
using namespace std::chrono_literals;
using morph::test::PrivatePulseServer;
using morph::test::waitFor;

namespace {

std::vector<float> sine(std::size_t n, float freq, int rate)
{
    std::vector<float> s(n);
    for (std::size_t i = 0; i < n; ++i) s[i] = 0.5f * std::sin(6.2831853f * freq * static_cast<float>(i) / rate);
    return s;
}

} // namespace

// ---- no device ---------------------------------------------------------------------------

TEST(AudioOutputNoDevice, UnreachableServerGivesAudioDeviceErrorAndStaysUsable)
{
    setenv("PULSE_SERVER", "unix:/nonexistent/morph-no-server", 1);
    AudioOutput out;
    EXPECT_FALSE(out.available());
    AudioOutputConfig cfg;
    cfg.api = "pulse";
    EXPECT_THROW(out.open(cfg), AudioDeviceError);
    EXPECT_FALSE(out.available());
    EXPECT_NE(out.lastError().find("No audio output device"), std::string::npos) << out.lastError();
    EXPECT_EQ(out.description(), out.lastError());
    EXPECT_FALSE(out.tryOpen(cfg));
    EXPECT_THROW(out.play(sine(100, 440.f, 16000), 16000), AudioDeviceError);
    out.stop(); // no-ops without a device
    out.setVolume(0.3f);
    EXPECT_FLOAT_EQ(out.volume(), 0.3f);
    EXPECT_FALSE(out.isPlaying());
    EXPECT_EQ(out.positionSamples(), 0u);
    unsetenv("PULSE_SERVER");
}

TEST(AudioOutputNoDevice, UnknownApiNamesTheCompiledOnes)
{
    AudioOutput out;
    AudioOutputConfig cfg;
    cfg.api = "no-such-api";
    try {
        out.open(cfg);
        FAIL() << "expected AudioDeviceError";
    } catch (const AudioDeviceError& e) {
        EXPECT_NE(std::string(e.what()).find("no-such-api"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("alsa"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(out.available());
}

TEST(AudioOutputNoDevice, UnknownDeviceNameIsReported)
{
    setenv("PULSE_SERVER", "unix:/nonexistent/morph-no-server", 1);
    AudioOutput out;
    AudioOutputConfig cfg;
    cfg.api = "pulse";
    cfg.deviceName = "Morph Imaginary Device";
    EXPECT_THROW(out.open(cfg), AudioDeviceError);
    EXPECT_NE(out.lastError().find("Morph Imaginary Device"), std::string::npos) << out.lastError();
    EXPECT_FALSE(out.available());
    unsetenv("PULSE_SERVER");
}

// ---- with a (null-sink) device -----------------------------------------------------------

class AudioOutputDevice : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        server_ = new PrivatePulseServer();
        if (server_->ok()) setenv("PULSE_SERVER", server_->address().c_str(), 1);
    }
    static void TearDownTestSuite()
    {
        unsetenv("PULSE_SERVER");
        delete server_;
        server_ = nullptr;
    }
    void SetUp() override
    {
        if (!server_->ok()) GTEST_SKIP() << "no PulseAudio null sink available: " << server_->error();
        AudioOutputConfig cfg;
        cfg.api = "pulse";
        cfg.bufferFrames = 256;
        if (!out_.tryOpen(cfg)) GTEST_SKIP() << "PulseAudio started but the stream did not open: " << out_.lastError();
    }
    static PrivatePulseServer* server_;
    AudioOutput out_;
};
PrivatePulseServer* AudioOutputDevice::server_ = nullptr;

TEST_F(AudioOutputDevice, ListsThePulseDevice)
{
    bool pulseFound = false;
    for (const auto& d : AudioOutput::listDevices())
        if (d.api == "pulse" && d.outputChannels > 0) pulseFound = true;
    EXPECT_TRUE(pulseFound);
    EXPECT_TRUE(out_.available());
    EXPECT_FALSE(out_.description().empty());
    EXPECT_GT(out_.streamSampleRate(), 0u);
}

TEST_F(AudioOutputDevice, PlaysABufferToTheEndThroughTheCallback)
{
    const int rate = static_cast<int>(out_.streamSampleRate());
    const std::size_t n = static_cast<std::size_t>(rate) / 4; // 0.25 s
    const std::uint64_t before = out_.framesRendered();
    out_.play(sine(n, 440.f, rate), rate);
    EXPECT_TRUE(out_.isPlaying());
    EXPECT_EQ(out_.lengthSamples(), n);
    // The position must advance while playing.
    ASSERT_TRUE(waitFor([&] { return out_.positionSamples() > 0 || !out_.isPlaying(); }, 20000ms));
    ASSERT_TRUE(waitFor([&] { return !out_.isPlaying(); }, 20000ms)) << "played " << out_.positionSamples();
    EXPECT_EQ(out_.framesRendered() - before, n); // every sample went through the callback, once
    EXPECT_EQ(out_.positionSamples(), n);
    EXPECT_GT(out_.callbackCount(), 0u);
    // Afterwards the callback zero-fills: nothing more is rendered.
    const std::uint64_t done = out_.framesRendered();
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(out_.framesRendered(), done);
}

TEST_F(AudioOutputDevice, LoopsUntilStopped)
{
    const int rate = static_cast<int>(out_.streamSampleRate());
    const std::size_t n = 1000;
    out_.play(sine(n, 220.f, rate), rate, /*loop=*/true);
    ASSERT_TRUE(waitFor([&] { return out_.framesRendered() > 3 * n; }, 20000ms)) << out_.framesRendered();
    EXPECT_TRUE(out_.isPlaying());
    EXPECT_LT(out_.positionSamples(), n); // wraps
    out_.stop();
    EXPECT_FALSE(out_.isPlaying());
    EXPECT_EQ(out_.positionSamples(), 0u);
    std::this_thread::sleep_for(200ms); // let the callback skip what was queued
    const std::uint64_t after = out_.framesRendered();
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(out_.framesRendered(), after);
}

TEST_F(AudioOutputDevice, ANewPlayReplacesTheCurrentOneAndResamples)
{
    const int stream = static_cast<int>(out_.streamSampleRate());
    out_.play(sine(stream * 10, 220.f, stream), stream); // 10 s, would outlast the test
    ASSERT_TRUE(waitFor([&] { return out_.positionSamples() > 0; }, 20000ms));
    const int rate = stream / 2; // a different rate: resampled to the stream rate
    const std::size_t n = static_cast<std::size_t>(rate) / 10;
    out_.play(sine(n, 220.f, rate), rate);
    EXPECT_EQ(out_.lengthSamples(), n);
    ASSERT_TRUE(waitFor([&] { return !out_.isPlaying(); }, 20000ms));
    EXPECT_EQ(out_.positionSamples(), n);
    EXPECT_NEAR(out_.positionSeconds(), 0.1, 1e-3);
}

TEST_F(AudioOutputDevice, VolumeIsClamped)
{
    out_.setVolume(1.7f);
    EXPECT_FLOAT_EQ(out_.volume(), 1.f);
    out_.setVolume(-1.f);
    EXPECT_FLOAT_EQ(out_.volume(), 0.f);
}

TEST_F(AudioOutputDevice, CloseAndReopen)
{
    out_.close();
    EXPECT_FALSE(out_.available());
    EXPECT_THROW(out_.play(sine(10, 1.f, 16000), 16000), AudioDeviceError);
    AudioOutputConfig cfg;
    cfg.api = "pulse";
    out_.open(cfg);
    EXPECT_TRUE(out_.available());
}
