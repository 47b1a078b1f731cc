// SoundFont dataset renderer: a small render round-trips through the dataset index.
#include "dataset/AudioFile.h"
#include "dataset/NSynthDataset.h"
#include "render/DatasetRenderer.h"
#include "render/GmPrograms.h"
#include "util/Errors.h"

#include "support/TempDir.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace morph;
using namespace morph::render;

namespace {

const fs::path kSoundFont = "/usr/share/sounds/sf2/FluidR3_GM.sf2";

RenderOptions smallOptions(const fs::path& out)
{
    RenderOptions o;
    o.soundfont = kSoundFont;
    o.outDir = out;
    // Four keyboards (two acoustic, two electronic) so the keyboard family can be split three
    // ways, plus violin, trumpet and a mallet.
    o.programs = {0, 1, 2, 4, 40, 56, 13};
    o.pitchMin = 60;
    o.pitchMax = 72;
    o.pitchStep = 12;
    o.velocities = {100};
    o.validFraction = 0.25;
    o.testFraction = 0.25;
    o.jobs = 2;
    return o;
}

} // namespace

TEST(GmPrograms, MappingCoversAllFamiliesWithStableNames)
{
    std::set<int> families;
    for (int p = 0; p < 120; ++p) {
        const GmProgramClass& c = gmProgramClass(p);
        EXPECT_FALSE(c.skipByDefault) << p;
        int inDefaultGrid = 0;  // pitches 36, 40, ..., 84 of the default render
        for (int pitch = 36; pitch <= 84; pitch += 4)
            inDefaultGrid += pitch >= c.pitchLow && pitch <= c.pitchHigh;
        EXPECT_GE(inDefaultGrid, 3) << c.name;
        families.insert(c.family);
    }
    EXPECT_EQ(families.size(), 11u);  // every NSynth family has at least one GM program
    for (int p = 120; p < 128; ++p)
        EXPECT_TRUE(gmProgramClass(p).skipByDefault);
    EXPECT_EQ(gmInstrumentStr(0), "keyboard_acoustic_000");
    EXPECT_EQ(gmInstrumentStr(1), "keyboard_acoustic_001");
    EXPECT_EQ(gmInstrumentStr(2), "keyboard_electronic_000");
    EXPECT_EQ(gmInstrumentStr(3), "keyboard_acoustic_002");
    EXPECT_EQ(gmInstrumentStr(32), "bass_acoustic_000");
    EXPECT_EQ(gmInstrumentStr(52), "vocal_acoustic_000");
    EXPECT_EQ(gmInstrumentStr(91), "vocal_synthetic_001");
    EXPECT_EQ(gmProgramClass(73).family, familyFromName("flute"));
    EXPECT_EQ(gmProgramClass(62).source, sourceFromName("synthetic"));
    EXPECT_THROW(gmProgramClass(128), ConfigError);
}

TEST(Render, SplitsAreDisjointDeterministicAndNearTheFractions)
{
    std::vector<int> all;
    for (int p = 0; p < 120; ++p)
        all.push_back(p);
    const auto a = assignSplits(all, 1, 0.1, 0.1);
    EXPECT_EQ(a, assignSplits(all, 1, 0.1, 0.1));
    EXPECT_NE(a, assignSplits(all, 2, 0.1, 0.1));
    std::array<int, 3> count{};
    std::array<std::set<int>, 3> trainFamilies;
    for (const auto& [program, split] : a) {
        ++count[static_cast<int>(split)];
        trainFamilies[static_cast<int>(split)].insert(gmProgramClass(program).family);
    }
    EXPECT_EQ(count[0] + count[1] + count[2], 120);
    EXPECT_EQ(count[1], 12);
    EXPECT_EQ(count[2], 12);
    EXPECT_EQ(trainFamilies[0].size(), 11u);  // every family keeps training instruments
}

