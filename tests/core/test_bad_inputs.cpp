// The bad-input corpus (tests/data/bad, table in README.md there) through the dataset layer, the
// audio loader, the feature cache and the checkpoint loader: every case gives its documented
// message naming what is wrong and where, nothing crashes, and the rest of the dataset stays
// usable. Here the CLI runs once (index); every CLI case is in test_bad_inputs_cli_slow.
#include "support/TinyModel.h"  // torch first

#include "support/BadCorpus.h"
#include "support/RunProcess.h"

#include "dataset/AudioFile.h"
#include "dataset/NSynthDataset.h"
#include "model/CheckpointInfo.h"
#include "model/ModelRunner.h"
#include "model/TorchCheckpoint.h"
#include "train/FeatureCache.h"
#include "util/Errors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>

namespace fs = std::filesystem;
using namespace morph;
using morph::test::audioCases;
using morph::test::BadCorpus;
using morph::test::goodNotes;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// The problem reported for `note`, or "" when none.
std::string problemOf(const NSynthDataset& ds, const std::string& note, std::string* file = nullptr)
{
    for (const auto& p : ds.problems())
        if (p.note == note) {
            if (file)
                *file = p.file;
            return p.reason;
        }
    return {};
}

std::string openError(const fs::path& root)
{
    try {
        NSynthDataset::open(root, DatasetOpenOptions{true, false, {}});
    } catch (const DatasetError& e) {
        return e.what();
    }
    return "(no error)";
}

class BadInputs : public ::testing::Test {
protected:
    static void SetUpTestSuite() { corpus = new BadCorpus(); }
    static void TearDownTestSuite()
    {
        delete corpus;
        corpus = nullptr;
    }
    static BadCorpus* corpus;
};
BadCorpus* BadInputs::corpus = nullptr;

// --- dataset: examples.json entries -------------------------------------------------------------

TEST_F(BadInputs, DatasetKeepsEveryGoodNoteAndNamesEveryBadEntry)
{
    const NSynthDataset ds = NSynthDataset::open(corpus->root, DatasetOpenOptions{true, false, {}});
    const std::string json = (corpus->split / "examples.json").string();

    // Usable: the good notes (unicode and spaces in the name included) and every audio case with a
    // WAV file (the audio itself is judged when it is loaded, not when the index is built).
    std::set<std::string> usable;
    for (const auto& n : ds.notes())
        usable.insert(n.noteStr);
    std::set<std::string> expected(goodNotes().begin(), goodNotes().end());
    for (const auto& c : audioCases())
        expected.insert(c.note);
    EXPECT_EQ(usable, expected);

    // Each bad entry: skipped, with the field and the reason; the file is examples.json.
    const std::map<std::string, std::string> reasons = {
        {"bad_pitch_type_030-060-100", "field 'pitch' must be an integer, found a string"},
        {"bad_pitch_range_031-200-100", "field 'pitch' is 200, outside 0..127"},
        {"bad_velocity_range_032-060-128", "field 'velocity' is 128, outside 0..127"},
        {"bad_family_033-060-100", "field 'instrument_family' is 11, outside 0..10"},
        {"bad_missing_field_034-060-100", "missing field 'instrument_str'"},
        {"bad_float_int_035-060-100", "field 'velocity' must be an integer"},
        {"other_name_036-060-100", "the entry's key 'other_name_036-060-100' differs from its note_str"},
        {"bad_sample_rate_037-060-100", "field 'sample_rate' is 0, outside 1..1000000"},
        {"bad_qualities_038-060-100", "field 'qualities' must be an array of 10 integers 0/1"},
        {"bad_not_object_039-060-100", "entry must be an object, found a number"},
        {"bad_family_str_040-060-100", "instrument_family_str 'brass' disagrees with instrument_family 3 (guitar)"},
        {"bad_null_042-060-100", "field 'pitch' must be an integer, found null"},
        {"bad_negative_043-060-100", "field 'instrument' is -5, outside 0.."},
        {"bad_utf8_\xff_041-060-100", "not valid UTF-8"},
    };
    for (const auto& [note, reason] : reasons) {
        std::string file;
        const std::string got = problemOf(ds, note, &file);
        EXPECT_TRUE(contains(got, reason)) << note << ": got '" << got << "', expected '" << reason << "'";
        EXPECT_EQ(file, json) << note;
    }
    // Missing audio (or a folder named .wav): skipped, the problem names the WAV.
    for (const std::string note : {"audio_missing_010-060-100", "audio_directory_023-060-100"}) {
        std::string file;
        EXPECT_TRUE(contains(problemOf(ds, note, &file), "audio file missing; the note is skipped")) << note;
        EXPECT_EQ(file, (corpus->split / "audio" / (note + ".wav")).string());
    }

    // Duplicate key: the first entry is kept (keyboard, instrument 0), the second is reported.
    EXPECT_TRUE(contains(problemOf(ds, "good_keyboard_000-060-100"), "duplicate entry; the first one is kept"));
    const auto kept = ds.find("good_keyboard_000-060-100");
    ASSERT_TRUE(kept.has_value());
    EXPECT_EQ(ds.note(*kept).family, 4);
    EXPECT_EQ(ds.note(*kept).instrument, 0);

    // Declared at 44.1 kHz: accepted (the metadata is valid); the loader converts it.
    const auto meta44 = ds.find("audio_meta44k_024-060-100");
    ASSERT_TRUE(meta44.has_value());
    EXPECT_EQ(ds.note(*meta44).sampleRate, 44100);

    EXPECT_EQ(ds.problems().size(), reasons.size() + 3);  // + missing audio, folder .wav, duplicate
}

