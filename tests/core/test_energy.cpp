// Energy correction, slicing layout and NoteAnalysis.
#include "dsp/DbScale.h"
#include "dsp/Energy.h"
#include "dsp/NoteAnalysis.h"
#include "dsp/Slicing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace morph::dsp;

namespace {
Spectrogram randomSpec(int bins, int frames, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    Spectrogram s(bins, frames);
    for (auto& v : s.values)
        v = u(rng);
    return s;
}
} // namespace

TEST(Energy, FrameEnergiesAndCorrection)
{
    Spectrogram s(3, 2);
    s.values = {1, 2, 2, 0, 3, 4};
    const auto e = frameEnergies(s);
    ASSERT_EQ(e.size(), 2u);
    EXPECT_FLOAT_EQ(e[0], 9.f);
    EXPECT_FLOAT_EQ(e[1], 25.f);
    auto target = randomSpec(513, 126, 1);
    auto out = randomSpec(513, 126, 2);
    const auto want = frameEnergies(target);
    correctEnergy(out, want);
    const auto got = frameEnergies(out);
    for (std::size_t f = 0; f < got.size(); ++f)
        EXPECT_NEAR(got[f], want[f], 0.01f * want[f]) << f;
}

TEST(Energy, InfrasonicBinsAreNotCounted)
{
    EXPECT_EQ(firstAudibleBin(16000, 1024), 2);  // bin 1 is 15.6 Hz, bin 2 31.3 Hz
    EXPECT_EQ(firstAudibleBin(16000, 2048), 3);
    EXPECT_EQ(firstAudibleBin(0, 1024), 0);
    // Target: a big DC offset over a quiet tone. Decoder output: a flat broadband floor.
    Spectrogram target(513, 1), out(513, 1);
    target.values.assign(513, 0.f);
    target.values[0] = 100.f;
    target.values[40] = 1e-2f;
    out.values.assign(513, 1e-2f);
    const int first = firstAudibleBin(16000, 1024);
    correctEnergy(out, frameEnergies(target, first), first);
    EXPECT_NEAR(frameEnergies(out, first)[0], 1e-4f, 1e-6f);  // the tone's energy, not the offset's
    EXPECT_LT(out.values[100], 1e-3f);
}

TEST(Energy, AverageOfTwoNotes)
{
    const std::vector<float> a{1, 2, 3}, b{3, 4, 5, 6};
    const auto m = averageEnergies(a, b);
    ASSERT_EQ(m.size(), 4u);
    EXPECT_FLOAT_EQ(m[0], 2.f);
    EXPECT_FLOAT_EQ(m[2], 4.f);
    EXPECT_FLOAT_EQ(m[3], 6.f);  // the longer curve's extra frame is kept
    const auto q = blendEnergies(a, b, 0.25f);
    EXPECT_FLOAT_EQ(q[1], 0.75f * 2 + 0.25f * 4);
}

TEST(Energy, ZeroFramesAreSafe)
{
    Spectrogram s(4, 3);
    s.values = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2};
    correctEnergy(s, {5.f, 0.f, 16.f});
    for (int b = 0; b < 4; ++b) {
        EXPECT_EQ(s.frame(0)[b], 0.f);  // nothing to scale: stays silent, no NaN
        EXPECT_EQ(s.frame(1)[b], 0.f);  // zero target zeroes the frame
        EXPECT_FLOAT_EQ(s.frame(2)[b], 2.f);  // energy 16 already
    }
    correctEnergy(s, {1.f});  // shorter target: other frames untouched
    EXPECT_FLOAT_EQ(s.frame(2)[0], 2.f);
}

