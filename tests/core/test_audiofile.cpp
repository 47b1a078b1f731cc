// Audio files: formats libsndfile reads, resampling + mixdown reports, length fixes, and the
// errors of missing, empty, non-audio and truncated files.
#include "dataset/AudioFile.h"
#include "util/Errors.h"

#include "support/TempDir.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace morph;

namespace {

std::vector<float> sine(double freq, int rate, std::size_t n, float amp = 0.5f)
{
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i)
        x[i] = amp * static_cast<float>(std::sin(2 * M_PI * freq * static_cast<double>(i) / rate));
    return x;
}

/// Writes interleaved float data with libsndfile in the given format.
void writeWith(const fs::path& file, const std::vector<float>& interleaved, int channels, int rate, int format)
{
    SF_INFO info{};
    info.channels = channels;
    info.samplerate = rate;
    info.format = format;
    SNDFILE* sf = sf_open(file.c_str(), SFM_WRITE, &info);
    ASSERT_NE(sf, nullptr) << sf_strerror(nullptr);
    ASSERT_EQ(sf_writef_float(sf, interleaved.data(), static_cast<sf_count_t>(interleaved.size() / channels)),
              static_cast<sf_count_t>(interleaved.size() / channels));
    sf_close(sf);
}

std::string loadError(const fs::path& file)
{
    try {
        loadNoteAudio(file);
    } catch (const AudioFileError& e) {
        return e.what();
    }
    return "(no error)";
}

/// Frequency estimate from zero crossings (good enough for a clean sine).
double zeroCrossingFreq(const std::vector<float>& x, int rate)
{
    int crossings = 0;
    for (std::size_t i = 1; i < x.size(); ++i)
        if ((x[i - 1] < 0) != (x[i] < 0))
            ++crossings;
    return crossings / 2.0 / (static_cast<double>(x.size()) / rate);
}

} // namespace

TEST(AudioFile, Wav16RoundTripIsExactTo16Bits)
{
    test::TempDir tmp("morph-test-audio");
    const auto x = sine(440, 16000, 64000);
    writeWav16(tmp.path / "a.wav", x, 16000);
    EXPECT_EQ(fs::file_size(tmp.path / "a.wav"), 44u + 2u * 64000u);
    const LoadedAudio a = loadNoteAudio(tmp.path / "a.wav");
    ASSERT_EQ(a.samples.size(), 64000u);
    EXPECT_EQ(a.sampleRate, 16000);
    EXPECT_TRUE(a.adjustments.empty());
    for (std::size_t i = 0; i < x.size(); i += 997)
        EXPECT_NEAR(a.samples[i], x[i], 1.0 / 32767);
    // No temp file is left next to the target.
    EXPECT_EQ(std::distance(fs::directory_iterator(tmp.path), fs::directory_iterator()), 1);
}

TEST(AudioFile, Wav16ClipsOutOfRangeSamples)
{
    test::TempDir tmp("morph-test-audio");
    writeWav16(tmp.path / "c.wav", {2.f, -3.f, 0.5f}, 16000);
    const LoadedAudio a = loadAudio(tmp.path / "c.wav");
    ASSERT_EQ(a.samples.size(), 3u);
    EXPECT_NEAR(a.samples[0], 1.f, 1e-4);
    EXPECT_NEAR(a.samples[1], -1.f, 1e-4);
    EXPECT_NEAR(a.samples[2], 0.5f, 1e-4);
}