TEST_F(BadInputs, CliIndexListsEveryProblemAndStaysUsable)
{
    if (morph::test::cliPath().empty())
        GTEST_SKIP() << "MORPH_CLI is not set (run through ctest)";
    const auto r = morph::test::runCli({"index", corpus->root.string(), "--no-cache", "--all-problems"});
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "validation: 17 problems (each skips the note concerned)")) << r.output;
    EXPECT_TRUE(contains(r.output, (corpus->split / "examples.json").string() +
                                       " [bad_pitch_range_031-200-100]: field 'pitch' is 200, outside 0..127"))
        << r.output;
    EXPECT_TRUE(contains(r.output, "[bad_utf8_\xff_041-060-100]: the entry is not valid UTF-8 (byte 0xff at byte "))
        << r.output;
    EXPECT_TRUE(contains(r.output, "usable: yes (18 notes)")) << r.output;
}

TEST(BadInputsCli, TrainRefusesAnInitCheckpointThatDoesNotFitBeforeBuildingFeatures)
{
    if (morph::test::cliPath().empty())
        GTEST_SKIP() << "MORPH_CLI is not set (run through ctest)";
    const std::string shipped = std::string(MORPH_SOURCE_DIR) + "/models/small/model.pt";  // single 8-16-16-16
    const morph::test::TempDir tmp("morph_bad_init");
    auto train = [&](std::vector<std::string> extra) {
        std::vector<std::string> args{"train", "--data", (tmp.path / "no-such-dataset").string(), "--out",
                                      (tmp.path / "run").string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return morph::test::runCli(args);
    };
    auto r = train({"--arch", "double", "--init-from", shipped});
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_TRUE(contains(r.output, "is a single log-mag, 513 bins, channels 8-16-16-16, embedding 250 model; this run "
                                   "trains a double")) << r.output;
    r = train({"--arch", "single", "--channels", "8,16,8,16", "--init-from", shipped});
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_TRUE(contains(r.output, "--channels 8-16-8-16 must be at least as wide in every layer")) << r.output;
    r = train({"--arch", "single", "--init-from", (tmp.path / "missing.pt").string()});
    EXPECT_NE(r.code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "missing.pt' does not exist")) << r.output;
    EXPECT_FALSE(fs::exists(tmp.path / "run" / "features")) << "features were built for a run that cannot start";
}

