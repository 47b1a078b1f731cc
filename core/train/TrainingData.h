#pragma once
// Which dataset notes a run trains, validates and tests on, and the feature caches for them.
// Plain C++ (no torch). Thread contract: free functions; call off the GUI thread (they read
// audio and write caches).
#include "train/FeatureCache.h"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace morph {

class NSynthDataset;

struct DataSelection {
    std::string trainSplit = "train", validSplit = "valid", testSplit = "test";
    /// 0 = all notes; else at most this many per set, spread evenly over the sorted notes (so
    /// every instrument/pitch region is represented), for quick runs.
    std::size_t maxNotes = 0;
    /// When the validation split has no notes, this fraction of the training INSTRUMENTS is held
    /// out for validation (instrument-disjoint like NSynth's own valid split).
    double holdoutFraction = 0.1;
};

struct NoteSets {
    std::vector<std::size_t> train, valid, test;
    std::string trainLabel, validLabel, testLabel;  // "train", "valid", "train-holdout", ...
    std::vector<std::string> notes;                 // human remarks (fallbacks taken)
};

/// Throws ConfigError when the training set is empty (naming the splits the dataset has).
NoteSets selectNoteSets(const NSynthDataset& dataset, const DataSelection& selection);

/// Every `stride`-th element so that at most `maxCount` remain (0 = keep all).
std::vector<std::size_t> spreadSubset(const std::vector<std::size_t>& indices, std::size_t maxCount);

/// Returns `dir/<label>-<scale>.feat`, building it unless an existing file matches the notes
/// and settings exactly. `log` receives one-line messages (reused / built, notes/s).
std::filesystem::path ensureFeatures(const NSynthDataset& dataset, const std::vector<std::size_t>& indices,
                                     const FeatureSettings& settings, const std::string& label,
                                     const std::filesystem::path& dir, const CancelToken& cancel = {},
                                     const std::function<void(const FeatureBuildProgress&)>& progress = {},
                                     const std::function<void(const std::string&)>& log = {});

} // namespace morph
