// prepareTrainingRun (shared by `morphstation-cli train` and the Training panel): picks the note
// sets, builds the feature caches once and reuses them, fills the TrainConfig's data fields;
// loadRunConfig / testFeaturesOf read a run folder back.
#include "dataset/NSynthDataset.h"
#include "train/FeatureCache.h"
#include "train/TrainingRun.h"
#include "util/AtomicFile.h"
#include "util/Errors.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace morph;

namespace {

std::filesystem::path freshDir(const char* name)
{
    const auto dir = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

} // namespace

TEST(TrainingRun, PreparesAndReusesTheFeatureCaches)
{
    const NSynthDataset ds = NSynthDataset::open(std::string(MORPH_SHARED_DATA_DIR) + "/nsynth-test-pitch60");
    const auto run = freshDir("morph_training_run_test");
    TrainConfig cfg;
    cfg.runDir = run;
    DataSelection sel;
    sel.trainSplit = "test"; // the only split of this set: validation = held-out instruments
    sel.validSplit = "valid";
    sel.testSplit = "";
    sel.maxNotes = 12;
    std::vector<std::string> logs;
    std::vector<std::string> labels;
    const PreparedRun p = prepareTrainingRun(
        ds, sel, cfg, {}, {}, [&](const std::string& label, const FeatureBuildProgress&) { labels.push_back(label); },
        [&](const std::string& line) { logs.push_back(line); });
    EXPECT_EQ(p.sets.trainLabel, "test-minus-holdout-max12");
    EXPECT_EQ(p.sets.validLabel, "test-holdout-max12");
    EXPECT_EQ(p.sets.train.size(), 12u);
    EXPECT_FALSE(p.sets.valid.empty());
    EXPECT_TRUE(p.testFeatures.empty());
    EXPECT_EQ(cfg.trainFeatures, run / "features" / "test-minus-holdout-max12-logmag.feat");
    EXPECT_EQ(cfg.validFeatures, run / "features" / "test-holdout-max12-logmag.feat");
    EXPECT_EQ(cfg.trainLabel, p.sets.trainLabel);
    EXPECT_EQ(cfg.validLabel, p.sets.validLabel);
    EXPECT_EQ(cfg.datasetRoot, ds.root().string());
    EXPECT_FALSE(labels.empty());
    ASSERT_FALSE(logs.empty());
    EXPECT_EQ(logs.front().rfind("note: ", 0), 0u); // the holdout fallback is said
    const FeatureCache train = FeatureCache::open(cfg.trainFeatures);
    EXPECT_EQ(train.noteCount(), 12u);
    EXPECT_EQ(train.bins(), 513);

    // Again: both caches are reused, nothing is rebuilt.
    TrainConfig again;
    again.runDir = run;
    labels.clear();
    logs.clear();
    prepareTrainingRun(ds, sel, again, {}, {}, [&](const std::string& label, const FeatureBuildProgress&) {
        labels.push_back(label);
    }, [&](const std::string& line) { logs.push_back(line); });
    EXPECT_TRUE(labels.empty());
    int reused = 0;
    for (const auto& l : logs) reused += l.find("reusing") != std::string::npos;
    EXPECT_EQ(reused, 2);
    EXPECT_EQ(again.trainFeatures, cfg.trainFeatures);

    // A run folder's config.json reads back; the test cache is found next to the training one.
    writeFileAtomically(run / "config.json", cfg.toJson());
    const TrainConfig loaded = loadRunConfig(run);
    EXPECT_EQ(loaded.trainFeatures, cfg.trainFeatures);
    EXPECT_EQ(loaded.runDir, run);
    EXPECT_TRUE(testFeaturesOf(loaded).empty());
    std::filesystem::copy_file(cfg.validFeatures, run / "features" / "test-logmag.feat");
    EXPECT_EQ(testFeaturesOf(loaded), run / "features" / "test-logmag.feat");
    std::filesystem::remove_all(run);
}

TEST(TrainingRun, NoTrainingNotesIsAConfigError)
{
    const NSynthDataset ds = NSynthDataset::open(std::string(MORPH_SHARED_DATA_DIR) + "/nsynth-test-pitch60");
    TrainConfig cfg;
    cfg.runDir = freshDir("morph_training_run_empty");
    DataSelection sel; // "train": this set has none
    EXPECT_THROW(prepareTrainingRun(ds, sel, cfg), ConfigError);
    EXPECT_THROW(loadRunConfig(cfg.runDir / "missing"), Error);
}

TEST(TrainingRun, ACopiedRunFindsItsFeatureCachesInItsOwnFolder)
{
    // A run trained elsewhere (config.json names caches under a folder this machine lacks) and
    // copied here with its features/ folder resumes; without the caches the error names the fix.
    const auto run = freshDir("morph_training_run_copied");
    std::filesystem::create_directories(run / "features");
    TrainConfig cfg;
    cfg.runDir = "/nonexistent/elsewhere/run";
    cfg.datasetRoot = "/nonexistent/elsewhere/data";
    cfg.trainLabel = "train";
    cfg.validLabel = "valid";
    cfg.trainFeatures = "/nonexistent/elsewhere/run/features/train-logmag.feat";
    cfg.validFeatures = "/nonexistent/elsewhere/run/features/valid-logmag.feat";
    writeFileAtomically(run / "config.json", cfg.toJson());

    try {
        loadRunConfig(run);
        ADD_FAILURE() << "missing caches must be refused";
    } catch (const ConfigError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("/nonexistent/elsewhere/run/features/train-logmag.feat"), std::string::npos) << what;
        EXPECT_NE(what.find("morphstation-cli features /nonexistent/elsewhere/data --split train --out " +
                            (run / "features" / "train-logmag.feat").string()),
                  std::string::npos)
            << what;
    }

    writeFileAtomically(run / "features" / "train-logmag.feat", "x");
    writeFileAtomically(run / "features" / "valid-logmag.feat", "x");
    std::vector<std::string> logs;
    const TrainConfig loaded = loadRunConfig(run, [&](const std::string& line) { logs.push_back(line); });
    EXPECT_EQ(loaded.runDir, run);
    EXPECT_EQ(loaded.trainFeatures, run / "features" / "train-logmag.feat");
    EXPECT_EQ(loaded.validFeatures, run / "features" / "valid-logmag.feat");
    EXPECT_EQ(logs.size(), 2u);
    std::filesystem::remove_all(run);
}
