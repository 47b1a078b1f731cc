#pragma once
// Audio files of the dataset: read any format libsndfile reads (WAV 16/24/32-bit int or float,
// FLAC, OGG, ...) into mono float at a target rate, and write 16-bit PCM WAV atomically.
// NSynth notes are 16 kHz mono, 64000 samples. Whatever deviates is fixed and reported in
// `adjustments` (one human-readable line per change): another rate is resampled with
// libsamplerate (SRC_SINC_MEDIUM_QUALITY), several channels are averaged to mono, and
// loadNoteAudio pads with silence or trims to the target length (it decodes only the part it keeps:
// a 10-minute file given as a note costs a 4-second read). A length off by one sample
// after resampling (rounding) is fixed silently.
// A missing, empty, non-audio, corrupt or truncated file (the WAV header announces more frames
// than the file holds) throws AudioFileError naming the file and the reason.
// Thread contract: free functions, no shared state; call from any non-real-time thread.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace morph {

struct LoadedAudio {
    std::vector<float> samples;
    int sampleRate = 16000;
    std::vector<std::string> adjustments;  // "resampled 44100->16000", "mixed 2 channels to mono", ...
};

constexpr int kNSynthSampleRate = 16000;
constexpr std::size_t kNSynthNoteLength = 64000;

/// A note: mono, `targetRate`, exactly `targetLength` samples. Throws AudioFileError.
LoadedAudio loadNoteAudio(const std::filesystem::path&, int targetRate = kNSynthSampleRate,
                          std::size_t targetLength = kNSynthNoteLength);
/// Any length, mono, `targetRate` (0: keep the file's rate). Throws AudioFileError.
LoadedAudio loadAudio(const std::filesystem::path&, int targetRate = kNSynthSampleRate);
/// 16-bit PCM mono WAV, samples clipped to [-1, 1], written atomically (temp + rename).
/// Throws IoError (the previous file, if any, is kept).
void writeWav16(const std::filesystem::path&, const std::vector<float>& samples, int sampleRate);
/// Same, with `durable` false: still temp + rename (never a torn file) but no fsync, for bulk
/// writers that sync the whole file system once at the end (the dataset renderer).
void writeWav16(const std::filesystem::path&, const std::vector<float>& samples, int sampleRate, bool durable);

/// Resamples mono audio with libsamplerate (SRC_SINC_MEDIUM_QUALITY). Throws AudioFileError.
std::vector<float> resampleMono(const std::vector<float>& in, int fromRate, int toRate);

} // namespace morph
