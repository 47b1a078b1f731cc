// STFT / ISTFT against signals with known answers (DC, on-bin and between-bin sines, impulse,
// white noise), Parseval energy, perfect reconstruction for several lengths, dB round trip.
#include "dsp/DbScale.h"
#include "dsp/Spectrogram.h"
#include "dsp/Stft.h"
#include "util/Errors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <atomic>
#include <random>
#include <thread>

using namespace morph::dsp;

namespace {
constexpr double kPi = 3.14159265358979323846;

std::vector<float> sine(std::size_t n, double cyclesPerSample, double amp = 1.0, double phase = 0.0)
{
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i)
        x[i] = static_cast<float>(amp * std::cos(2 * kPi * cyclesPerSample * i + phase));
    return x;
}

std::vector<float> noise(std::size_t n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.f, 1.f);
    std::vector<float> x(n);
    for (auto& v : x)
        v = d(rng);
    return x;
}

int argmax(const float* v, int n)
{
    return static_cast<int>(std::max_element(v, v + n) - v);
}
} // namespace

TEST(Stft, ShapeOfANote)
{
    Stft stft;
    EXPECT_EQ(stft.frameCount(64000), 126);
    const auto x = noise(64000, 1);
    const auto X = stft.forward(x);
    EXPECT_EQ(X.bins, 513);
    EXPECT_EQ(X.frames, 126);
    EXPECT_EQ(X.values.size(), 513u * 126u);
}

TEST(Stft, PeriodicHannWindow)
{
    Stft stft;
    const auto& w = stft.window();
    ASSERT_EQ(w.size(), 1024u);
    EXPECT_FLOAT_EQ(w[0], 0.f);
    EXPECT_FLOAT_EQ(w[512], 1.f);
    EXPECT_NEAR(w[256], 0.5f, 1e-6f);
    EXPECT_NEAR(w[1], w[1023], 1e-7f);  // periodic: symmetric about n/2, w[n-1] != 0
    EXPECT_GT(w[1023], 0.f);
}

TEST(Stft, RejectsBadConfig)
{
    EXPECT_THROW(Stft(StftConfig{1023, 512}), morph::ConfigError);
    EXPECT_THROW(Stft(StftConfig{1024, 0}), morph::ConfigError);
}

TEST(Stft, DcGoesToBinZeroWithWindowSum)
{
    Stft stft;
    std::vector<float> x(8192, 0.5f);
    const auto m = magnitude(stft.forward(x));
    // interior frame: DC bin = 0.5 * sum(w) = 0.5 * 512, neighbouring bin (Hann) = half of it,
    // all others ~0
    const float* fr = m.frame(8);
    EXPECT_NEAR(fr[0], 256.f, 1e-2f);
    EXPECT_NEAR(fr[1], 128.f, 1e-2f);
    for (int b = 2; b < 513; ++b)
        EXPECT_LT(fr[b], 1e-3f) << b;
    // first frame is centred on sample 0: only the right half of the window sees signal
    EXPECT_NEAR(m.frame(0)[0], 0.5f * (256.f + 0.5f), 1e-2f);  // sum of w[512..1023] = 256 + w[512]/2
}

TEST(Stft, SineOnBinCentre)
{
    Stft stft;
    const int bin = 64;  // 1000 Hz at 16 kHz
    const auto x = sine(16000, bin / 1024.0, 0.8);
    const auto m = magnitude(stft.forward(x));
    for (int f = 2; f < m.frames - 2; ++f) {
        const float* fr = m.frame(f);
        EXPECT_EQ(argmax(fr, 513), bin);
        // amplitude A cosine on a bin: |X| = A/2 * sum(w) = A * n/4; neighbours half of that
        EXPECT_NEAR(fr[bin], 0.8f * 256.f, 0.05f);
        EXPECT_NEAR(fr[bin - 1], 0.8f * 128.f, 0.05f);
        EXPECT_NEAR(fr[bin + 1], 0.8f * 128.f, 0.05f);
        EXPECT_LT(fr[bin + 3], 1e-2f);
    }
}

