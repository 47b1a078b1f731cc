// Slow fault tests (label "slow", MORPH_SLOW_TESTS=1), each running morphstation-cli several
// times: `train` SIGKILLed at 40 random checkpoint writes (resuming each time; every checkpoint
// present after every kill must load), out of memory on an absurd batch, and the CLI's messages
// for a full disk and a vanished note. The fast variants are in test_faults.
#include "support/KillLoop.h"

#include "train/FeatureCache.h"
#include "train/Trainer.h"
#include "util/AtomicFile.h"

#include <gtest/gtest.h>

#include <random>
#include <sys/resource.h>

namespace fs = std::filesystem;
using namespace morph;
using morph::test::runCli;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class FaultsSlow : public ::testing::Test {
protected:
    void SetUp() override
    {
        if (morph::test::cliPath().empty())
            GTEST_SKIP() << "MORPH_CLI is not set (run through ctest)";
    }
};

TEST_F(FaultsSlow, FortyKillsDuringCheckpointWritesNeverLeaveACorruptCheckpoint)
{
    morph::test::TempDir tmp("morph_fault_kill_slow");
    const auto r = morph::test::trainKillLoop(tmp.path, 40, 7);
    for (const auto& f : r.failures)
        ADD_FAILURE() << f;
    EXPECT_EQ(r.kills, 40);
    EXPECT_GE(r.resumed, 39);
    std::printf("%d kills (%d inside a write), %d resumes, %d checkpoint loads, all fine, in %.1f s\n", r.kills,
                r.killedMidWrite, r.resumed, r.checkpointsLoaded, r.seconds);
}

TEST_F(FaultsSlow, CliNamesAVanishedNoteAndAFullDisk)
{
    morph::test::TempDir tmp("morph_fault_cli");
    const fs::path data = tmp.path / "data", run = tmp.path / "run";
    morph::test::makeRealDataset(data, 3, 1);
    auto r = runCli({"train", "--data", data.string(), "--arch", "single", "--channels", "2,2,2,2", "--out",
                     run.string(), "--epochs", "1", "--max-slices", "16", "--max-valid-slices", "8", "--threads", "1",
                     "--device", "cpu", "--no-eval"});
    ASSERT_EQ(r.code, 0) << r.output;
    const NSynthDataset ds = NSynthDataset::open(data, DatasetOpenOptions{true, false, {}});
    const fs::path gone = ds.audioPath(1);
    fs::remove(gone);
    r = runCli({"reconstruct", "--model", (run / "best.pt").string(), "--data", data.string(), "--note",
                ds.note(1).noteStr, "--out", (tmp.path / "out.wav").string(), "--device", "cpu"});
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "error: note '" + ds.note(1).noteStr + "' is in the dataset but cannot be used: " +
                                       gone.string() + ": audio file missing"))
        << r.output;
    EXPECT_FALSE(fs::exists(tmp.path / "out.wav"));
    r = runCli({"reconstruct", "--model", (run / "best.pt").string(), "--data", data.string(), "--note",
                ds.note(0).noteStr, "--out", (tmp.path / "out.wav").string(), "--device", "cpu", "--iters", "1"});
    EXPECT_EQ(r.code, 0) << r.output;

    morph::test::SmallFilesystem small(tmp.path / "small", 1u << 20);
    if (!small.ok())
        GTEST_SKIP() << small.reason();
    small.fillLeaving(64u << 10);
    const fs::path cache = tmp.path / "small" / "train.feat";
    r = runCli({"features", data.string(), "--split", "train", "--out", cache.string()});
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "error: cannot write feature cache '" + cache.string() +
                                       "': No space left on device (disk full?)"))
        << r.output;
    EXPECT_FALSE(fs::exists(cache));
}

/// Runs the CLI with its address space limited to `limitBytes` (fork + setrlimit + exec).
morph::test::ProcessResult runCliWithMemoryLimit(const std::vector<std::string>& args, std::uint64_t limitBytes,
                                                 const fs::path& log)
{
    std::vector<std::string> all = {morph::test::cliPath()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {  // only async-signal-safe calls until exec
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        rlimit lim{limitBytes, limitBytes};
        ::setrlimit(RLIMIT_AS, &lim);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    morph::test::ProcessResult r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.output = readWholeFile(log);
    return r;
}

TEST_F(FaultsSlow, OutOfMemoryOnAHugeBatchIsATrainingErrorWithAdvice)
{
    morph::test::TempDir tmp("morph_fault_oom");
    // Synthetic features: 40 notes x 126 frames = 4960 slices, so a batch of 4096 is real.
    FeatureSettings settings;
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> db(-80.f, 0.f);
    auto writeCache = [&](const fs::path& file, int notes) {
        std::vector<FeatureNote> meta(static_cast<std::size_t>(notes));
        std::vector<std::vector<float>> frames;
        std::vector<std::string> names;
        for (int i = 0; i < notes; ++i) {
            meta[i].frames = meta[i].totalFrames = 126;
            meta[i].pitch = 60;
            meta[i].velocity = 100;
            std::vector<float> v(126u * 513u);
            for (float& x : v)
                x = db(rng);
            frames.push_back(std::move(v));
            names.push_back("synthetic-" + std::to_string(i));
        }
        FeatureCache::write(file, settings, file.stem().string(), meta, frames, names);
    };
    writeCache(tmp.path / "train.feat", 40);
    writeCache(tmp.path / "valid.feat", 1);
    auto runWithBatch = [&](int batch, std::uint64_t maxSlices) {
        TrainConfig cfg;
        cfg.model.arch = Architecture::Single;
        cfg.trainFeatures = tmp.path / "train.feat";
        cfg.validFeatures = tmp.path / "valid.feat";
        cfg.runDir = tmp.path / ("run-" + std::to_string(batch));
        cfg.epochs = 1;
        cfg.batchSize = batch;
        cfg.maxSlicesPerEpoch = maxSlices;
        cfg.maxValidSlices = 32;
        cfg.device = "cpu";
        cfg.threads = 1;
        fs::create_directories(cfg.runDir);
        writeFileAtomically(cfg.runDir / "config.json", cfg.toJson());
        // --resume of a run folder with a config.json and no state starts that run.
        return runCliWithMemoryLimit({"train", "--out", cfg.runDir.string(), "--resume", "--no-eval"},
                                     std::uint64_t(1600) << 20, tmp.path / ("log-" + std::to_string(batch)));
    };
    // Under the same 1.6 GB address-space limit: a normal batch trains, an absurd one explains.
    const auto normal = runWithBatch(32, 64);
    EXPECT_EQ(normal.code, 0) << normal.output;
    EXPECT_TRUE(contains(normal.output, "completed after 1 epoch")) << normal.output;
    const auto huge = runWithBatch(4096, 0);
    EXPECT_EQ(huge.code, 1) << huge.output;
    EXPECT_TRUE(contains(huge.output, "error: out of memory while training with batch 4096 on cpu")) << huge.output;
    EXPECT_TRUE(contains(huge.output, "lower the batch size (--batch, e.g. 1024)")) << huge.output;
}

} // namespace
