// Faults with nothing lost: a training run SIGKILLed while it writes checkpoints, a full disk
// while caching features or checkpointing, audio files that vanish while the dataset is open.
// (NaN loss: test_trainer; no audio device: test_audio_output; 40 kills, out of memory and the
// CLI's side of these faults: test_faults_slow, label "slow".)
#include "support/TinyModel.h"  // torch first (a small checkpoint for the encoding tests)

#include "support/KillLoop.h"

#include "dataset/AudioFile.h"
#include "model/CheckpointInfo.h"
#include "morph/EncodingService.h"
#include "train/FeatureCache.h"
#include "train/Trainer.h"
#include "util/AtomicFile.h"
#include "util/Errors.h"

#include <gtest/gtest.h>


namespace fs = std::filesystem;
using namespace morph;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::size_t> allNotes(const NSynthDataset& ds, Split split)
{
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < ds.size(); ++i)
        if (ds.note(i).split == split)
            out.push_back(i);
    return out;
}

std::size_t tempFilesIn(const fs::path& dir)
{
    std::size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        n += e.path().filename().string().find(".tmp-") != std::string::npos ? 1 : 0;
    return n;
}

TEST(Faults, KillingTrainingDuringCheckpointWritesNeverLeavesACorruptCheckpoint)
{
    if (morph::test::cliPath().empty())
        GTEST_SKIP() << "MORPH_CLI is not set (run through ctest)";
    morph::test::TempDir tmp("morph_fault_kill");
    const auto r = morph::test::trainKillLoop(tmp.path, 3, 20261123);
    for (const auto& f : r.failures)
        ADD_FAILURE() << f;
    EXPECT_EQ(r.kills, 3);
    EXPECT_GE(r.resumed, 1);        // killed runs resume from what the kill left
    EXPECT_GE(r.checkpointsLoaded, 3);
    std::printf("%d kills (%d inside a write), %d resumes, %d checkpoint loads, all fine, in %.1f s\n", r.kills,
                r.killedMidWrite, r.resumed, r.checkpointsLoaded, r.seconds);
}

// --- full disk ----------------------------------------------------------------------------------

class FullDisk : public ::testing::Test {
protected:
    void SetUp() override
    {
        morph::test::makeRealDataset(tmp.path / "data", 3, 1);
        dataset = NSynthDataset::open(tmp.path / "data", DatasetOpenOptions{true, false, {}});
    }
    morph::test::TempDir tmp{"morph_fault_disk"};
    NSynthDataset dataset;
};

TEST_F(FullDisk, FeatureCachingGivesAClearErrorAndKeepsThePreviousCache)
{
    morph::test::SmallFilesystem small(tmp.path / "small", 2u << 20);
    if (!small.ok())
        GTEST_SKIP() << small.reason();
    const fs::path cache = tmp.path / "small" / "train.feat";
    const auto notes = allNotes(dataset, Split::Train);
    const FeatureBuildReport first = FeatureCache::build(dataset, notes, FeatureSettings{}, "train", cache);
    ASSERT_EQ(first.notes, 3u);
    const std::string before = readWholeFile(cache);

    small.fillLeaving(before.size() / 2);
    try {
        FeatureCache::build(dataset, notes, FeatureSettings{}, "train", cache);
        FAIL() << "a cache bigger than the free space was written";
    } catch (const IoError& e) {
        const std::string msg = e.what();
        EXPECT_TRUE(contains(msg, "cannot write feature cache '" + cache.string() + "'")) << msg;
        EXPECT_TRUE(contains(msg, "No space left on device (disk full?)")) << msg;
        EXPECT_TRUE(contains(msg, "the previous file is kept")) << msg;
    }
    EXPECT_EQ(readWholeFile(cache), before);
    EXPECT_EQ(FeatureCache::open(cache).noteCount(), 3u);
    EXPECT_EQ(tempFilesIn(tmp.path / "small"), 0u);
}