TEST_F(BadInputs, UnicodeAndSpacesInPathsLoad)
{
    const NSynthDataset ds = NSynthDataset::open(corpus->root, DatasetOpenOptions{true, false, {}});
    for (const std::string name : {"unicode_güitar_002-060-100", "spaced name_003-060-100"}) {
        const auto i = ds.find(name);
        ASSERT_TRUE(i.has_value()) << name;
        const LoadedAudio a = loadNoteAudio(ds.audioPath(*i));
        EXPECT_EQ(a.samples.size(), kNSynthNoteLength);
        EXPECT_TRUE(a.adjustments.empty());
        EXPECT_NEAR(a.samples[1000], morph::test::testTone(1000, 0, 16000), 1e-4);
    }
}

// --- dataset: whole examples.json files --------------------------------------------------------

TEST_F(BadInputs, UnreadableExamplesJsonIsLocatedAndTheOtherSplitsStayUsable)
{
    struct FileCase {
        const char* file;
        const char* message;
    };
    const std::vector<FileCase> cases = {
        {"missing_colon.json", "expected ':' after the key 'good_keyboard_000-060-100'"},
        {"truncated.json", "(the file is truncated)"},
        {"top_level_array.json", "at byte 0 (line 1): expected '{' (examples.json must be one object keyed by note_str)"},
        {"trailing_comma.json", "found '}' (trailing comma)"},
        {"garbage_after_end.json", "unexpected '{' after the closing '}'"},
        {"unclosed_string.json", "expected ':' after the key 'good_keyboard_000-060-100: {', found 'n'"},
        {"bad_value_syntax.json", "malformed JSON in the entry 'good_keyboard_000-060-100'"},
        {"binary_garbage.json", "at byte 0 (line 1): expected '{'"},
        {"empty.json", "examples.json is empty (0 bytes or only spaces)"},
        {"empty_object.json", "examples.json holds an empty object {}"},
    };
    morph::test::TempDir tmp("morph_bad_json");
    // A good split next to the bad one.
    const fs::path train = tmp.path / "nsynth-train";
    fs::create_directories(train / "audio");
    fs::copy_file(morph::test::kBadCorpusDir / "json" / "entries.json", train / "examples.json");
    for (const auto& n : goodNotes())
        morph::test::writeWav(train / "audio" / (n + ".wav"), {});
    for (const auto& c : cases) {
        SCOPED_TRACE(c.file);
        const fs::path valid = tmp.path / "nsynth-valid";
        fs::remove_all(valid);
        fs::create_directories(valid / "audio");
        fs::copy_file(morph::test::kBadCorpusDir / "json" / c.file, valid / "examples.json");
        const std::string json = (valid / "examples.json").string();

        // With the good train split: usable, the bad file listed as a problem naming it.
        const NSynthDataset ds = NSynthDataset::open(tmp.path, DatasetOpenOptions{true, false, {}});
        EXPECT_EQ(ds.counts().bySplit[static_cast<int>(Split::Train)], goodNotes().size());
        EXPECT_EQ(ds.counts().bySplit[static_cast<int>(Split::Valid)], 0u);
        bool named = false;
        for (const auto& p : ds.problems())
            if (p.file == json && p.note.empty()) {
                named = true;
                EXPECT_TRUE(contains(p.reason, c.message)) << p.reason;
            }
        EXPECT_TRUE(named) << "no problem names " << json;

        // Alone: not usable, and the error carries the same message.
        const std::string alone = openError(valid);
        EXPECT_TRUE(contains(alone, "no usable notes in " + valid.string())) << alone;
        EXPECT_TRUE(contains(alone, c.message)) << alone;
        EXPECT_TRUE(contains(alone, json)) << alone;
    }
}

// --- audio loader ------------------------------------------------------------------------------

