// The bad-input corpus (tests/data/bad) through morphstation-cli (env MORPH_CLI): each case exits
// with the documented code (0 usable, 1 error, 2 usage) and prints what is wrong and where; no
// crash (a signal would show as code >= 128), no output file left by a failed command.
// Label "slow" (MORPH_SLOW_TESTS=1): 14 CLI runs, each loading LibTorch (~0.6 s of CPU). The
// default run checks `index` of the corpus (test_bad_inputs).
#include "support/TinyModel.h"  // torch first

#include "support/BadCorpus.h"
#include "support/RunProcess.h"

#include "dataset/AudioFile.h"

#include <gtest/gtest.h>

namespace fs = std::filesystem;
using namespace morph;
using morph::test::runCli;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class BadInputsCli : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        corpus = new morph::test::BadCorpus();
        good = corpus->tmp.path / "tiny model.pt";
        morph::test::writeTinyModel(good, {"bass_electronic_018-060-075"}, 2);
        // The same model with one NaN weight.
        const nn::LoadedCheckpoint ckpt = nn::readCheckpoint(good);
        auto model = nn::loadModel(ckpt, torch::kCPU);
        {
            torch::NoGradGuard noGrad;
            model->parameters()[0].view(-1)[0] = std::numeric_limits<float>::quiet_NaN();
        }
        nanModel = corpus->tmp.path / "nan model.pt";
        nn::saveCheckpoint(nanModel, ckpt.meta, *model);
        cut = corpus->tmp.path / "cut model.pt";
        fs::copy_file(good, cut);
        fs::resize_file(cut, fs::file_size(cut) - 100);
    }
    static void TearDownTestSuite()
    {
        delete corpus;
        corpus = nullptr;
    }
    void SetUp() override
    {
        if (morph::test::cliPath().empty())
            GTEST_SKIP() << "MORPH_CLI is not set (run through ctest)";
    }
    static fs::path out(const std::string& name) { return corpus->tmp.path / name; }
    static fs::path wav(const std::string& note) { return corpus->split / "audio" / (note + ".wav"); }

    static morph::test::BadCorpus* corpus;
    static fs::path good, nanModel, cut;
};
morph::test::BadCorpus* BadInputsCli::corpus = nullptr;
fs::path BadInputsCli::good, BadInputsCli::nanModel, BadInputsCli::cut;

TEST_F(BadInputsCli, IndexListsEveryProblemAndStaysUsable)
{
    const auto r = runCli({"index", corpus->root.string(), "--no-cache", "--all-problems"});
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "validation: 17 problems (each skips the note concerned)")) << r.output;
    EXPECT_TRUE(contains(r.output, (corpus->split / "examples.json").string()
                                       + " [bad_pitch_range_031-200-100]: field 'pitch' is 200, outside 0..127"))
        << r.output;
    EXPECT_TRUE(contains(r.output, "[audio_missing_010-060-100]: audio file missing")) << r.output;
    EXPECT_TRUE(contains(r.output, "usable: yes (18 notes)")) << r.output;
}

TEST_F(BadInputsCli, IndexOfAMalformedExamplesJsonNamesFileAndByte)
{
    morph::test::TempDir tmp("morph_bad_cli_json");
    const fs::path split = tmp.path / "nsynth-valid";
    fs::create_directories(split / "audio");
    fs::copy_file(morph::test::kBadCorpusDir / "json" / "missing_colon.json", split / "examples.json");
    const auto r = runCli({"index", tmp.path.string(), "--no-cache"});
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "dataset not usable: no usable notes in " + tmp.path.string())) << r.output;
    EXPECT_TRUE(contains(r.output, (split / "examples.json").string() + " at byte ")) << r.output;
    EXPECT_TRUE(contains(r.output, "expected ':' after the key")) << r.output;

    const auto missing = runCli({"index", (tmp.path / "no such folder").string()});
    EXPECT_EQ(missing.code, 1) << missing.output;
    EXPECT_TRUE(contains(missing.output, "no such folder does not exist")) << missing.output;
}