TEST(Stft, SineBetweenBins)
{
    Stft stft;
    const auto x = sine(16000, 100.5 / 1024.0, 1.0);
    const auto m = magnitude(stft.forward(x));
    const float* fr = m.frame(10);
    const int peak = argmax(fr, 513);
    EXPECT_TRUE(peak == 100 || peak == 101) << peak;
    EXPECT_NEAR(fr[100], fr[101], 0.01f * fr[100]);
    // Hann at half a bin off: |W(0.5)| / |W(0)| = 8 / (3 pi) of the on-bin value n/4
    EXPECT_NEAR(fr[100], 256.f * 8.f / (3.f * static_cast<float>(kPi)), 0.5f);
}

TEST(Stft, ImpulseHasFlatSpectrum)
{
    Stft stft;
    std::vector<float> x(4096, 0.f);
    x[2048 + 100] = 1.f;  // frame 4 is centred on 2048: window value w[512 + 100]
    const auto X = stft.forward(x);
    const auto m = magnitude(X);
    const float expected = stft.window()[612];
    for (int b = 0; b < 513; ++b)
        EXPECT_NEAR(m.frame(4)[b], expected, 1e-5f);
    // linear phase: X[b] = w * exp(-i 2 pi b 612 / 1024)
    const auto v = X.frame(4)[3];
    const double ph = -2 * kPi * 3 * 612 / 1024.0;
    EXPECT_NEAR(v.real(), expected * std::cos(ph), 1e-5);
    EXPECT_NEAR(v.imag(), expected * std::sin(ph), 1e-5);
}

TEST(Stft, ParsevalPerFrame)
{
    Stft stft;
    const auto x = noise(8000, 7);
    const auto X = stft.forward(x);
    for (int f : {0, 3, 7, 15}) {
        double time = 0.0;
        for (int j = 0; j < 1024; ++j) {
            const long long i = static_cast<long long>(f) * 512 - 512 + j;
            if (i >= 0 && i < 8000) {
                const double v = stft.window()[j] * x[i];
                time += v * v;
            }
        }
        // one-sided: sum |X|^2 with bins 1..n/2-1 counted twice, divided by n
        double freq = 0.0;
        for (int b = 0; b < 513; ++b) {
            const double p = std::norm(X.frame(f)[b]);
            freq += (b == 0 || b == 512) ? p : 2 * p;
        }
        EXPECT_NEAR(freq / 1024.0, time, 1e-4 * time) << f;
    }
}

TEST(Stft, WhiteNoiseIsFlat)
{
    // unit-variance white noise: E|X[k]|^2 = sum(w^2) = 3n/8 = 384 for every bin but DC/Nyquist
    Stft stft;
    const auto X = stft.forward(noise(160000, 21));
    std::vector<double> perBin(513, 0.0);
    int frames = 0;
    for (int f = 2; f < X.frames - 2; ++f, ++frames)
        for (int b = 0; b < 513; ++b)
            perBin[b] += std::norm(X.frame(f)[b]);
    double all = 0.0;
    for (int b = 1; b < 512; ++b)
        all += perBin[b] / frames;
    EXPECT_NEAR(all / 511, 384.0, 384.0 * 0.02);
    // low, middle and high bands alike (no tilt)
    for (int lo : {1, 200, 400}) {
        double band = 0.0;
        for (int b = lo; b < lo + 100; ++b)
            band += perBin[b] / frames;
        EXPECT_NEAR(band / 100, 384.0, 384.0 * 0.06) << lo;
    }
}

TEST(Stft, PerfectReconstructionForSeveralLengths)
{
    for (std::size_t len : {64000u, 64001u, 1000u, 513u, 1537u, 5u}) {
        Stft stft;
        const auto x = noise(len, static_cast<uint32_t>(len));
        const auto y = stft.inverse(stft.forward(x), len);
        ASSERT_EQ(y.size(), len);
        double maxErr = 0.0, sq = 0.0;
        for (std::size_t i = 0; i < len; ++i) {
            const double d = std::abs(y[i] - x[i]);
            maxErr = std::max(maxErr, d);
            sq += d * d;
        }
        // unit-variance noise: float rounding, amplified a little at the very last samples
        // where only the tail of one window (w ~ 0.005) covers the signal
        EXPECT_LT(maxErr, 1e-4) << "length " << len;
        EXPECT_LT(std::sqrt(sq / len), 3e-6) << "length " << len;
    }
}

