// NSynth dataset index: real notes, validation of bad inputs, and the index cache.
#include "dataset/AudioFile.h"
#include "dataset/NSynthDataset.h"
#include "util/Errors.h"

#include "support/TempDir.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace morph;

namespace {

const fs::path kRealData = fs::path(MORPH_SHARED_DATA_DIR) / "nsynth-test-pitch60";

void writeText(const fs::path& file, const std::string& text)
{
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
}

struct Entry {
    std::string instrumentStr = "guitar_acoustic_010";
    int pitch = 60, velocity = 100, family = 3, source = 0, note = 7, instrument = 10;
    std::string familyStr = "guitar", sourceStr = "acoustic";
    std::string noteStrOverride;
    std::string key() const
    {
        return noteStrOverride.empty() ? formatNoteStr(instrumentStr, pitch, velocity) : noteStrOverride;
    }
};

/// One examples.json entry in NSynth's format; `replace` swaps a field's JSON text, `drop` removes it.
std::string entryJson(const Entry& e, const std::string& field = {}, const std::string& replacement = {},
                      bool drop = false)
{
    std::vector<std::pair<std::string, std::string>> fields = {
        {"qualities", "[0, 0, 0, 1, 0, 0, 0, 0, 0, 0]"},
        {"pitch", std::to_string(e.pitch)},
        {"note", std::to_string(e.note)},
        {"instrument_source_str", "\"" + e.sourceStr + "\""},
        {"velocity", std::to_string(e.velocity)},
        {"instrument_str", "\"" + e.instrumentStr + "\""},
        {"instrument", std::to_string(e.instrument)},
        {"sample_rate", "16000"},
        {"qualities_str", "[\"fast_decay\"]"},
        {"instrument_source", std::to_string(e.source)},
        {"note_str", "\"" + e.key() + "\""},
        {"instrument_family", std::to_string(e.family)},
        {"instrument_family_str", "\"" + e.familyStr + "\""},
    };
    std::string out = "{\n";
    bool first = true;
    for (const auto& [k, v] : fields) {
        if (k == field && drop)
            continue;
        if (!first)
            out += ",\n";
        first = false;
        out += "        \"" + k + "\": " + (k == field ? replacement : v);
    }
    return out + "\n    }";
}

/// Writes a dataset folder with the given entries (key -> json) and a short valid WAV per key
/// unless `withAudio` is false.
void writeDataset(const fs::path& dir, const std::vector<std::pair<std::string, std::string>>& entries,
                  bool withAudio = true)
{
    std::string json = "{\n";
    for (std::size_t i = 0; i < entries.size(); ++i)
        json += "    \"" + entries[i].first + "\": " + entries[i].second + (i + 1 < entries.size() ? ",\n" : "\n");
    json += "}\n";
    writeText(dir / "examples.json", json);
    fs::create_directories(dir / "audio");
    if (withAudio)
        for (const auto& [key, unused] : entries)
            writeWav16(dir / "audio" / (key + ".wav"), std::vector<float>(1600, 0.1f), 16000);
}

std::string readWholeFileForTest(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

DatasetOpenOptions optionsWithCache(const fs::path& cacheDir)
{
    DatasetOpenOptions o;
    o.cacheDir = cacheDir;
    return o;
}

std::string openError(const fs::path& dir, DatasetOpenOptions options = {})
{
    options.useCache = false;
    try {
        NSynthDataset::open(dir, options);
    } catch (const DatasetError& e) {
        return e.what();
    }
    return "(no error)";
}

class DatasetTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        // Keep index caches of read-only data out of the real home folder.
        ::setenv("XDG_CACHE_HOME", cache.path.c_str(), 1);
    }
    test::TempDir tmp{"morph-test-dataset"};
    test::TempDir cache{"morph-test-dataset-cache"};
};

} // namespace

