#pragma once
// Feature cache: the dB spectrograms (log-magnitude or mel, METHOD §2) of a set of notes,
// computed once and stored as float16 in one memory-mapped file, so training reads slices
// without decoding audio. Leading/trailing silence is trimmed (frames whose loudest bin is below
// trimThresholdDb), keeping at least minFrames frames; the note's ref and trim offset are kept.
//
// File layout (little-endian), written to a temp file and renamed (atomic):
//   0   char[10] "MORPHFEAT\n", u16 0, u32 version
//   16  u64 noteCount, u64 bins, u64 dataOffset, u64 dataBytes,
//       u64 indexOffset, u64 namesOffset, u64 namesBytes, u64 jsonOffset, u64 jsonBytes
//   dataOffset  float16 frames, frame-major (frame * bins + bin), notes back to back
//   indexOffset noteCount x FeatureNote (48 bytes each)
//   namesOffset note_str of every note, '\0'-terminated
//   jsonOffset  JSON: settings, source (dataset root, label, note list hash), counts, build time
//
// Thread contract: build() runs on the calling thread plus ThreadPool::shared() workers. An
// opened FeatureCache is immutable; every const member may be used from any number of threads.
#include "util/CancelToken.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace morph {

class NSynthDataset;

struct FeatureSettings {
    bool mel = false;
    int sampleRate = 16000, nFft = 1024, hop = 512;
    float trimThresholdDb = -60.f;  // dsp::nonSilentFrames threshold
    int minFrames = 3;              // never trim below this (a slice needs 3 frames)
    int bins() const { return mel ? 128 : nFft / 2 + 1; }
    bool operator==(const FeatureSettings& o) const;
};

#pragma pack(push, 1)
struct FeatureNote {
    std::uint64_t frameOffset = 0;   // first stored frame, in frames from the data start
    std::uint32_t frames = 0;        // stored (trimmed) frames
    std::uint32_t firstFrame = 0;    // index of the first stored frame in the full note
    std::uint32_t totalFrames = 0;   // frames of the untrimmed note
    std::uint32_t datasetIndex = 0;  // index in the NSynthDataset it came from
    float ref = 1.f;                 // the note's dB reference (max magnitude)
    std::uint32_t nameOffset = 0;    // into the names section
    std::int32_t instrument = 0;
    std::uint8_t pitch = 0, velocity = 0, family = 0, source = 0;
    std::uint8_t split = 0;          // morph::Split
    std::uint8_t reserved[7] = {};
};
#pragma pack(pop)
static_assert(sizeof(FeatureNote) == 48, "FeatureNote is part of the file format");

struct FeatureBuildProgress {
    std::size_t done = 0, total = 0;
    double notesPerSecond = 0;
};

struct FeatureBuildReport {
    std::size_t notes = 0, frames = 0, skippedSilent = 0, failed = 0;
    std::vector<std::string> problems;  // "note: reason" for notes that could not be read
    /// Notes that were converted on load (another sample rate resampled, several channels mixed
    /// to mono, another length padded/trimmed): "note: resampled 44100->16000, ..." (first 1000).
    std::size_t adjusted = 0;
    std::vector<std::string> adjustments;
    double seconds = 0, notesPerSecond = 0;
    std::uint64_t bytes = 0;
};

class FeatureCache {
public:
    FeatureCache();
    ~FeatureCache();
    FeatureCache(FeatureCache&&) noexcept;
    FeatureCache& operator=(FeatureCache&&) noexcept;

    /// Memory-maps a cache file. Throws IoError (missing/unreadable) or DatasetError (not a
    /// feature cache, truncated, newer version), naming the file.
    static FeatureCache open(const std::filesystem::path& file);

    /// Computes the features of dataset notes `indices` (audio -> dsp::analyseNote -> trim ->
    /// float16) and writes `file` atomically. `label` names the set ("train", "valid", ...).
    /// Unreadable notes are skipped and reported; all-silent notes are skipped.
    /// Throws CancelledError (no file written) or IoError.
    static FeatureBuildReport build(const NSynthDataset& dataset, const std::vector<std::size_t>& indices,
                                    const FeatureSettings& settings, const std::string& label,
                                    const std::filesystem::path& file, const CancelToken& cancel = {},
                                    const std::function<void(const FeatureBuildProgress&)>& progress = {});

    /// Writes a cache from spectrograms already in memory (tests, synthetic data): `dbFrames[i]`
    /// holds notes[i].frames x bins dB values, frame-major. Offsets/name offsets are filled in.
    static void write(const std::filesystem::path& file, const FeatureSettings& settings, const std::string& label,
                      std::vector<FeatureNote> notes, const std::vector<std::vector<float>>& dbFrames,
                      const std::vector<std::string>& names, const std::string& sourceKey = {});

    /// Key identifying the source notes (dataset root + label + FNV of the note list), stored in
    /// the file so a cache can be reused only for exactly the same notes and settings.
    static std::string sourceKey(const NSynthDataset& dataset, const std::vector<std::size_t>& indices,
                                 const std::string& label);
    /// True when `file` exists, opens, and was built from `key` with `settings`.
    static bool matches(const std::filesystem::path& file, const FeatureSettings& settings, const std::string& key);

    bool isOpen() const;
    const std::filesystem::path& path() const;
    const FeatureSettings& settings() const;
    const std::string& label() const;
    std::string metadataJson() const;
    int bins() const;
    std::size_t noteCount() const;
    const FeatureNote& note(std::size_t i) const;
    std::string noteName(std::size_t i) const;
    std::uint64_t totalFrames() const;

    /// Slices of `width` frames (hop 1) that fit in note i's stored frames.
    std::size_t slicesOfNote(std::size_t i, int width) const;
    /// Converts `count` stored frames of note i starting at `first` to float, frame-major.
    void readFrames(std::size_t i, int first, int count, float* out) const;
    /// One model input slice (bins x width, layout of dsp/Slicing.h): frames first..first+width-1.
    void readSlice(std::size_t i, int first, int width, float* out) const;

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

/// Global slice addressing over a cache: slice k -> (note, first frame), for shuffling all slices
/// of all notes. Thread contract: immutable after construction.
class SliceIndex {
public:
    SliceIndex() = default;
    SliceIndex(const FeatureCache& cache, int width);
    std::uint64_t size() const { return starts_.empty() ? 0 : starts_.back(); }
    /// (note, first frame) of global slice k < size().
    std::pair<std::size_t, int> locate(std::uint64_t k) const;
    int width() const { return width_; }

private:
    std::vector<std::uint64_t> starts_;  // prefix sums, size noteCount + 1
    int width_ = 3;
};

} // namespace morph
