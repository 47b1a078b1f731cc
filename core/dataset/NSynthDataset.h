#pragma once
// NSynth dataset index (json/wav release layout): metadata of every note, queries and counts,
// all without touching audio. See docs in METHOD.md section 1.
//
// Layout accepted by open(root):
//   root/nsynth-train/, root/nsynth-valid/, root/nsynth-test/ (any subset), each holding
//   examples.json + audio/<note_str>.wav; or root itself is one such split folder (its split is
//   taken from the folder name: "train" / "valid" / "test" in it, else Unknown).
//
// Every entry of examples.json is validated (presence, type and range of each field,
// note_str == "<instrument_str>-<pitch:03d>-<velocity:03d>" == the entry's key, the WAV exists).
// A bad entry is skipped and listed in problems(); the rest still loads. An examples.json that is
// not JSON at all (malformed, truncated) skips its split, with a problem naming the file, byte
// offset and line; the other splits still load. When no split has a usable note, open() throws
// DatasetError carrying the first problem. The bad-input corpus and its table of cases:
// tests/data/bad/README.md.
//
// A binary index cache "<split>/.morph-index.bin" (or, when the split folder is read-only,
// $XDG_CACHE_HOME/morphstation/index/<hash>.bin, default ~/.cache/...) makes the second open
// fast; it is keyed by examples.json size + mtime, the audio/ folder's mtime and a format version.
//
// Notes are ordered by split (train, valid, test, unknown), then by note_str.
//
// Thread contract: open() may run on any thread (it is slow: call it off the GUI thread); it
// parses examples.json entries on ThreadPool::shared() (inline when called from a pool task). A
// dataset object is immutable after open(); copies are cheap (shared data) and every const
// member may be called from any number of threads at once.
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace morph {

enum class Split : uint8_t { Train, Valid, Test, Unknown };
constexpr int kSplitCount = 4;
constexpr int kFamilyCount = 11;
constexpr int kSourceCount = 3;
constexpr int kQualityCount = 10;

const char* splitName(Split);            // "train","valid","test","unknown"
const char* familyName(int family);      // 0 bass .. 10 vocal; "?" out of range
const char* sourceName(int source);      // acoustic, electronic, synthetic; "?" out of range
const char* qualityName(int quality);    // bright .. tempo-synced; "?" out of range
int familyFromName(std::string_view);    // -1 when unknown
int sourceFromName(std::string_view);    // -1 when unknown
std::optional<Split> parseSplit(std::string_view); // "train"/"valid"/"test"/"unknown"
/// "<instrument_str>-<pitch:03d>-<velocity:03d>", e.g. "guitar_acoustic_010-060-100".
std::string formatNoteStr(std::string_view instrumentStr, int pitch, int velocity);

struct NoteMeta {
    std::string noteStr, instrumentStr;
    int note = 0, instrument = 0, pitch = 0, velocity = 0, sampleRate = 16000;
    int family = 0, source = 0;
    uint16_t qualities = 0;              // bit i = quality i of METHOD §1
    Split split = Split::Unknown;

    bool hasQuality(int q) const { return (qualities >> q) & 1u; }
};

struct DatasetProblem {
    std::string file;     // examples.json or the WAV concerned
    std::string note;     // note_str (or the entry's key); empty for file-level problems
    std::string reason;   // what is wrong and what to do
};

struct NoteQuery {
    std::optional<Split> split;
    std::optional<int> family, source, instrument;
    int pitchMin = 0, pitchMax = 127;
    std::optional<int> velocity;
    uint16_t qualitiesAll = 0;           // every bit set here must be set in the note
    std::string nameContains;            // substring of note_str, ASCII case-insensitive

    bool matches(const NoteMeta&) const;
};

struct DatasetCounts {
    std::size_t notes = 0;
    std::size_t instruments = 0;                       // distinct instrument_str
    std::array<std::size_t, kSplitCount> bySplit{};
    std::array<std::size_t, kFamilyCount> byFamily{};
    std::array<std::size_t, kSourceCount> bySource{};
    std::array<std::size_t, 128> byPitch{};
    std::array<std::size_t, 128> byVelocity{};
    std::array<std::size_t, kQualityCount> byQuality{};
};

struct DatasetOpenOptions {
    bool checkAudio = true;       // one directory listing of audio/ per split (no stat per note)
    bool useCache = true;         // read/write the binary index cache
    std::filesystem::path cacheDir; // empty: beside the data, else XDG cache
};

/// How one split folder was indexed (for reports and benchmarks).
struct SplitSource {
    std::filesystem::path dir;
    Split split = Split::Unknown;
    bool fromCache = false;
    std::filesystem::path cacheFile;  // empty when no cache could be written or read
    std::string cacheError;           // why no index cache could be written ("" when it was)
    std::size_t notes = 0;
};

class NSynthDataset {
public:
    NSynthDataset();  // empty dataset (size 0, no root)

    static NSynthDataset open(const std::filesystem::path& root); // throws DatasetError if unusable
    static NSynthDataset open(const std::filesystem::path& root, const DatasetOpenOptions& options);

    std::size_t size() const;
    bool empty() const { return size() == 0; }
    const NoteMeta& note(std::size_t i) const;
    const std::vector<NoteMeta>& notes() const;
    std::filesystem::path audioPath(std::size_t i) const;
    std::optional<std::size_t> find(const std::string& noteStr) const;
    std::vector<std::size_t> query(const NoteQuery&) const;
    const std::vector<DatasetProblem>& problems() const;
    const std::filesystem::path& root() const;
    const std::vector<SplitSource>& sources() const;

    // Browsing helpers (no audio is touched).
    DatasetCounts counts(const NoteQuery& = {}) const;
    /// Distinct instrument_str of the notes matching the query, sorted.
    std::vector<std::string> instruments(const NoteQuery& = {}) const;
    std::vector<std::string> instrumentsInFamily(int family) const;
    /// Distinct pitches / velocities of one instrument, ascending.
    std::vector<int> pitches(const std::string& instrumentStr) const;
    std::vector<int> velocities(const std::string& instrumentStr, int pitch) const;
    /// Distinct splits present, in order train, valid, test, unknown.
    std::vector<Split> splits() const;

    /// Multi-line human summary: counts by split, family, source, and the number of problems.
    std::string summary() const;

private:
    struct Data;
    std::shared_ptr<const Data> d_;
    explicit NSynthDataset(std::shared_ptr<const Data> d);
};

} // namespace morph