TEST(DatasetNames, FamiliesSourcesQualitiesAndNoteStr)
{
    EXPECT_STREQ(familyName(0), "bass");
    EXPECT_STREQ(familyName(9), "synth_lead");
    EXPECT_STREQ(familyName(10), "vocal");
    EXPECT_STREQ(familyName(11), "?");
    EXPECT_STREQ(sourceName(2), "synthetic");
    EXPECT_STREQ(qualityName(9), "tempo-synced");
    EXPECT_EQ(familyFromName("mallet"), 5);
    EXPECT_EQ(sourceFromName("electronic"), 1);
    EXPECT_EQ(familyFromName("drums"), -1);
    EXPECT_EQ(formatNoteStr("guitar_acoustic_010", 60, 5), "guitar_acoustic_010-060-005");
    EXPECT_STREQ(splitName(Split::Valid), "valid");
    EXPECT_EQ(parseSplit("test"), Split::Test);
}

TEST_F(DatasetTest, RealNotesLoadWithTheirMetadata)
{
    const NSynthDataset ds = NSynthDataset::open(kRealData);
    ASSERT_EQ(ds.size(), 60u);
    EXPECT_TRUE(ds.problems().empty());
    EXPECT_EQ(ds.splits(), std::vector<Split>{Split::Test});  // folder name contains "test"

    const auto organ = ds.find("organ_electronic_001-060-127");
    ASSERT_TRUE(organ.has_value());
    const NoteMeta& o = ds.note(*organ);
    EXPECT_EQ(o.note, 248525);
    EXPECT_EQ(o.instrument, 8);
    EXPECT_EQ(o.instrumentStr, "organ_electronic_001");
    EXPECT_EQ(o.pitch, 60);
    EXPECT_EQ(o.velocity, 127);
    EXPECT_EQ(o.family, 6);
    EXPECT_EQ(o.source, 1);
    EXPECT_EQ(o.sampleRate, 16000);
    EXPECT_EQ(o.qualities, 1u << 1);  // dark
    EXPECT_EQ(o.split, Split::Test);

    const NoteMeta& k = ds.note(*ds.find("keyboard_electronic_002-060-050"));
    EXPECT_EQ(k.note, 214594);
    EXPECT_EQ(k.instrument, 50);
    EXPECT_EQ(k.family, 4);
    EXPECT_EQ(k.qualities, 0u);

    const NoteMeta& b = ds.note(*ds.find("bass_electronic_018-060-075"));
    EXPECT_EQ(b.note, 150009);
    EXPECT_EQ(b.instrument, 759);
    EXPECT_EQ(b.velocity, 75);
    EXPECT_EQ(b.family, 0);
    EXPECT_TRUE(b.hasQuality(3));  // fast_decay
    EXPECT_FALSE(ds.find("bass_electronic_018-060-076").has_value());

    // Counts computed from examples.json by hand (python json).
    const DatasetCounts c = ds.counts();
    EXPECT_EQ(c.notes, 60u);
    EXPECT_EQ(c.instruments, 40u);
    EXPECT_EQ(c.byFamily[0], 8u);   // bass
    EXPECT_EQ(c.byFamily[6], 11u);  // organ
    EXPECT_EQ(c.byFamily[9], 0u);   // no synth_lead at pitch 60 in this subset
    EXPECT_EQ(c.bySource[0], 31u);
    EXPECT_EQ(c.bySource[1], 20u);
    EXPECT_EQ(c.bySource[2], 9u);
    EXPECT_EQ(c.byPitch[60], 60u);
    EXPECT_EQ(c.byVelocity[127], 14u);

    // Queries.
    NoteQuery q;
    q.family = 0;
    EXPECT_EQ(ds.query(q).size(), 8u);
    q.velocity = 75;
    for (auto i : ds.query(q)) {
        EXPECT_EQ(ds.note(i).family, 0);
        EXPECT_EQ(ds.note(i).velocity, 75);
    }
    NoteQuery byName;
    byName.nameContains = "ORGAN_ELECTRONIC";
    EXPECT_EQ(ds.query(byName).size(), ds.counts(byName).notes);
    EXPECT_GT(ds.query(byName).size(), 0u);
    NoteQuery dark;
    dark.qualitiesAll = 1u << 1;
    EXPECT_EQ(ds.query(dark).size(), 17u);
    NoteQuery high;
    high.pitchMin = 61;
    EXPECT_TRUE(ds.query(high).empty());
    EXPECT_EQ(ds.instrumentsInFamily(0).size(), 8u);
    EXPECT_EQ(ds.pitches("organ_electronic_001"), std::vector<int>{60});
    EXPECT_FALSE(ds.velocities("organ_electronic_001", 60).empty());

    // Notes are sorted by note_str within the split.
    for (std::size_t i = 1; i < ds.size(); ++i)
        EXPECT_LT(ds.note(i - 1).noteStr, ds.note(i).noteStr);
}

