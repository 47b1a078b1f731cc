// The audio callback never allocates: this executable replaces the global operator new/delete,
// counts every call made while AudioOutput's callback runs (audio::insideAudioCallback()), and
// drives a real RtAudio stream on a private PulseAudio null sink through everything the
// workstation does to it: play, loop, live swaps from an offset (the slider), resampling, volume
// changes, stop, close and re-open. Skipped when no PulseAudio null sink can be started.
#include "audio/AudioOutput.h"
#include "support/PrivatePulseServer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

namespace {

std::atomic<std::uint64_t> gAllocations{0};          // everywhere (proves the replacement is live)
std::atomic<std::uint64_t> gCallbackAllocations{0};  // inside the audio callback
std::atomic<std::uint64_t> gCallbackFrees{0};

void* countedAlloc(std::size_t n)
{
    gAllocations.fetch_add(1, std::memory_order_relaxed);
    if (morph::audio::insideAudioCallback())
        gCallbackAllocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1))
        return p;
    throw std::bad_alloc();
}

void countedFree(void* p) noexcept
{
    if (p && morph::audio::insideAudioCallback())
        gCallbackFrees.fetch_add(1, std::memory_order_relaxed);
    std::free(p);
}

} // namespace

void* operator new(std::size_t n) { return countedAlloc(n); }
void* operator new[](std::size_t n) { return countedAlloc(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept
{
    try {
        return countedAlloc(n);
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
}
void operator delete(void* p) noexcept { countedFree(p); }
void operator delete[](void* p) noexcept { countedFree(p); }
void operator delete(void* p, std::size_t) noexcept { countedFree(p); }
void operator delete[](void* p, std::size_t) noexcept { countedFree(p); }

namespace {

using namespace std::chrono_literals;
using morph::audio::AudioOutput;
using morph::audio::AudioOutputConfig;
using morph::test::waitFor;

std::vector<float> tone(std::size_t n, float freq, int rate)
{
    std::vector<float> s(n);
    for (std::size_t i = 0; i < n; ++i)
        s[i] = 0.4f * std::sin(6.2831853f * freq * static_cast<float>(i) / static_cast<float>(rate));
    return s;
}

} // namespace

TEST(AudioRealtime, TheCallbackNeverAllocatesOrFrees)
{
    morph::test::PrivatePulseServer server;
    if (!server.ok())
        GTEST_SKIP() << "no PulseAudio null sink available: " << server.error();
    setenv("PULSE_SERVER", server.address().c_str(), 1);
    {
        AudioOutput out;
        AudioOutputConfig cfg;
        cfg.api = "pulse";
        cfg.bufferFrames = 256;
        if (!out.tryOpen(cfg)) {
            unsetenv("PULSE_SERVER");
            GTEST_SKIP() << "PulseAudio started but the stream did not open: " << out.lastError();
        }
        const int rate = static_cast<int>(out.streamSampleRate());
        auto callbacksAfter = [&](std::uint64_t more) {
            const std::uint64_t target = out.callbackCount() + more;
            return waitFor([&] { return out.callbackCount() >= target; }, 20000ms);
        };

        // A looping note, with the volume moving while it plays.
        out.play(tone(std::size_t(rate) / 2, 440.f, rate), rate, true);
        for (int i = 0; i < 10; ++i) {
            out.setVolume(0.1f * static_cast<float>(i));
            ASSERT_TRUE(callbacksAfter(2));
        }
        // Slider moves: a new render swapped in where the old one was, many times.
        for (int i = 0; i < 20; ++i) {
            out.play(tone(std::size_t(rate), 300.f + 10.f * static_cast<float>(i), rate), rate, true,
                     out.positionSamples());
            ASSERT_TRUE(callbacksAfter(1));
        }
        // Material at another rate (resampled on this thread), played to its end, then silence.
        out.play(tone(8000, 220.f, 8000), 8000, false);
        ASSERT_TRUE(waitFor([&] { return !out.isPlaying(); }, 30000ms));
        ASSERT_TRUE(callbacksAfter(5));
        out.stop();
        // Close and re-open: the callback runs again on the new stream.
        out.close();
        ASSERT_TRUE(out.tryOpen(cfg)) << out.lastError();
        out.play(tone(std::size_t(rate) / 4, 660.f, rate), rate);
        ASSERT_TRUE(callbacksAfter(10));
        EXPECT_GE(out.callbackCount(), 10u);
    }
    unsetenv("PULSE_SERVER");
    EXPECT_GT(gAllocations.load(), 0u) << "the operator new replacement is not in effect";
    EXPECT_EQ(gCallbackAllocations.load(), 0u) << "the audio callback allocated";
    EXPECT_EQ(gCallbackFrees.load(), 0u) << "the audio callback freed memory";
}

// The mark is set only inside the callback: allocations on other threads are not counted as the
// callback's (else the test above would blame the callback for the control thread's work).
TEST(AudioRealtime, AllocationsOutsideTheCallbackAreNotCounted)
{
    const std::uint64_t before = gCallbackAllocations.load();
    std::vector<int> v(1000, 1);
    EXPECT_EQ(v.size(), 1000u);
    EXPECT_FALSE(morph::audio::insideAudioCallback());
    EXPECT_EQ(gCallbackAllocations.load(), before);
}