TEST_F(FullDisk, CheckpointingGivesAClearErrorAndKeepsThePreviousCheckpoints)
{
    morph::test::SmallFilesystem small(tmp.path / "small", 4u << 20);
    if (!small.ok())
        GTEST_SKIP() << small.reason();
    TrainConfig cfg;
    cfg.model.arch = Architecture::Single;
    cfg.model.channels = {2, 2, 2, 2};
    cfg.trainFeatures = tmp.path / "train.feat";
    cfg.validFeatures = tmp.path / "valid.feat";
    FeatureCache::build(dataset, allNotes(dataset, Split::Train), FeatureSettings{}, "train", cfg.trainFeatures);
    FeatureCache::build(dataset, allNotes(dataset, Split::Valid), FeatureSettings{}, "valid", cfg.validFeatures);
    cfg.runDir = tmp.path / "small" / "run";
    cfg.epochs = 1;
    cfg.batchSize = 8;
    cfg.maxSlicesPerEpoch = 32;
    cfg.maxValidSlices = 8;
    cfg.device = "cpu";
    cfg.threads = 1;
    cfg.checkpointMinutes = 0;
    Trainer(cfg).run();
    const std::string last = readWholeFile(cfg.runDir / "last.pt"), best = readWholeFile(cfg.runDir / "best.pt");

    small.fillLeaving(last.size() / 2);
    cfg.epochs = 2;
    try {
        Trainer(cfg, true).run();
        FAIL() << "a checkpoint bigger than the free space was written";
    } catch (const IoError& e) {
        const std::string msg = e.what();
        EXPECT_TRUE(contains(msg, (cfg.runDir / "last.pt").string())) << msg;
        EXPECT_TRUE(contains(msg, "no space left on device")) << msg;
        EXPECT_TRUE(contains(msg, "the previous file is kept")) << msg;
    }
    EXPECT_EQ(readWholeFile(cfg.runDir / "last.pt"), last);
    EXPECT_EQ(readWholeFile(cfg.runDir / "best.pt"), best);
    EXPECT_NO_THROW(ModelRunner::load(cfg.runDir / "last.pt", "cpu"));
    EXPECT_EQ(tempFilesIn(cfg.runDir), 0u);
    EXPECT_EQ(readCheckpointInfo(cfg.runDir / "last.pt").epoch, 1);
}

TEST_F(FullDisk, EmbeddingCachingKeepsTheEncodingsAndThePreviousFiles)
{
    morph::test::SmallFilesystem small(tmp.path / "small", 2u << 20);
    if (!small.ok())
        GTEST_SKIP() << small.reason();
    const fs::path modelFile = tmp.path / "tiny.pt";
    morph::test::writeTinyModel(modelFile, {"bass_electronic_018-060-075"}, 2);
    auto model = std::shared_ptr<const ModelRunner>(ModelRunner::load(modelFile, "cpu"));
    auto shared = std::make_shared<const NSynthDataset>(dataset);
    const fs::path cacheRoot = tmp.path / "small" / "embeddings";
    EncodingService encoder(model, shared, cacheRoot);
    ASSERT_NE(encoder.encodeNow(0), nullptr);
    EXPECT_EQ(encoder.lastCacheError(), "");
    std::vector<fs::path> written;
    for (const auto& e : fs::recursive_directory_iterator(cacheRoot))
        if (e.path().extension() == ".emb")
            written.push_back(e.path());
    ASSERT_EQ(written.size(), 1u);
    const std::string before = readWholeFile(written[0]);

    small.fillLeaving(before.size() / 2);
    // One note at a time: the encoding is returned and kept, the cache failure is explained.
    const auto one = encoder.encodeNow(1);
    ASSERT_NE(one, nullptr);
    EXPECT_GT(one->slices, 0);
    EXPECT_NE(encoder.embedding(1), nullptr);
    const std::string why = encoder.lastCacheError();
    EXPECT_TRUE(contains(why, cacheRoot.string())) << why;
    EXPECT_TRUE(contains(why, "no space left on device")) << why;
    EXPECT_TRUE(contains(why, "the previous file is kept")) << why;
    // A batch: every note is encoded, the progress says why the cache was not written.
    EncodingProgress progress;
    const auto batch = encoder.encodeAllNow({2, 3}, &progress);
    ASSERT_EQ(batch.size(), 2u);
    EXPECT_NE(batch[0], nullptr);
    EXPECT_NE(batch[1], nullptr);
    EXPECT_EQ(progress.failed, 0u);
    EXPECT_TRUE(contains(progress.lastError, "no space left on device")) << progress.lastError;

    EXPECT_EQ(readWholeFile(written[0]), before);
    EXPECT_EQ(tempFilesIn(tmp.path / "small"), 0u);
    // Once there is room again the cache fills in.
    fs::remove(tmp.path / "small" / "filler");
    fs::remove(tmp.path / "small" / "filler-tail");
    EncodingService again(model, shared, cacheRoot);
    ASSERT_NE(again.encodeNow(1), nullptr);
    EXPECT_EQ(again.lastCacheError(), "");
}