TEST_F(DatasetTest, RealAudioLoads)
{
    const NSynthDataset ds = NSynthDataset::open(kRealData);
    for (std::size_t i = 0; i < ds.size(); i += 7) {
        const LoadedAudio a = loadNoteAudio(ds.audioPath(i));
        EXPECT_EQ(a.samples.size(), 64000u) << ds.note(i).noteStr;
        EXPECT_EQ(a.sampleRate, 16000);
        EXPECT_TRUE(a.adjustments.empty()) << a.adjustments.front();
        float peak = 0.f;
        for (float v : a.samples)
            peak = std::max(peak, std::abs(v));
        EXPECT_GT(peak, 0.01f) << ds.note(i).noteStr;
        EXPECT_LE(peak, 1.f);
    }
}

TEST_F(DatasetTest, ValidEntriesLoadAndBadOnesAreReportedPerNote)
{
    Entry good;
    Entry other;
    other.pitch = 62;
    Entry missingField;
    missingField.pitch = 64;
    Entry wrongType;
    wrongType.pitch = 65;
    Entry disagrees;  // note_str says pitch 66 but the field says 67
    disagrees.pitch = 67;
    disagrees.noteStrOverride = "guitar_acoustic_010-066-100";
    Entry outOfRange;
    outOfRange.pitch = 68;
    Entry familyMismatch;
    familyMismatch.pitch = 69;
    familyMismatch.familyStr = "brass";
    Entry noWav;
    noWav.pitch = 70;

    const fs::path dir = tmp.path / "nsynth-valid";
    writeDataset(dir, {
        {good.key(), entryJson(good)},
        {other.key(), entryJson(other)},
        {missingField.key(), entryJson(missingField, "velocity", "", true)},
        {wrongType.key(), entryJson(wrongType, "pitch", "\"65\"")},
        {disagrees.key(), entryJson(disagrees)},
        {outOfRange.key(), entryJson(outOfRange, "instrument_family", "11")},
        {familyMismatch.key(), entryJson(familyMismatch)},
        {noWav.key(), entryJson(noWav)},
        {"key-differs-from-note_str", entryJson(good)},
    });
    fs::remove(dir / "audio" / (noWav.key() + ".wav"));

    const NSynthDataset ds = NSynthDataset::open(tmp.path, optionsWithCache(cache.path));
    EXPECT_EQ(ds.size(), 2u);
    EXPECT_TRUE(ds.find(good.key()).has_value());
    EXPECT_TRUE(ds.find(other.key()).has_value());
    EXPECT_EQ(ds.note(0).split, Split::Valid);

    std::map<std::string, std::string> reasons;
    for (const auto& p : ds.problems())
        reasons[p.note] = p.reason;
    ASSERT_EQ(ds.problems().size(), 7u);
    EXPECT_NE(reasons[missingField.key()].find("missing field 'velocity'"), std::string::npos)
        << reasons[missingField.key()];
    EXPECT_NE(reasons[wrongType.key()].find("field 'pitch' must be an integer, found a string"), std::string::npos)
        << reasons[wrongType.key()];
    EXPECT_NE(reasons[disagrees.key()].find("disagrees with instrument_str/pitch/velocity"), std::string::npos)
        << reasons[disagrees.key()];
    EXPECT_NE(reasons[outOfRange.key()].find("'instrument_family' is 11, outside 0..10"), std::string::npos)
        << reasons[outOfRange.key()];
    EXPECT_NE(reasons[familyMismatch.key()].find("instrument_family_str 'brass' disagrees"), std::string::npos)
        << reasons[familyMismatch.key()];
    EXPECT_NE(reasons[noWav.key()].find("audio file missing"), std::string::npos) << reasons[noWav.key()];
    EXPECT_NE(reasons["key-differs-from-note_str"].find("differs from its note_str"), std::string::npos);
    for (const auto& p : ds.problems())
        EXPECT_FALSE(p.file.empty());
}

