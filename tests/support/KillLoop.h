#pragma once
// Test support: SIGKILL `morphstation-cli train` at random checkpoint writes, again and again
// (each run resumes the killed one), and check after every kill that each checkpoint present
// (last.pt, best.pt, checkpoints/epoch-NNN.pt) loads. Used by test_faults (a few kills) and
// test_faults_slow (many).
#include "support/FaultSupport.h"

#include "model/ModelRunner.h"

#include <random>

namespace morph::test {

struct KillLoopResult {
    int kills = 0;
    int killedMidWrite = 0;      // a temp file was left: the kill landed inside a write
    int checkpointsLoaded = 0;
    int resumed = 0;
    std::vector<std::string> failures;
    double seconds = 0;
};

inline KillLoopResult trainKillLoop(const std::filesystem::path& work, int iterations, unsigned seed)
{
    namespace fs = std::filesystem;
    KillLoopResult result;
    const auto start = std::chrono::steady_clock::now();
    const fs::path data = work / "data", features = work / "features", run = work / "run", log = work / "train.log";
    makeRealDataset(data, 3, 1);
    fs::create_directories(run / "checkpoints");
    std::mt19937 rng(seed);
    // Checkpoint after every batch (--checkpoint-minutes 1e-9), 12 batches per epoch, an epoch's
    // end writes last.pt, checkpoints/epoch-NNN.pt and best.pt: writes are what this loop hits.
    const std::vector<std::string> common = {"--checkpoint-minutes", "1e-9", "--threads", "1", "--device", "cpu",
                                             "--no-eval"};
    for (int it = 0; it < iterations; ++it) {
        const bool resume = fs::exists(run / "last.pt");
        std::vector<std::string> args;
        if (resume) {
            args = {"train", "--out", run.string(), "--resume"};
            ++result.resumed;
        } else {
            args = {"train", "--data", data.string(), "--arch", "single", "--channels", "2,2,2,2", "--out",
                    run.string(), "--features", features.string(), "--epochs", "100000", "--batch", "4",
                    "--max-slices", "48", "--max-valid-slices", "8", "--patience", "100000", "--plateau-patience",
                    "100000"};
        }
        args.insert(args.end(), common.begin(), common.end());
        FolderWatch watch({run, run / "checkpoints"});
        CliChild child(args, log);
        if (child.pid() <= 0) {
            result.failures.push_back("cannot start " + cliPath());
            break;
        }
        // Kill right after the target-th temp file appears (a checkpoint write has begun; #1 is
        // config.json, #2 the first last.pt, so from #3 on a last.pt exists), after
        // 0..1500 us, so the kill lands before, inside or just after the write.
        const int target = std::uniform_int_distribution<int>(3, 30)(rng);
        const int delayUs = std::uniform_int_distribution<int>(0, 1500)(rng);
        int seen = 0;
        bool killed = false;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (!killed) {
            std::uint32_t mask = 0;
            const auto name = watch.next(100, mask);
            // A write begins: a temp file is created (atomic writes), or a .pt file itself is
            // written to (what a non-atomic writer would do; then the kill tears that file).
            const bool writeBegins = name && (((mask & IN_CREATE) && name->find(".tmp-") != std::string::npos) ||
                                              ((mask & IN_MODIFY) && name->size() > 3 &&
                                               name->compare(name->size() - 3, 3, ".pt") == 0));
            if (writeBegins && ++seen >= target) {
                if (delayUs > 0)
                    ::usleep(static_cast<useconds_t>(delayUs));
                child.kill();
                killed = true;
            } else if (!child.running()) {
                break;
            } else if (std::chrono::steady_clock::now() > deadline) {
                child.kill();
                result.failures.push_back("iteration " + std::to_string(it) + ": no checkpoint write within 60 s");
                break;
            }
        }
        const int code = child.wait();
        if (!killed) {
            result.failures.push_back("iteration " + std::to_string(it) + ": the run ended on its own (code " +
                                      std::to_string(code) + "); see " + log.string());
            break;
        }
        ++result.kills;
        // Temp files left by this kill are expected; any older one should have been removed by
        // the resumed run that started after it.
        bool midWrite = false;
        for (const auto& dir : {run, run / "checkpoints"})
            for (const auto& e : fs::directory_iterator(dir)) {
                const std::string n = e.path().filename().string();
                if (n.find(".tmp-") == std::string::npos)
                    continue;
                if (n.find(".tmp-" + std::to_string(child.pid()) + "-") != std::string::npos)
                    midWrite = true;
                else
                    result.failures.push_back("iteration " + std::to_string(it) + ": stale temp file " + n +
                                              " of an earlier run was not removed");
            }
        result.killedMidWrite += midWrite ? 1 : 0;
        std::vector<fs::path> checkpoints = {run / "last.pt", run / "best.pt"};
        for (const auto& e : fs::directory_iterator(run / "checkpoints"))
            if (e.path().extension() == ".pt")
                checkpoints.push_back(e.path());
        for (const auto& file : checkpoints) {
            if (!fs::exists(file))
                continue;
            try {
                ModelRunner::load(file, "cpu");
                ++result.checkpointsLoaded;
            } catch (const std::exception& e) {
                result.failures.push_back("iteration " + std::to_string(it) + " (kill " + std::to_string(delayUs) +
                                          " us after temp file #" + std::to_string(target) + "): " + e.what());
            }
        }
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace morph::test