TEST_F(BadInputsCli, FeaturesSkipsUnreadableNotesAndReportsConversions)
{
    const fs::path cache = out("features.feat");
    const auto r = runCli({"features", corpus->root.string(), "--out", cache.string(), "--split", "test"});
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "13 notes (0 all-silent skipped, 5 unreadable)")) << r.output;
    EXPECT_TRUE(contains(r.output, "skipped audio_truncated_012-060-100: cannot load audio " +
                                       wav("audio_truncated_012-060-100").string() + ": truncated"))
        << r.output;
    EXPECT_TRUE(contains(r.output, "5 note(s) converted on load")) << r.output;
    EXPECT_TRUE(contains(r.output, "converted audio_stereo_020-060-100: mixed 2 channels to mono")) << r.output;
    EXPECT_TRUE(contains(r.output, "converted audio_long_022-060-100: trimmed 9600000->64000 samples")) << r.output;
    EXPECT_TRUE(fs::exists(cache));
}

TEST_F(BadInputsCli, ResynthRefusesNonAudioAndConvertsStereo44k)
{
    const fs::path o1 = out("resynth-notwav.wav");
    auto r = runCli({"resynth", wav("audio_notwav_013-060-100").string(), o1.string(), "--iters", "1"});
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "error: cannot load audio " + wav("audio_notwav_013-060-100").string() +
                                       ": not a readable audio file"))
        << r.output;
    EXPECT_FALSE(fs::exists(o1));

    const fs::path stereo = out("stereo 44k ü.wav");
    morph::test::writeWav(stereo, {morph::test::WavFormat::Pcm24, 44100, 2, 44100});
    const fs::path o2 = out("resynth stereo.wav");
    r = runCli({"resynth", stereo.string(), o2.string(), "--iters", "1"});
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "input: mixed 2 channels to mono")) << r.output;
    const LoadedAudio back = loadAudio(o2, 0);
    EXPECT_EQ(back.sampleRate, 44100);  // resynth keeps the file's rate
    EXPECT_EQ(back.samples.size(), 44100u);
}

TEST_F(BadInputsCli, ReconstructNamesTheBadCheckpointOrNoteAndConvertsWhatItCan)
{
    const std::string data = corpus->root.string();
    const fs::path o = out("reconstruct.wav");
    auto r = runCli({"reconstruct", "--model", nanModel.string(), "--data", data, "--note",
                     "good_keyboard_000-060-100", "--out", o.string(), "--device", "cpu"});
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "checkpoint '" + nanModel.string() + "': weight '")) << r.output;
    EXPECT_TRUE(contains(r.output, "holds 1 NaN or infinite value")) << r.output;

    r = runCli({"reconstruct", "--model", cut.string(), "--data", data, "--note", "good_keyboard_000-060-100",
                "--out", o.string(), "--device", "cpu"});
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "checkpoint '" + cut.string() + "' is truncated")) << r.output;

    r = runCli({"reconstruct", "--model", good.string(), "--data", data, "--note", "audio_floatnan_018-060-100",
                "--out", o.string(), "--device", "cpu"});
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, wav("audio_floatnan_018-060-100").string() + ": holds NaN or infinite samples"))
        << r.output;
    EXPECT_FALSE(fs::exists(o));

    r = runCli({"reconstruct", "--model", good.string(), "--data", data, "--note", "no_such_note-060-100", "--out",
                o.string(), "--device", "cpu"});
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_TRUE(contains(r.output, "note 'no_such_note-060-100' is not in the dataset")) << r.output;

    // A 44.1 kHz note with a unicode path: converted with a note on stderr, written.
    r = runCli({"reconstruct", "--model", good.string(), "--data", data, "--note", "audio_rate44k_019-060-100",
                "--out", o.string(), "--device", "cpu", "--iters", "1"});
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "note audio_rate44k_019-060-100: resampled 44100->16000")) << r.output;
    EXPECT_EQ(loadAudio(o, 0).samples.size(), kNSynthNoteLength);
}

TEST_F(BadInputsCli, EvalAndTrainRefuseBadCheckpointsAndArguments)
{
    auto r = runCli({"eval", cut.string(), "--data", corpus->root.string()});
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "checkpoint '" + cut.string() + "' is truncated")) << r.output;

    r = runCli({"train", "--data", corpus->root.string(), "--arch", "single", "--out", out("run").string(), "--batch",
                "abc"});
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_TRUE(contains(r.output, "option --batch expects an integer, got 'abc'")) << r.output;
    EXPECT_FALSE(fs::exists(out("run") / "last.pt"));
}

} // namespace