TEST_F(DatasetTest, InvalidJsonThrowsWithByteOffsetAndLine)
{
    Entry a, b;
    b.pitch = 61;
    const fs::path dir = tmp.path / "one-split";
    // Missing ',' between the two entries: the error points at the second key.
    const std::string first = "{\n    \"" + a.key() + "\": " + entryJson(a) + "\n";
    writeText(dir / "examples.json", first + "    \"" + b.key() + "\": " + entryJson(b) + "\n}\n");
    const std::string msg = openError(dir);
    const std::size_t expectedOffset = first.size() + 4;
    EXPECT_NE(msg.find("examples.json at byte " + std::to_string(expectedOffset)), std::string::npos) << msg;
    EXPECT_NE(msg.find("(line 17)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("expected ',' or '}'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("re-download"), std::string::npos) << msg;

    // A syntax error inside an entry (a missing ':' in a field) is located by simdjson.
    std::string bad = "{\"" + a.key() + "\": " + entryJson(a) + "}";
    const std::size_t at = bad.find("\"velocity\": ");
    bad.replace(at, 12, "\"velocity\" ");
    writeText(dir / "examples.json", bad);
    const std::string inner = openError(dir);
    EXPECT_NE(inner.find("malformed JSON in the entry"), std::string::npos) << inner;
    EXPECT_NE(inner.find("at byte "), std::string::npos) << inner;

    // Truncated file.
    writeText(dir / "examples.json", first.substr(0, first.size() - 40));
    const std::string trunc = openError(dir);
    EXPECT_NE(trunc.find("truncated"), std::string::npos) << trunc;

    // Not an object at the top level.
    writeText(dir / "examples.json", "[1, 2]");
    EXPECT_NE(openError(dir).find("at byte 0"), std::string::npos) << openError(dir);
}

TEST_F(DatasetTest, EmptyExamplesJsonIsAClearError)
{
    const fs::path dir = tmp.path / "nsynth-test";
    writeText(dir / "examples.json", "");
    fs::create_directories(dir / "audio");
    std::string msg = openError(tmp.path);
    EXPECT_NE(msg.find("no usable notes"), std::string::npos) << msg;
    EXPECT_NE(msg.find("empty"), std::string::npos) << msg;
    writeText(dir / "examples.json", "{ }\n");
    msg = openError(tmp.path);
    EXPECT_NE(msg.find("no usable notes"), std::string::npos) << msg;
    EXPECT_NE(msg.find("{}"), std::string::npos) << msg;

    EXPECT_NE(openError(tmp.path / "does-not-exist").find("does not exist"), std::string::npos);
    fs::create_directories(tmp.path / "nothing-here");
    EXPECT_NE(openError(tmp.path / "nothing-here").find("no NSynth data"), std::string::npos);
}

TEST_F(DatasetTest, IndexCacheIsUsedAndRebuiltWhenExamplesJsonChanges)
{
    Entry a, b;
    b.pitch = 62;
    const fs::path dir = tmp.path / "nsynth-train";
    writeDataset(dir, {{a.key(), entryJson(a)}});
    DatasetOpenOptions options;  // cache beside the data (the folder is writable)
    NSynthDataset first = NSynthDataset::open(tmp.path, options);
    ASSERT_EQ(first.sources().size(), 1u);
    EXPECT_FALSE(first.sources()[0].fromCache);
    EXPECT_EQ(first.sources()[0].cacheFile, dir / ".morph-index.bin");
    EXPECT_TRUE(fs::exists(dir / ".morph-index.bin"));

    NSynthDataset second = NSynthDataset::open(tmp.path, options);
    EXPECT_TRUE(second.sources()[0].fromCache);
    ASSERT_EQ(second.size(), 1u);
    EXPECT_EQ(second.note(0).noteStr, first.note(0).noteStr);
    EXPECT_EQ(second.note(0).qualities, first.note(0).qualities);
    EXPECT_EQ(second.note(0).split, Split::Train);

    // Change examples.json (size and mtime change): the cache is rebuilt.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    writeDataset(dir, {{a.key(), entryJson(a)}, {b.key(), entryJson(b)}});
    NSynthDataset third = NSynthDataset::open(tmp.path, options);
    EXPECT_FALSE(third.sources()[0].fromCache);
    EXPECT_EQ(third.size(), 2u);
    EXPECT_TRUE(NSynthDataset::open(tmp.path, options).sources()[0].fromCache);

    // A WAV removed changes audio/'s mtime: rebuilt, and the note is now a problem.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    fs::remove(dir / "audio" / (b.key() + ".wav"));
    NSynthDataset fourth = NSynthDataset::open(tmp.path, options);
    EXPECT_FALSE(fourth.sources()[0].fromCache);
    EXPECT_EQ(fourth.size(), 1u);
    EXPECT_EQ(fourth.problems().size(), 1u);

    // A corrupt cache file is ignored and rewritten.
    writeText(dir / ".morph-index.bin", "garbage");
    NSynthDataset fifth = NSynthDataset::open(tmp.path, options);
    EXPECT_FALSE(fifth.sources()[0].fromCache);
    EXPECT_EQ(fifth.size(), 1u);
    EXPECT_TRUE(NSynthDataset::open(tmp.path, options).sources()[0].fromCache);
}

TEST_F(DatasetTest, ReadOnlyFolderCachesUnderXdgCacheHome)
{
    Entry a;
    const fs::path dir = tmp.path / "nsynth-test";
    writeDataset(dir, {{a.key(), entryJson(a)}});
    fs::permissions(dir, fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                    fs::perm_options::remove);
    NSynthDataset first = NSynthDataset::open(tmp.path);
    NSynthDataset second = NSynthDataset::open(tmp.path);
    fs::permissions(dir, fs::perms::owner_write, fs::perm_options::add);
    EXPECT_FALSE(fs::exists(dir / ".morph-index.bin"));
    EXPECT_FALSE(first.sources()[0].fromCache);
    EXPECT_TRUE(second.sources()[0].fromCache);
    EXPECT_EQ(second.sources()[0].cacheFile.parent_path(), cache.path / "morphstation" / "index");
    EXPECT_EQ(second.size(), 1u);
}

TEST_F(DatasetTest, SplitFoldersAreReadTogether)
{
    Entry a, b, c;
    b.instrumentStr = "brass_acoustic_001";
    b.family = 1;
    b.familyStr = "brass";
    c.instrumentStr = "reed_acoustic_002";
    c.family = 7;
    c.familyStr = "reed";
    writeDataset(tmp.path / "nsynth-train", {{a.key(), entryJson(a)}});
    writeDataset(tmp.path / "nsynth-valid", {{b.key(), entryJson(b)}});
    writeDataset(tmp.path / "nsynth-test", {{c.key(), entryJson(c)}});
    const NSynthDataset ds = NSynthDataset::open(tmp.path, optionsWithCache(cache.path));
    ASSERT_EQ(ds.size(), 3u);
    EXPECT_EQ(ds.note(0).split, Split::Train);
    EXPECT_EQ(ds.note(1).split, Split::Valid);
    EXPECT_EQ(ds.note(2).split, Split::Test);
    EXPECT_EQ(ds.audioPath(1), tmp.path / "nsynth-valid" / "audio" / (b.key() + ".wav"));
    EXPECT_EQ(ds.audioPath(2), tmp.path / "nsynth-test" / "audio" / (c.key() + ".wav"));
    NoteQuery q;
    q.split = Split::Valid;
    EXPECT_EQ(ds.query(q), std::vector<std::size_t>{1});
    EXPECT_EQ(*ds.find(c.key()), 2u);
    // Copies share the data.
    const NSynthDataset copy = ds;
    EXPECT_EQ(&copy.note(0), &ds.note(0));
}

TEST_F(DatasetTest, DuplicateKeysKeepTheFirstEntry)
{
    Entry a, b;
    b.note = 99;  // same note_str, other note id
    b.pitch = 60;
    const fs::path dir = tmp.path / "nsynth-train";
    writeDataset(dir, {{a.key(), entryJson(a)}, {b.key(), entryJson(b)}});
    const NSynthDataset ds = NSynthDataset::open(tmp.path, optionsWithCache(cache.path));
    ASSERT_EQ(ds.size(), 1u);
    EXPECT_EQ(ds.note(0).note, 7);
    ASSERT_EQ(ds.problems().size(), 1u);
    EXPECT_NE(ds.problems()[0].reason.find("duplicate"), std::string::npos);
}

TEST_F(DatasetTest, ManyEntriesAcrossReadBlocksKeepOrderAndOffsets)
{
    // > 4 MB of JSON so that entries straddle the reader's block boundaries and several
    // parallel batches run; one bad entry near the end is reported with its key.
    const fs::path dir = tmp.path / "nsynth-valid";
    std::vector<std::pair<std::string, std::string>> entries;
    for (int i = 0; i < 9000; ++i) {
        Entry e;
        e.instrumentStr = "guitar_acoustic_" + std::to_string(100 + i / 50);
        e.pitch = 21 + (i % 50);
        e.note = i;
        entries.emplace_back(e.key(), i == 6500 ? entryJson(e, "velocity", "1000") : entryJson(e));
    }
    writeDataset(dir, entries, false);
    DatasetOpenOptions o = optionsWithCache(cache.path);
    o.checkAudio = false;
    const NSynthDataset ds = NSynthDataset::open(tmp.path, o);
    ASSERT_GT(fs::file_size(dir / "examples.json"), 4u << 20);
    EXPECT_EQ(ds.size(), 8999u);
    ASSERT_EQ(ds.problems().size(), 1u);
    EXPECT_EQ(ds.problems()[0].note, entries[6500].first);
    EXPECT_NE(ds.problems()[0].reason.find("'velocity' is 1000, outside 0..127"), std::string::npos);
    for (std::size_t i = 1; i < ds.size(); ++i)
        ASSERT_LT(ds.note(i - 1).noteStr, ds.note(i).noteStr);
    EXPECT_EQ(ds.note(*ds.find(entries[3333].first)).note, 3333);

    // A syntax error deep in the file: the offset is the exact byte.
    std::string json = readWholeFileForTest(dir / "examples.json");
    const std::size_t at = json.find("\"pitch\"", json.size() - 3000);
    json[at + 7] = ';';  // "pitch"; 60 instead of "pitch": 60
    writeText(dir / "examples.json", json);
    const std::string msg = openError(tmp.path, o);
    EXPECT_NE(msg.find("at byte " + std::to_string(at + 7)), std::string::npos) << msg;
}
