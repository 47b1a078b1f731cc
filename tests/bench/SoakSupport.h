#pragma once
// Shared set-up of the soak benchmarks (bench_soak_morph, bench_soak_encode): the model
// ($MORPH_BENCH_MODEL, else models/default/model.pt) loaded on the CPU, the 60 real notes of
// nsynth-test-pitch60, a loop length from the environment, and the closing RSS line.
// Single-threaded set-up code: call from main().
#include "support/Rss.h"

#include "dataset/NSynthDataset.h"
#include "model/ModelRunner.h"
#include "model/TorchRuntime.h"

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace morph::test {

struct SoakSetup {
    std::filesystem::path modelPath;
    std::shared_ptr<const ModelRunner> model;
    std::shared_ptr<const NSynthDataset> dataset;
};

/// The count in environment variable `name`, else `fallback`.
inline std::size_t envCount(const char* name, std::size_t fallback)
{
    const char* env = std::getenv(name);
    return env && *env ? std::size_t(std::atol(env)) : fallback;
}

/// Configures LibTorch's threads, loads the model on the CPU and opens the pitch-60 notes.
inline SoakSetup openSoakSetup()
{
    configureTorchRuntime();
    SoakSetup s;
    const char* envModel = std::getenv("MORPH_BENCH_MODEL");
    s.modelPath = envModel && *envModel ? std::filesystem::path(envModel)
                                        : std::filesystem::path(MORPH_SOURCE_DIR) / "models/default/model.pt";
    s.model = ModelRunner::load(s.modelPath, "cpu");
    s.dataset = std::make_shared<const NSynthDataset>(
        NSynthDataset::open(std::string(MORPH_SHARED_DATA_DIR) + "/nsynth-test-pitch60"));
    return s;
}

/// The closing line: RSS at the end of the warm-up (iteration `warmup`, called `unit`), the peak
/// after it, at the end, and the growth.
inline void printRssSummary(const char* unit, std::size_t warmup, const RssProbe& probe)
{
    std::printf("RSS after warm-up (%s %zu) %.1f MiB, peak after %.1f MiB, end %.1f MiB: growth %.1f MiB\n", unit,
                warmup, toMiB(probe.warmupBytes), toMiB(probe.peakAfterWarmup), toMiB(probe.lastBytes),
                probe.growthMiB());
}

} // namespace morph::test