TEST(Render, EnvelopeQualities)
{
    const int rate = 16000;
    std::vector<float> sustained(64000), decaying(64000), ringing(64000);
    for (int i = 0; i < 64000; ++i) {
        const float s = std::sin(2.f * 3.14159265f * 440.f * i / rate);
        sustained[i] = i < 48000 ? s : s * std::exp(-(i - 48000) / 400.f);  // stops at note-off
        decaying[i] = s * std::exp(-i / 1600.f);                             // gone well before 3 s
        ringing[i] = s;                                                      // rings to the end
    }
    EXPECT_EQ(envelopeQualities(sustained, rate, 3.0), 0u);
    EXPECT_EQ(envelopeQualities(decaying, rate, 3.0), 1u << 3);   // fast_decay
    EXPECT_EQ(envelopeQualities(ringing, rate, 3.0), 1u << 4);    // long_release
}

TEST(Render, SmallDatasetRoundTripsThroughTheIndex)
{
    if (!fs::exists(kSoundFont))
        GTEST_SKIP() << "no " << kSoundFont << " (Debian package fluid-soundfont-gm)";
    test::TempDir tmp("morph-test-render");
    const fs::path out = tmp.path / "dataset"; // not there yet: the renderer creates it
    const RenderOptions o = smallOptions(out);
    std::size_t progressCalls = 0;
    const RenderReport r = renderDataset(o, [&](const RenderProgress&) { ++progressCalls; });
    EXPECT_GT(progressCalls, 0u);
    // Ranges: xylophone (13) starts at 60 and violin at 55, trumpet 52..84: all hold 60 and 72.
    EXPECT_EQ(r.planned, 14u);
    EXPECT_EQ(r.written, 14u);
    EXPECT_EQ(r.skippedSilent, 0u);
    EXPECT_EQ(r.notesBySplit[0] + r.notesBySplit[1] + r.notesBySplit[2], 14u);
    EXPECT_GT(r.notesBySplit[1], 0u);
    EXPECT_GT(r.notesBySplit[2], 0u);
    EXPECT_TRUE(fs::exists(out / ".complete"));

    DatasetOpenOptions open;
    open.cacheDir = out / "cache";
    const NSynthDataset ds = NSynthDataset::open(out, open);
    EXPECT_TRUE(ds.problems().empty());
    ASSERT_EQ(ds.size(), 14u);
    const DatasetCounts c = ds.counts();
    EXPECT_EQ(c.instruments, 7u);
    EXPECT_EQ(c.byFamily[familyFromName("keyboard")], 8u);
    EXPECT_EQ(c.byFamily[familyFromName("string")], 2u);
    EXPECT_EQ(c.byFamily[familyFromName("brass")], 2u);
    EXPECT_EQ(c.byFamily[familyFromName("mallet")], 2u);
    EXPECT_EQ(c.byPitch[60], 7u);
    EXPECT_EQ(c.byPitch[72], 7u);
    EXPECT_EQ(c.byVelocity[100], 14u);
    for (int s = 0; s < 3; ++s)
        EXPECT_EQ(c.bySplit[s], r.notesBySplit[s]);

    // Fields of one known note.
    const auto piano = ds.find("keyboard_acoustic_000-060-100");
    ASSERT_TRUE(piano.has_value());
    const NoteMeta& n = ds.note(*piano);
    EXPECT_EQ(n.instrument, 0);
    EXPECT_EQ(n.instrumentStr, "keyboard_acoustic_000");
    EXPECT_EQ(n.family, 4);
    EXPECT_EQ(n.source, 0);
    EXPECT_EQ(n.sampleRate, 16000);
    EXPECT_EQ(n.note, 0);  // first in (program, pitch, velocity) order
    const NoteMeta& violin = ds.note(*ds.find("string_acoustic_000-072-100"));
    EXPECT_EQ(violin.instrument, 40);

    // Splits are disjoint by instrument.
    std::map<std::string, Split> splitOf;
    for (const auto& note : ds.notes()) {
        auto [it, inserted] = splitOf.emplace(note.instrumentStr, note.split);
        EXPECT_EQ(it->second, note.split) << note.instrumentStr << " is in two splits";
    }
    // Every note's audio loads: 64000 samples at 16 kHz, normalised peak, not silent.
    for (std::size_t i = 0; i < ds.size(); ++i) {
        const LoadedAudio a = loadNoteAudio(ds.audioPath(i));
        ASSERT_EQ(a.samples.size(), 64000u);
        EXPECT_TRUE(a.adjustments.empty());
        float peak = 0.f;
        for (float v : a.samples)
            peak = std::max(peak, std::abs(v));
        EXPECT_NEAR(peak, 0.9f, 0.001f) << ds.note(i).noteStr;
    }
    // The note is held 3 s then released: the piano is much quieter in the last 100 ms than in
    // the first second.
    const LoadedAudio p = loadNoteAudio(ds.audioPath(*piano));
    auto rms = [&](std::size_t a, std::size_t b) {
        double e = 0;
        for (std::size_t i = a; i < b; ++i)
            e += p.samples[i] * p.samples[i];
        return std::sqrt(e / static_cast<double>(b - a));
    };
    EXPECT_LT(rms(62400, 64000), 0.1 * rms(0, 16000));

    // Rendering again needs --force; with it every file is byte-identical (deterministic), even
    // with another thread count, i.e. other notes rendered before each one on the same synth.
    EXPECT_THROW(renderDataset(o), ConfigError);
    auto readFile = [](const fs::path& file) {
        std::ifstream in(file, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    std::map<std::string, std::string> before;
    for (std::size_t i = 0; i < ds.size(); ++i)
        before[ds.note(i).noteStr] = readFile(ds.audioPath(i));
    RenderOptions again = o;
    again.force = true;
    again.jobs = 1;
    renderDataset(again);
    for (std::size_t i = 0; i < ds.size(); ++i)
        EXPECT_TRUE(readFile(ds.audioPath(i)) == before[ds.note(i).noteStr]) << ds.note(i).noteStr << " changed";
}

TEST(Render, RefusesForeignFoldersAndBadOptions)
{
    test::TempDir tmp("morph-test-render");
    std::ofstream(tmp.path / "precious.txt") << "user data";
    RenderOptions o = smallOptions(tmp.path);
    try {
        renderDataset(o);
        FAIL() << "rendered into a foreign folder";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("not empty"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(fs::exists(tmp.path / "precious.txt"));
    RenderOptions bad = smallOptions(tmp.path / "new");
    bad.soundfont = tmp.path / "missing.sf2";
    EXPECT_THROW(renderDataset(bad), ConfigError);
    bad = smallOptions(tmp.path / "new");
    bad.pitchMin = 80;
    bad.pitchMax = 20;
    EXPECT_THROW(renderDataset(bad), ConfigError);
    bad = smallOptions(tmp.path / "new");
    bad.velocities = {0};
    EXPECT_THROW(renderDataset(bad), ConfigError);
    EXPECT_FALSE(fs::exists(tmp.path / "new"));
}

TEST(Render, CliRendersAndIndexes)
{
    const char* cli = std::getenv("MORPH_CLI");
    if (!cli || !fs::exists(kSoundFont))
        GTEST_SKIP() << "MORPH_CLI not set or no SoundFont";
    test::TempDir tmp("morph-test-render");
    const std::string out = (tmp.path / "dataset").string();
    const std::string render = std::string(cli) + " render-dataset --quiet --out " + out
                               + " --programs 0,40-41 --pitch-min 60 --pitch-max 60 --velocities 127 --jobs 2 > "
                               + out + ".log 2>&1";
    ASSERT_EQ(std::system(render.c_str()), 0);
    const std::string index = std::string(cli) + " index " + out + " > " + out + ".idx 2>&1";
    EXPECT_EQ(std::system(index.c_str()), 0);
    std::ifstream log(out + ".idx");
    const std::string text((std::istreambuf_iterator<char>(log)), {});
    EXPECT_NE(text.find("notes 3, instruments 3"), std::string::npos) << text;
    EXPECT_NE(text.find("usable: yes"), std::string::npos) << text;
    // index on a folder without data exits non-zero with a clear message.
    const std::string bad = std::string(cli) + " index " + out + "/nsynth-none > " + out + ".bad 2>&1";
    EXPECT_NE(std::system(bad.c_str()), 0);
    std::ifstream badLog(out + ".bad");
    const std::string badText((std::istreambuf_iterator<char>(badLog)), {});
    EXPECT_NE(badText.find("does not exist"), std::string::npos) << badText;
    fs::remove(out + ".log");
    fs::remove(out + ".idx");
    fs::remove(out + ".bad");
}