TEST_F(BadInputs, EveryAudioCaseLoadsConvertedOrIsRefusedNamingTheFile)
{
    const NSynthDataset ds = NSynthDataset::open(corpus->root, DatasetOpenOptions{true, false, {}});
    for (const auto& c : audioCases()) {
        SCOPED_TRACE(c.note);
        const auto i = ds.find(c.note);
        ASSERT_TRUE(i.has_value());
        const fs::path wav = ds.audioPath(*i);
        if (!c.loads) {
            try {
                loadNoteAudio(wav);
                ADD_FAILURE() << "loaded";
            } catch (const AudioFileError& e) {
                EXPECT_TRUE(contains(e.what(), "cannot load audio " + wav.string() + ": ")) << e.what();
                EXPECT_TRUE(contains(e.what(), c.message)) << e.what();
            }
            continue;
        }
        const auto t0 = std::chrono::steady_clock::now();
        const LoadedAudio a = loadNoteAudio(wav);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        ASSERT_EQ(a.samples.size(), kNSynthNoteLength);
        EXPECT_EQ(a.sampleRate, kNSynthSampleRate);
        if (c.message.empty()) {
            EXPECT_TRUE(a.adjustments.empty()) << a.adjustments.front();
        } else {
            bool found = false;
            for (const auto& adj : a.adjustments)
                found = found || contains(adj, c.message);
            EXPECT_TRUE(found) << (a.adjustments.empty() ? "(none)" : a.adjustments.front());
        }
        // The content is the tone that was written (8-bit: 1/127 steps; resampled: filter error).
        const bool resampled = contains(c.message, "resampled");
        const double tolerance = contains(c.note, "pcm8") ? 0.01 : resampled ? 0.01 : 1e-4;
        const bool stereo = contains(c.note, "stereo");  // mixed: the mean of the two channels' tones
        double worst = 0;
        for (std::size_t s = 1000; s < 15000; s += 7) {
            const float want = stereo ? 0.5f * (morph::test::testTone(s, 0, 16000) + morph::test::testTone(s, 1, 16000))
                                      : morph::test::testTone(s, 0, 16000);
            worst = std::max(worst, double(std::fabs(a.samples[s] - want)));
        }
        EXPECT_LT(worst, tolerance);
        for (float v : a.samples)
            ASSERT_TRUE(std::isfinite(v));
        if (contains(c.note, "short")) {
            EXPECT_EQ(a.samples[20000], 0.f);  // padded with silence
        }
        if (contains(c.note, "long"))
            std::printf("10-minute WAV loaded as a note in %.1f ms\n", ms);
    }
    // A folder named like a WAV (skipped by the index, refused if loaded anyway).
    const fs::path folder = corpus->split / "audio" / "audio_directory_023-060-100.wav";
    try {
        loadNoteAudio(folder);
        ADD_FAILURE() << "loaded a folder";
    } catch (const AudioFileError& e) {
        EXPECT_TRUE(contains(e.what(), "cannot load audio " + folder.string() + ": not a regular file")) << e.what();
    }
}

TEST(AudioPrefix, ANoteDecodesOnlyTheFourSecondsItKeeps)
{
    // 20 s of float audio with a NaN at 10 s: the note (the first 4 s) never reads it, so it
    // loads; the whole file does read it and is refused. (Were the whole file decoded for a note,
    // a 10-minute WAV would cost 10 minutes of decoding and resampling per note.)
    morph::test::TempDir tmp("morph_bad_prefix");
    const fs::path wav = tmp.path / "long.wav";
    morph::test::writeWav(wav, {morph::test::WavFormat::Float32, 16000, 1, 16000 * 20}, [](std::uint64_t i, int c) {
        return i == 16000 * 10 ? std::nanf("") : morph::test::testTone(i, c, 16000);
    });
    const LoadedAudio note = loadNoteAudio(wav);
    ASSERT_EQ(note.adjustments.size(), 1u);
    EXPECT_EQ(note.adjustments[0], "trimmed 320000->64000 samples");
    EXPECT_NEAR(note.samples[63999], morph::test::testTone(63999, 0, 16000), 1e-6);
    EXPECT_THROW(loadAudio(wav), AudioFileError);
    // The same at 44.1 kHz: the prefix read feeds the resampler enough for an exact match with
    // resampling the whole file.
    const fs::path wav44 = tmp.path / "long44.wav";
    morph::test::writeWav(wav44, {morph::test::WavFormat::Float32, 44100, 1, 44100 * 10});
    const LoadedAudio prefix = loadNoteAudio(wav44);
    EXPECT_EQ(prefix.adjustments.back(), "trimmed 160000->64000 samples");
    const LoadedAudio whole = loadAudio(wav44);
    ASSERT_GE(whole.samples.size(), kNSynthNoteLength);
    double worst = 0;
    for (std::size_t i = 0; i < kNSynthNoteLength; ++i)
        worst = std::max(worst, double(std::fabs(prefix.samples[i] - whole.samples[i])));
    EXPECT_LT(worst, 1e-6);
}

