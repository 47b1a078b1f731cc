#include "train/TrainingRun.h"

#include "dataset/NSynthDataset.h"
#include "util/AtomicFile.h"
#include "util/Errors.h"

namespace morph {

PreparedRun prepareTrainingRun(const NSynthDataset& dataset, const DataSelection& selection, TrainConfig& config,
                               std::filesystem::path featureDir, const CancelToken& cancel,
                               const std::function<void(const std::string&, const FeatureBuildProgress&)>& progress,
                               const std::function<void(const std::string&)>& log)
{
    PreparedRun run;
    run.sets = selectNoteSets(dataset, selection);
    if (log)
        for (const auto& n : run.sets.notes) log("note: " + n);
    FeatureSettings fs;
    fs.mel = config.model.mel;
    fs.sampleRate = config.model.sampleRate;
    fs.nFft = config.model.nFft;
    fs.hop = config.model.hop;
    if (featureDir.empty()) featureDir = config.runDir / "features";
    auto build = [&](const std::vector<std::size_t>& notes, const std::string& label) {
        std::function<void(const FeatureBuildProgress&)> report;
        if (progress) report = [&](const FeatureBuildProgress& p) { progress(label, p); };
        return ensureFeatures(dataset, notes, fs, label, featureDir, cancel, report, log);
    };
    config.trainFeatures = build(run.sets.train, run.sets.trainLabel);
    config.validFeatures = build(run.sets.valid, run.sets.validLabel);
    if (!run.sets.test.empty()) run.testFeatures = build(run.sets.test, run.sets.testLabel);
    config.datasetRoot = dataset.root().string();
    config.trainLabel = run.sets.trainLabel;
    config.validLabel = run.sets.validLabel;
    return run;
}

TrainConfig loadRunConfig(const std::filesystem::path& runDir, const std::function<void(const std::string&)>& log)
{
    const auto file = runDir / "config.json";
    TrainConfig config = TrainConfig::fromJson(readWholeFile(file), "run config '" + file.string() + "'");
    config.runDir = runDir;
    const std::pair<std::filesystem::path*, std::string> caches[] = {{&config.trainFeatures, config.trainLabel},
                                                                     {&config.validFeatures, config.validLabel}};
    for (const auto& [cache, split] : caches) {
        if (cache->empty() || std::filesystem::exists(*cache))
            continue;
        const std::filesystem::path local = runDir / "features" / cache->filename();
        if (!std::filesystem::exists(local))
            throw ConfigError("feature cache " + cache->string() + " (named by " + file.string() +
                              ") is missing; rebuild it with: morphstation-cli features " +
                              (config.datasetRoot.empty() ? std::string("DATA") : config.datasetRoot) + " --split " +
                              split + (config.model.mel ? " --mel" : "") + " --out " + local.string());
        if (log)
            log("feature cache " + cache->string() + " is missing; using " + local.string());
        *cache = local;
    }
    return config;
}

std::filesystem::path testFeaturesOf(const TrainConfig& config)
{
    const std::filesystem::path candidate =
        config.trainFeatures.parent_path() / ("test" + std::string(config.model.mel ? "-mel" : "-logmag") + ".feat");
    return std::filesystem::exists(candidate) ? candidate : std::filesystem::path();
}

} // namespace morph
