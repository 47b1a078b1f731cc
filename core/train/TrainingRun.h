#pragma once
// Setting up a training run from a dataset, shared by `morphstation-cli train` and the
// workstation's Training panel: choose the note sets, build (or reuse) their feature caches and
// fill in the TrainConfig's data fields; or reload a run's own config.json to resume it.
// Plain C++ (no torch). Thread contract: free functions; call them off the GUI thread (they
// read audio and write caches; ThreadPool::shared() helps build the caches).
#include "train/Trainer.h"
#include "train/TrainingData.h"

#include <filesystem>
#include <functional>
#include <string>

namespace morph {

struct PreparedRun {
    NoteSets sets;
    std::filesystem::path testFeatures; ///< empty when the dataset has no test notes
};

/// For a new run: selects the notes, builds or reuses the feature caches in `featureDir`
/// (empty = config.runDir / "features") with config.model's pre-processing, and sets
/// config.trainFeatures, validFeatures, datasetRoot, trainLabel and validLabel.
/// `progress(label, p)` reports a cache being built; `log` gets one-line messages (which note
/// sets were chosen, caches reused or built). Throws ConfigError (no training notes),
/// CancelledError or IoError.
PreparedRun prepareTrainingRun(
    const NSynthDataset& dataset, const DataSelection& selection, TrainConfig& config,
    std::filesystem::path featureDir = {}, const CancelToken& cancel = {},
    const std::function<void(const std::string& label, const FeatureBuildProgress&)>& progress = {},
    const std::function<void(const std::string&)>& log = {});

/// A run folder's config.json (what --resume continues), with runDir set to `runDir`.
/// A copied or moved run (a shipped model's resume state, a folder synced from a GPU box) names
/// its feature caches by their old absolute paths: a cache missing there is taken from
/// runDir/features/<same file name> when that exists (reported through `log`), else a
/// ConfigError names the `morphstation-cli features` command that rebuilds it.
/// Throws IoError / ConfigError.
TrainConfig loadRunConfig(const std::filesystem::path& runDir, const std::function<void(const std::string&)>& log = {});

/// The test-set cache next to a run's training cache, if it was built ("" otherwise).
std::filesystem::path testFeaturesOf(const TrainConfig& config);

} // namespace morph