TEST_F(BadInputs, FeatureCacheSkipsUnreadableNotesReportsConversionsAndKeepsTheRest)
{
    const NSynthDataset ds = NSynthDataset::open(corpus->root, DatasetOpenOptions{true, false, {}});
    std::vector<std::size_t> all(ds.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = i;
    const fs::path file = corpus->tmp.path / "features" / "all.feat";
    fs::create_directories(file.parent_path());
    const FeatureBuildReport r = FeatureCache::build(ds, all, FeatureSettings{}, "all", file);
    std::size_t refused = 0, converted = 0;
    for (const auto& c : audioCases()) {
        if (!c.loads) {
            ++refused;
            bool named = false;
            for (const auto& p : r.problems)
                named = named || (p.rfind(c.note + ": cannot load audio ", 0) == 0 && contains(p, c.message));
            EXPECT_TRUE(named) << c.note;
        } else if (!c.message.empty()) {
            ++converted;
            bool named = false;
            for (const auto& a : r.adjustments)
                named = named || (a.rfind(c.note + ": ", 0) == 0 && contains(a, c.message));
            EXPECT_TRUE(named) << c.note;
        }
    }
    EXPECT_EQ(r.failed, refused);
    EXPECT_EQ(r.adjusted, converted);
    EXPECT_EQ(r.notes, ds.size() - refused);
    const FeatureCache cache = FeatureCache::open(file);
    EXPECT_EQ(cache.noteCount(), ds.size() - refused);
}

// --- checkpoints -------------------------------------------------------------------------------

class BadCheckpoints : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        tmp = new morph::test::TempDir("morph_bad_ckpt");
        good = tmp->path / "good single.pt";
        morph::test::writeTinyModel(good, {"bass_electronic_018-060-075", "bass_synthetic_009-060-100"}, 2);
    }
    static void TearDownTestSuite()
    {
        delete tmp;
        tmp = nullptr;
    }
    static std::string loadError(const fs::path& file, const ModelConfig* expected = nullptr)
    {
        try {
            ModelRunner::load(file, "cpu", expected);
        } catch (const CheckpointError& e) {
            return e.what();
        }
        return "(loaded)";
    }
    static fs::path copyOfGood(const std::string& name)
    {
        const fs::path p = tmp->path / name;
        fs::copy_file(good, p, fs::copy_options::overwrite_existing);
        return p;
    }
    static morph::test::TempDir* tmp;
    static fs::path good;
};
morph::test::TempDir* BadCheckpoints::tmp = nullptr;
fs::path BadCheckpoints::good;

TEST_F(BadCheckpoints, TheGoodOneLoads)
{
    EXPECT_EQ(loadError(good), "(loaded)");
}

TEST_F(BadCheckpoints, TruncatedEmptyMissingFolderAndForeignFilesAreRefusedByName)
{
    const fs::path cut = copyOfGood("cut.pt");
    fs::resize_file(cut, fs::file_size(cut) / 2);
    std::string msg = loadError(cut);
    EXPECT_TRUE(contains(msg, "checkpoint '" + cut.string() + "' is truncated")) << msg;

    const fs::path header = copyOfGood("header-cut.pt");
    fs::resize_file(header, 20);
    msg = loadError(header);
    EXPECT_TRUE(contains(msg, header.string()) && contains(msg, "truncated")) << msg;

    const fs::path empty = tmp->path / "empty.pt";
    std::ofstream(empty).close();
    msg = loadError(empty);
    EXPECT_TRUE(contains(msg, "checkpoint '" + empty.string() + "' is empty (0 bytes)")) << msg;

    msg = loadError(tmp->path / "missing.pt");
    EXPECT_TRUE(contains(msg, "missing.pt' does not exist")) << msg;

    fs::create_directories(tmp->path / "folder.pt");
    msg = loadError(tmp->path / "folder.pt");
    EXPECT_TRUE(contains(msg, "is a folder, not a file")) << msg;

    const fs::path wav = tmp->path / "a note.wav";
    morph::test::writeWav(wav, {});
    msg = loadError(wav);
    EXPECT_TRUE(contains(msg, "'" + wav.string() + "' is not a Morphstation checkpoint")) << msg;
}