TEST(Stft, PerfectReconstructionOtherSizes)
{
    for (StftConfig c : {StftConfig{512, 128}, StftConfig{2048, 512}, StftConfig{256, 100}}) {
        Stft stft(c);
        const auto x = noise(7777, 3);
        const auto X = stft.forward(x);
        EXPECT_EQ(X.bins, c.nFft / 2 + 1);
        EXPECT_EQ(X.frames, 1 + 7777 / c.hop);
        const auto y = stft.inverse(X, x.size());
        for (std::size_t i = 0; i < x.size(); ++i)
            ASSERT_NEAR(y[i], x[i], 2e-5f) << c.nFft << "/" << c.hop << " at " << i;
    }
}

TEST(Stft, MagnitudePhaseSplitAndRecombine)
{
    Stft stft;
    const auto x = noise(6000, 11);
    const auto X = stft.forward(x);
    const auto m = magnitude(X);
    const auto p = phase(X);
    const auto back = fromPolar(m, p);
    const auto back2 = withMagnitude(m, X);
    for (std::size_t i = 0; i < X.values.size(); ++i) {
        ASSERT_NEAR(std::abs(back.values[i] - X.values[i]), 0.f, 1e-4f * (1.f + m.values[i]));
        ASSERT_NEAR(std::abs(back2.values[i] - X.values[i]), 0.f, 1e-4f * (1.f + m.values[i]));
    }
    const auto y = stft.inverse(back2, x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        ASSERT_NEAR(y[i], x[i], 1e-4f);
    Spectrogram wrong(513, 3);
    EXPECT_THROW(withMagnitude(wrong, X), morph::ConfigError);
}

TEST(Stft, ThreadSafeConcurrentUse)
{
    Stft stft;
    const auto x = noise(64000, 5);
    const auto ref = stft.forward(x);
    std::vector<std::thread> threads;
    std::atomic<int> bad{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int r = 0; r < 5; ++r) {
                Stft local;
                if (local.forward(x).values != ref.values)
                    ++bad;
            }
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(bad.load(), 0);
}

TEST(DbScale, RangeAndRoundTrip)
{
    Spectrogram m(4, 2);
    m.values = {1.f, 0.5f, 1e-3f, 0.f, 2.f, 1e-6f, 0.1f, 1e-4f};
    const float ref = maxValue(m);
    EXPECT_FLOAT_EQ(ref, 2.f);
    const auto db = amplitudeToDb(m, ref);
    EXPECT_NEAR(db.values[4], 0.f, 1e-6f);
    EXPECT_NEAR(db.values[0], 20.f * std::log10(0.5f), 1e-5f);
    EXPECT_NEAR(db.values[6], 20.f * std::log10(0.05f), 1e-4f);
    EXPECT_FLOAT_EQ(db.values[3], -80.f);  // 0 -> amin -> below top_db -> clipped
    EXPECT_FLOAT_EQ(db.values[5], -80.f);
    for (float v : db.values) {
        EXPECT_LE(v, 0.f);
        EXPECT_GE(v, -80.f);
    }
    const auto back = dbToAmplitude(db, ref);
    for (std::size_t i = 0; i < m.values.size(); ++i) {
        if (db.values[i] > -80.f) {
            EXPECT_NEAR(back.values[i], m.values[i], 1e-5f * m.values[i]) << i;
        } else {
            EXPECT_NEAR(back.values[i], 2e-4f, 1e-9f);  // the floor: ref * 10^-4
        }
    }
}

TEST(DbScale, AminAndRef)
{
    Spectrogram m(2, 1);
    m.values = {1e-7f, 1.f};
    const auto db = amplitudeToDb(m, 1.f, DbScale{1e-5f, 200.f});
    EXPECT_NEAR(db.values[0], -100.f, 1e-4f);  // amin floor, not clipped with top_db 200
    EXPECT_NEAR(db.values[1], 0.f, 1e-6f);
    const auto db2 = amplitudeToDb(m, 0.f);  // ref floored at amin: no inf/nan
    for (float v : db2.values)
        EXPECT_TRUE(std::isfinite(v));
}
