#pragma once
// Test support: writes WAV files byte by byte in any shape the corpus needs (8/16/24-bit PCM,
// 32-bit float, any rate and channel count, truncated), independent of the product's writer.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

namespace morph::test {

enum class WavFormat { Pcm8, Pcm16, Pcm24, Float32 };

struct WavSpec {
    WavFormat format = WavFormat::Pcm16;
    int rate = 16000;
    int channels = 1;
    std::uint64_t frames = 64000;
};

/// A 440 Hz-ish tone with a decay: sample `i` of channel `c` at `rate`.
inline float testTone(std::uint64_t i, int c, int rate)
{
    const double t = static_cast<double>(i) / rate;
    return static_cast<float>(0.5 * std::exp(-t) * std::sin(2 * M_PI * (261.63 + 3.0 * c) * t));
}

/// The whole WAV file as bytes. `sample(i, c)` gives the value in [-1, 1].
inline std::string wavBytes(const WavSpec& spec,
                            const std::function<float(std::uint64_t, int)>& sample = {})
{
    const int bytesPer = spec.format == WavFormat::Pcm8 ? 1 : spec.format == WavFormat::Pcm16 ? 2
                         : spec.format == WavFormat::Pcm24                                  ? 3
                                                                                            : 4;
    const std::uint64_t dataBytes = spec.frames * static_cast<std::uint64_t>(spec.channels * bytesPer);
    std::string b;
    b.reserve(44 + dataBytes);
    auto put = [&](std::uint64_t v, int n) {
        for (int k = 0; k < n; ++k)
            b.push_back(static_cast<char>((v >> (8 * k)) & 0xFF));
    };
    b += "RIFF";
    put(36 + dataBytes, 4);
    b += "WAVEfmt ";
    put(16, 4);
    put(spec.format == WavFormat::Float32 ? 3 : 1, 2);
    put(static_cast<std::uint64_t>(spec.channels), 2);
    put(static_cast<std::uint64_t>(spec.rate), 4);
    put(static_cast<std::uint64_t>(spec.rate) * spec.channels * bytesPer, 4);
    put(static_cast<std::uint64_t>(spec.channels * bytesPer), 2);
    put(static_cast<std::uint64_t>(8 * bytesPer), 2);
    b += "data";
    put(dataBytes, 4);
    for (std::uint64_t i = 0; i < spec.frames; ++i)
        for (int c = 0; c < spec.channels; ++c) {
            float v = sample ? sample(i, c) : testTone(i, c, spec.rate);
            if (spec.format == WavFormat::Float32) {
                std::uint32_t bits;
                static_assert(sizeof bits == sizeof v);
                std::memcpy(&bits, &v, 4);
                put(bits, 4);
                continue;
            }
            v = std::fmax(-1.f, std::fmin(1.f, v));
            if (spec.format == WavFormat::Pcm8) {
                put(static_cast<std::uint64_t>(std::lround(v * 127.0) + 128), 1);  // unsigned 8-bit
            } else {
                const int bits = 8 * bytesPer;
                const long s = std::lround(v * ((1L << (bits - 1)) - 1));
                put(static_cast<std::uint64_t>(s) & ((1ULL << bits) - 1), bytesPer);
            }
        }
    return b;
}

inline void writeBytes(const std::filesystem::path& file, const std::string& bytes)
{
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline void writeWav(const std::filesystem::path& file, const WavSpec& spec,
                     const std::function<float(std::uint64_t, int)>& sample = {})
{
    writeBytes(file, wavBytes(spec, sample));
}

} // namespace morph::test