TEST_F(BadCheckpoints, CorruptPayloadMetadataAndNewerVersionAreRefused)
{
    const fs::path flip = copyOfGood("flip.pt");
    {
        std::fstream f(flip, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(-64, std::ios::end);
        f.put('\x5a');
    }
    std::string msg = loadError(flip);
    EXPECT_TRUE(contains(msg, flip.string()) && contains(msg, "corrupt")) << msg;

    const fs::path meta = copyOfGood("meta.pt");
    {
        std::fstream f(meta, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(kCheckpointHeaderSize));
        f.write("]]]]", 4);  // the metadata JSON starts here
    }
    msg = loadError(meta);
    EXPECT_TRUE(contains(msg, meta.string()) && contains(msg, "malformed metadata JSON")) << msg;

    const fs::path newer = copyOfGood("newer.pt");
    {
        std::fstream f(newer, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(10);
        const char v[4] = {99, 0, 0, 0};
        f.write(v, 4);
    }
    msg = loadError(newer);
    EXPECT_TRUE(contains(msg, newer.string()) && contains(msg, "has format version 99")) << msg;
}

TEST_F(BadCheckpoints, AnotherArchitectureOrPreprocessingIsRefusedWhenAModelIsExpected)
{
    ModelConfig expected = readCheckpointInfo(good).config;
    EXPECT_EQ(loadError(good, &expected), "(loaded)");

    ModelConfig otherArch = expected;
    otherArch.arch = Architecture::Double;
    std::string msg = loadError(good, &otherArch);
    EXPECT_TRUE(contains(msg, "is a 'single' log-mag model with 513 bins")) << msg;
    EXPECT_TRUE(contains(msg, "'double' log-mag model with 513 bins")) << msg;
    EXPECT_TRUE(contains(msg, "was expected")) << msg;

    ModelConfig mel = expected;
    mel.mel = true;
    msg = loadError(good, &mel);
    EXPECT_TRUE(contains(msg, "'single' mel model with 128 bins") && contains(msg, "was expected")) << msg;

    ModelConfig otherFft = expected;
    otherFft.nFft = 512;
    otherFft.hop = 256;
    msg = loadError(good, &otherFft);
    EXPECT_TRUE(contains(msg, "n_fft 512") && contains(msg, "was expected")) << msg;
}

TEST_F(BadCheckpoints, NanWeightsAreRefusedNamingTheWeight)
{
    const nn::LoadedCheckpoint ckpt = nn::readCheckpoint(good);
    auto model = nn::loadModel(ckpt, torch::kCPU);
    std::string name;
    {
        torch::NoGradGuard noGrad;
        auto params = model->named_parameters();
        name = params[2].key();
        params[2].value().view(-1)[0] = std::numeric_limits<float>::quiet_NaN();
    }
    const fs::path nan = tmp->path / "nan weights.pt";
    nn::saveCheckpoint(nan, ckpt.meta, *model);
    const std::string msg = loadError(nan);
    EXPECT_TRUE(contains(msg, "checkpoint '" + nan.string() + "': weight '" + name + "' holds 1 NaN or infinite value"))
        << msg;
    EXPECT_TRUE(contains(msg, "use an earlier checkpoint")) << msg;
    // The header is still readable (the GUI can show what the file is).
    EXPECT_NO_THROW(readCheckpointInfo(nan));
}

} // namespace