TEST(AudioFile, Reads24BitAndFloatWav)
{
    test::TempDir tmp("morph-test-audio");
    const auto x = sine(220, 16000, 64000, 0.25f);
    writeWith(tmp.path / "p24.wav", x, 1, 16000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    writeWith(tmp.path / "f32.wav", x, 1, 16000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    writeWith(tmp.path / "n.flac", x, 1, 16000, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
    for (const char* name : {"p24.wav", "f32.wav", "n.flac"}) {
        const LoadedAudio a = loadNoteAudio(tmp.path / name);
        ASSERT_EQ(a.samples.size(), 64000u) << name;
        EXPECT_TRUE(a.adjustments.empty()) << name;
        EXPECT_NEAR(a.samples[1234], x[1234], 1e-4) << name;
    }
}

TEST(AudioFile, StereoAt44100IsMixedAndResampledAndReported)
{
    test::TempDir tmp("morph-test-audio");
    const int rate = 44100;
    const std::size_t frames = 4 * rate;
    const auto left = sine(1000, rate, frames, 0.4f);
    std::vector<float> inter(frames * 2);
    for (std::size_t i = 0; i < frames; ++i) {
        inter[2 * i] = left[i];
        inter[2 * i + 1] = left[i] * 0.5f;  // mono mix = 0.75 * left
    }
    writeWith(tmp.path / "s.wav", inter, 2, rate, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    const LoadedAudio a = loadNoteAudio(tmp.path / "s.wav");
    ASSERT_EQ(a.samples.size(), 64000u);
    EXPECT_EQ(a.sampleRate, 16000);
    ASSERT_EQ(a.adjustments.size(), 2u);  // 4.0 s at 44.1 kHz is 64000 samples at 16 kHz: no length fix
    EXPECT_EQ(a.adjustments[0], "mixed 2 channels to mono");
    EXPECT_EQ(a.adjustments[1], "resampled 44100->16000");
    EXPECT_NEAR(zeroCrossingFreq(a.samples, 16000), 1000.0, 2.0);
    float peak = 0.f;
    for (std::size_t i = 1000; i < 63000; ++i)
        peak = std::max(peak, std::abs(a.samples[i]));
    EXPECT_NEAR(peak, 0.3f, 0.01f);
}

TEST(AudioFile, OtherLengthsArePaddedOrTrimmedAndReported)
{
    test::TempDir tmp("morph-test-audio");
    writeWav16(tmp.path / "short.wav", std::vector<float>(16000, 0.25f), 16000);
    writeWav16(tmp.path / "long.wav", std::vector<float>(80000, 0.25f), 16000);
    const LoadedAudio s = loadNoteAudio(tmp.path / "short.wav");
    ASSERT_EQ(s.samples.size(), 64000u);
    EXPECT_NEAR(s.samples[15999], 0.25f, 1e-4);
    EXPECT_EQ(s.samples[16000], 0.f);
    ASSERT_EQ(s.adjustments.size(), 1u);
    EXPECT_EQ(s.adjustments[0], "padded 16000->64000 samples with silence");
    const LoadedAudio l = loadNoteAudio(tmp.path / "long.wav");
    ASSERT_EQ(l.samples.size(), 64000u);
    EXPECT_EQ(l.adjustments.at(0), "trimmed 80000->64000 samples");
    EXPECT_EQ(loadAudio(tmp.path / "long.wav").samples.size(), 80000u);  // any length
}

TEST(AudioFile, BrokenFilesThrowNamingFileAndReason)
{
    test::TempDir tmp("morph-test-audio");
    EXPECT_NE(loadError(tmp.path / "missing.wav").find("file not found"), std::string::npos);
    EXPECT_NE(loadError(tmp.path / "missing.wav").find("missing.wav"), std::string::npos);

    std::ofstream(tmp.path / "empty.wav").close();
    EXPECT_NE(loadError(tmp.path / "empty.wav").find("empty"), std::string::npos) << loadError(tmp.path / "empty.wav");

    std::ofstream(tmp.path / "text.wav") << "this is not audio at all, just some text that is long enough";
    EXPECT_NE(loadError(tmp.path / "text.wav").find("not a readable audio file"), std::string::npos)
        << loadError(tmp.path / "text.wav");

    // Truncated: a valid 64000-sample WAV cut in half.
    writeWav16(tmp.path / "full.wav", sine(440, 16000, 64000), 16000);
    fs::copy_file(tmp.path / "full.wav", tmp.path / "cut.wav");
    fs::resize_file(tmp.path / "cut.wav", 44 + 64000);
    const std::string cut = loadError(tmp.path / "cut.wav");
    EXPECT_NE(cut.find("truncated"), std::string::npos) << cut;
    EXPECT_NE(cut.find("64000 frames"), std::string::npos) << cut;
    EXPECT_NE(cut.find("32000"), std::string::npos) << cut;
    EXPECT_NE(cut.find("cut.wav"), std::string::npos) << cut;

    // Header only, no frames.
    writeWav16(tmp.path / "noframes.wav", {}, 16000);
    EXPECT_NE(loadError(tmp.path / "noframes.wav").find("no audio frames"), std::string::npos)
        << loadError(tmp.path / "noframes.wav");

    // A folder is not a file.
    EXPECT_NE(loadError(tmp.path).find("not a regular file"), std::string::npos);
}