TEST_F(FullDisk, IndexCachingOnAFullDiskStillOpensTheDatasetAndKeepsThePreviousCache)
{
    morph::test::SmallFilesystem small(tmp.path / "small", 1u << 20);
    if (!small.ok())
        GTEST_SKIP() << small.reason();
    const fs::path cacheDir = tmp.path / "small" / "index";
    const DatasetOpenOptions options{true, true, cacheDir};
    const NSynthDataset first = NSynthDataset::open(tmp.path / "data", options);
    ASSERT_EQ(first.sources().size(), 2u);
    ASSERT_EQ(first.sources()[0].split, Split::Train);
    const fs::path trainCache = first.sources()[0].cacheFile;
    ASSERT_FALSE(trainCache.empty()) << first.sources()[0].cacheError;
    const std::string before = readWholeFile(trainCache);

    // The train split changes (its cache is stale) and the disk is full: the split is indexed
    // again, the dataset opens with every note, and the reason the cache was not rewritten is kept.
    const fs::path json = first.sources()[0].dir / "examples.json";
    std::ofstream(json, std::ios::app) << "\n";
    small.fillLeaving(before.size() / 2);
    const NSynthDataset second = NSynthDataset::open(tmp.path / "data", options);
    EXPECT_EQ(second.size(), first.size());
    const SplitSource& src = second.sources()[0];
    EXPECT_FALSE(src.fromCache);
    EXPECT_TRUE(src.cacheFile.empty());
    EXPECT_TRUE(contains(src.cacheError, "cannot write '" + (cacheDir / trainCache.filename()).string() + "'"))
        << src.cacheError;
    EXPECT_TRUE(contains(src.cacheError, "no space left on device")) << src.cacheError;
    EXPECT_TRUE(second.sources()[1].fromCache);
    EXPECT_EQ(readWholeFile(trainCache), before);
    EXPECT_EQ(tempFilesIn(tmp.path / "small"), 0u);
}

// --- audio files that vanish while the dataset is open ------------------------------------------

TEST(Faults, AudioThatVanishesWhileTheDatasetIsOpenGivesAClearErrorAndTheRestWorks)
{
    morph::test::TempDir tmp("morph_fault_vanish");
    morph::test::makeRealDataset(tmp.path / "data", 3, 1);
    auto dataset = std::make_shared<const NSynthDataset>(
        NSynthDataset::open(tmp.path / "data", DatasetOpenOptions{true, false, {}}));
    const fs::path modelFile = tmp.path / "tiny.pt";
    morph::test::writeTinyModel(modelFile, {"bass_electronic_018-060-075"}, 2);
    auto model = std::shared_ptr<const ModelRunner>(ModelRunner::load(modelFile, "cpu"));
    EncodingService encoder(model, dataset, tmp.path / "embeddings");
    ASSERT_NE(encoder.encodeNow(0), nullptr);

    // One WAV removed: encoding, feature caching and the CLI name it; the other notes work.
    const fs::path gone = dataset->audioPath(1);
    fs::remove(gone);
    try {
        encoder.encodeNow(1);
        ADD_FAILURE() << "encoded a note whose file is gone";
    } catch (const AudioFileError& e) {
        EXPECT_TRUE(contains(e.what(), "cannot load audio " + gone.string() + ": file not found")) << e.what();
    }
    EXPECT_NE(encoder.encodeNow(2), nullptr);
    const FeatureBuildReport r =
        FeatureCache::build(*dataset, {0, 1, 2}, FeatureSettings{}, "train", tmp.path / "train.feat");
    EXPECT_EQ(r.notes, 2u);
    EXPECT_EQ(r.failed, 1u);
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_TRUE(contains(r.problems[0], dataset->note(1).noteStr + ": cannot load audio " + gone.string()))
        << r.problems[0];

    // The whole folder removed: the index still answers, every load names its file, notes
    // already encoded stay available.
    fs::remove_all(tmp.path / "data");
    EXPECT_EQ(dataset->size(), 4u);
    EXPECT_EQ(dataset->counts().notes, 4u);
    try {
        encoder.encodeNow(3);
        ADD_FAILURE() << "encoded a note whose folder is gone";
    } catch (const AudioFileError& e) {
        EXPECT_TRUE(contains(e.what(), dataset->audioPath(3).string() + ": file not found")) << e.what();
    }
    EXPECT_NE(encoder.encodeNow(0), nullptr);
}

} // namespace
