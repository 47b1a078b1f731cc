// Replays every fuzzing seed (tests/fuzz/corpus/<target>) and every input a fuzzer once crashed
// on (tests/fuzz/regressions/<target>) through the same one-input functions the libFuzzer targets
// run (tests/fuzz/FuzzTargets.h): each must return or throw its parser's typed error. Runs with
// any compiler in the default test run, so a fixed crasher stays fixed without clang.
#include "fuzz/FuzzTargets.h"
#include "util/AtomicFile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path kFuzzDir = fs::path(MORPH_SOURCE_DIR) / "tests" / "fuzz";

std::vector<fs::path> inputsOf(const std::string& kind, const std::string& target)
{
    std::vector<fs::path> files;
    const fs::path dir = kFuzzDir / kind / target;
    if (fs::is_directory(dir))
        for (const auto& e : fs::directory_iterator(dir))
            if (e.is_regular_file() && e.path().filename().string()[0] != '.')
                files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<std::uint8_t> bytesOf(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Runs every input of both folders; returns how many ran.
std::size_t replay(const std::string& target, const std::function<void(const std::uint8_t*, std::size_t)>& one)
{
    std::size_t n = 0;
    for (const char* kind : {"corpus", "regressions"})
        for (const fs::path& file : inputsOf(kind, target)) {
            SCOPED_TRACE(file.string());
            const std::vector<std::uint8_t> bytes = bytesOf(file);
            EXPECT_NO_THROW(one(bytes.data(), bytes.size()));
            ++n;
        }
    return n;
}

} // namespace

TEST(FuzzRegressions, ExamplesJsonInputsParseOrThrowDatasetError)
{
    EXPECT_GE(replay("examples_json", morph::fuzz::examplesJsonOne), 5u);
}

TEST(FuzzRegressions, AudioInputsLoadOrThrowAudioFileError)
{
    EXPECT_GE(replay("audio_file", morph::fuzz::audioFileOne), 5u);
}

TEST(FuzzRegressions, CheckpointInputsReadOrThrowCheckpointError)
{
    EXPECT_GE(replay("checkpoint", morph::fuzz::checkpointOne), 5u);
}

TEST(FuzzRegressions, TrainConfigInputsReadOrThrowConfigError)
{
    EXPECT_GE(replay("train_config", morph::fuzz::trainConfigOne), 5u);
}

// Known answers: the seeds mean what their names say, and the fixed checkpoint bugs stay fixed.
TEST(FuzzRegressions, SeedsAndFixedBugsGiveKnownAnswers)
{
    const fs::path corpus = kFuzzDir / "corpus";
    const std::string two = morph::fuzz::examplesSummary(corpus / "examples_json" / "two_entries_pretty.json", 0);
    EXPECT_EQ(two.rfind("note organ_electronic_001-060-127 248525", 0), 0u) << two;
    EXPECT_NE(two.find("entries 2"), std::string::npos) << two;
    EXPECT_EQ(two, morph::fuzz::examplesSummary(corpus / "examples_json" / "two_entries_pretty.json", 7));
    EXPECT_EQ(morph::fuzz::examplesSummary(corpus / "examples_json" / "truncated.json", 0).rfind("error ", 0), 0u);

    const morph::CheckpointInfo info = morph::readCheckpointInfo(corpus / "checkpoint" / "single_logmag.pt");
    EXPECT_EQ(info.epoch, 3);
    EXPECT_EQ(info.config.arch, morph::Architecture::Single);
    EXPECT_EQ(info.device, "cpu");

    // Fixed: a metadata field of the wrong type threw nlohmann::type_error (uncaught by callers,
    // which expect CheckpointError); informative fields now read as unknown.
    const fs::path regressions = kFuzzDir / "regressions" / "checkpoint";
    EXPECT_EQ(morph::readCheckpointInfo(regressions / "state_epoch_is_string.pt").epoch, 0);
    EXPECT_EQ(morph::readCheckpointInfo(regressions / "dataset_root_is_number.pt").dataset, "");
    // Fixed: "n_fft": 1e300 was converted to int (undefined behaviour); now a typed error.
    EXPECT_THROW(morph::readCheckpointInfo(regressions / "n_fft_1e300.pt"), morph::CheckpointError);

    // Fixed (tests/fuzz.sh in CI): "pitch": 1e23 was cast to int64 before its range was checked
    // (undefined behaviour, caught by UBSan in tests/sanitizers.sh asan). Now it is that note's
    // problem and the other entry still loads.
    const fs::path hugePitch = kFuzzDir / "regressions" / "examples_json" / "pitch_1e23.json";
    const std::string huge = morph::fuzz::examplesSummary(hugePitch, 0);
    EXPECT_NE(huge.find("problem organ_electronic_001-060-127: field 'pitch' must be an integer, found 1e+23"),
              std::string::npos) << huge;
    EXPECT_NE(huge.find("note keyboard_electronic_002-060-050 "), std::string::npos) << huge;
    EXPECT_EQ(huge.find("note organ_electronic_001"), std::string::npos) << huge;
}

// config.json values that nlohmann's get<T>() would have truncated, wrapped or (1e300 -> int)
// converted with undefined behaviour are refused, naming the file and the field.
TEST(FuzzRegressions, TrainConfigFieldsAreReadExactly)
{
    const fs::path dir = kFuzzDir / "corpus" / "train_config";
    const std::string good = morph::readWholeFile(dir / "config.json");
    const morph::TrainConfig c = morph::TrainConfig::fromJson(good, "good");
    EXPECT_EQ(c.epochs, 60);
    EXPECT_EQ(c.batchSize, 32);
    EXPECT_EQ(c.seed, 1u);
    EXPECT_EQ(c.model.embeddingSize(), 250);
    const std::pair<const char*, const char*> bad[] = {
        {"epochs_1e300.json", "field 'epochs' has the wrong type or is out of range"},
        {"batch_3_5.json", "field 'batch_size' has the wrong type or is out of range (3.5)"},
        {"seed_negative.json", "field 'seed' has the wrong type or is out of range (-1)"},
        {"lr_string.json", "field 'lr' has the wrong type or is out of range (\"fast\")"},
        {"no_run_dir.json", "field 'run_dir' is missing"},
        {"not_an_object.json", "not a JSON object"},
    };
    for (const auto& [file, message] : bad) {
        SCOPED_TRACE(file);
        try {
            morph::TrainConfig::fromJson(morph::readWholeFile(dir / file), "run config 'x/config.json'");
            ADD_FAILURE() << "accepted";
        } catch (const morph::ConfigError& e) {
            const std::string msg = e.what();
            EXPECT_EQ(msg.rfind("run config 'x/config.json'", 0), 0u) << msg;
            EXPECT_NE(msg.find(message), std::string::npos) << msg;
        }
    }
}