TEST(Slicing, LayoutMatchesModelInput)
{
    const auto s = randomSpec(5, 7, 3);
    const auto slices = toSlices(s, 3);
    ASSERT_EQ(slices.size(), 5u * 5u * 3u);  // 7 - 3 + 1 = 5 slices
    for (int i = 0; i < 5; ++i)
        for (int b = 0; b < 5; ++b)
            for (int t = 0; t < 3; ++t)
                ASSERT_EQ(slices[static_cast<std::size_t>(i) * 15 + b * 3 + t], s.frame(i + t)[b]);
    const auto back = fromSlices(slices.data(), 5, 5, 3);
    EXPECT_EQ(back.frames, 7);
    for (std::size_t i = 0; i < s.values.size(); ++i)
        EXPECT_NEAR(back.values[i], s.values[i], 1e-6f);
    EXPECT_TRUE(toSlices(randomSpec(5, 2, 1), 3).empty());
    EXPECT_EQ(toSlices(randomSpec(513, 126, 1), 3).size(), 124u * 513u * 3u);
}

TEST(Slicing, OverlapsAreAveraged)
{
    // 2 slices, 1 bin, width 3: frames 0..3; frame 1 and 2 are seen twice
    const std::vector<float> slices{1, 2, 3, 10, 20, 30};
    const auto s = fromSlices(slices.data(), 2, 1, 3);
    ASSERT_EQ(s.frames, 4);
    EXPECT_FLOAT_EQ(s.values[0], 1.f);
    EXPECT_FLOAT_EQ(s.values[1], (2.f + 10.f) / 2);
    EXPECT_FLOAT_EQ(s.values[2], (3.f + 20.f) / 2);
    EXPECT_FLOAT_EQ(s.values[3], 30.f);
    const auto w1 = fromSlices(slices.data(), 6, 1, 1);  // width 1: frames as they are
    EXPECT_EQ(w1.values, slices);
}

TEST(Slicing, NonSilentFrames)
{
    Spectrogram db(2, 6, -80.f);
    db.at(2, 1) = -30.f;
    db.at(4, 0) = -10.f;
    EXPECT_EQ(nonSilentFrames(db), std::make_pair(2, 5));
    EXPECT_EQ(nonSilentFrames(db, -20.f), std::make_pair(4, 5));
    EXPECT_EQ(nonSilentFrames(Spectrogram(2, 6, -80.f)), std::make_pair(0, 0));
    const auto trimmed = toSlices(db, 2, 5, 3);
    ASSERT_EQ(trimmed.size(), 2u * 3u);
    EXPECT_EQ(trimmed[1 * 3 + 0], -30.f);
}

TEST(NoteAnalysis, DbRefAndPhase)
{
    std::vector<float> x(64000);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(0.3 * std::sin(2 * 3.14159265358979 * 440.0 * i / 16000.0) *
                                  std::exp(-static_cast<double>(i) / 16000.0));
    const auto a = analyseNote(x);
    EXPECT_EQ(a.length, 64000u);
    EXPECT_EQ(a.db.bins, 513);
    EXPECT_EQ(a.db.frames, 126);
    EXPECT_EQ(a.stft.frames, 126);
    const auto mag = magnitude(a.stft);
    EXPECT_FLOAT_EQ(a.ref, maxValue(mag));
    EXPECT_NEAR(maxValue(a.db), 0.f, 1e-5f);
    for (float v : a.db.values)
        ASSERT_GE(v, -80.f);
    const auto back = magnitudesFromDb(a.db, a.ref);
    for (std::size_t i = 0; i < back.values.size(); ++i) {
        if (a.db.values[i] > -79.f) {
            ASSERT_NEAR(back.values[i], mag.values[i], 1e-4f * mag.values[i] + 1e-6f);
        }
    }
    const auto m = analyseNote(x, {}, true);
    EXPECT_EQ(m.db.bins, 128);
    EXPECT_EQ(m.db.frames, 126);
    EXPECT_NEAR(maxValue(m.db), 0.f, 1e-5f);
    EXPECT_EQ(m.stft.bins, 513);  // the complex STFT stays linear
    const auto silent = analyseNote(std::vector<float>(16000, 0.f));
    EXPECT_EQ(silent.ref, 1.f);
    for (float v : silent.db.values)
        ASSERT_EQ(v, -80.f);
}
