// Trainer: overfitting a handful of notes, exact resume, cancel within one batch, NaN handling,
// run-folder contents; plus the feature cache it reads (float16 round trip, slice layout).
#include "model/CheckpointInfo.h"
#include "model/ModelRunner.h"
#include "train/FeatureCache.h"
#include "train/Half.h"
#include "train/Trainer.h"
#include "util/AtomicFile.h"
#include "util/Errors.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <functional>
#include <fstream>
#include <random>
#include <unistd.h>

#include "support/TempDir.h"

using namespace morph;
namespace fs = std::filesystem;

namespace {

struct TempDir : test::TempDir {
    TempDir() : test::TempDir("morph_trainer_test") {}
};

constexpr int kBins = 128;  // mel features: small and fast

/// A harmonic note in dB: partials at multiples of `f0Bin`, decaying over time, -80 dB floor.
std::vector<float> syntheticNote(int frames, int f0Bin, float decay)
{
    std::vector<float> db(static_cast<std::size_t>(frames) * kBins, -80.f);
    for (int f = 0; f < frames; ++f)
        for (int b = 0; b < kBins; ++b) {
            float v = -80.f;
            for (int k = 1; k * f0Bin < kBins; ++k) {
                const float dist = static_cast<float>(std::abs(b - k * f0Bin));
                v = std::max(v, -6.f * (k - 1) - decay * f - 12.f * dist);
            }
            db[static_cast<std::size_t>(f) * kBins + b] = std::max(-80.f, v);
        }
    return db;
}

fs::path writeCache(const fs::path& file, int notes, int frames)
{
    FeatureSettings s;
    s.mel = true;
    std::vector<FeatureNote> meta;
    std::vector<std::vector<float>> data;
    std::vector<std::string> names;
    for (int i = 0; i < notes; ++i) {
        FeatureNote n;
        n.frames = static_cast<std::uint32_t>(frames);
        n.totalFrames = 126;
        n.pitch = static_cast<std::uint8_t>(48 + 5 * i);
        n.family = static_cast<std::uint8_t>(i % 3);
        n.ref = 1.f + i;
        meta.push_back(n);
        data.push_back(syntheticNote(frames, 5 + 3 * i, 1.5f + 0.5f * i));
        names.push_back("synthetic_" + std::to_string(i) + "-060-100");
    }
    FeatureCache::write(file, s, "synthetic", meta, data, names);
    return file;
}

TrainConfig tinyConfig(const fs::path& dir, const fs::path& cache)
{
    TrainConfig c;
    c.model.arch = Architecture::Double;
    c.model.mel = true;
    c.model.channels = {4, 4, 4, 4};
    c.trainFeatures = cache;
    c.validFeatures = cache;
    c.runDir = dir;
    c.epochs = 3;
    c.batchSize = 8;
    c.learningRate = 1e-2;
    c.threads = 1;  // bit-exact determinism for the resume test
    c.seed = 42;
    c.checkpointMinutes = 0;
    return c;
}

nlohmann::json checkpointState(const fs::path& file)
{
    return nlohmann::json::parse(readCheckpointInfo(file).metadataJson).at("state");
}

} // namespace

TEST(Half, RoundTripsDbValuesFinely)
{
    for (float v : {0.f, -0.5f, -1.f, -12.345f, -60.f, -79.99f, -80.f, 1.f, 65504.f})
        EXPECT_NEAR(halfToFloat(floatToHalf(v)), v, std::abs(v) / 1024.f + 1e-7f) << v;
    EXPECT_EQ(floatToHalf(1.f), 0x3c00);
    EXPECT_EQ(floatToHalf(-2.f), 0xc000);
    EXPECT_EQ(halfToFloat(0x0001), std::ldexp(1.f, -24));  // smallest subnormal
    EXPECT_EQ(floatToHalf(std::ldexp(1.f, -24)), 0x0001);
    EXPECT_TRUE(std::isinf(halfToFloat(floatToHalf(1e6f))));
    EXPECT_TRUE(std::isnan(halfToFloat(floatToHalf(NAN))));
}

TEST(FeatureCache, StoresFramesAndReadsSlicesInModelLayout)
{
    TempDir dir;
    const fs::path file = writeCache(dir.path / "c.feat", 3, 10);
    const FeatureCache cache = FeatureCache::open(file);
    ASSERT_EQ(cache.noteCount(), 3u);
    EXPECT_EQ(cache.bins(), kBins);
    EXPECT_EQ(cache.noteName(1), "synthetic_1-060-100");
    EXPECT_EQ(cache.note(2).pitch, 58);
    EXPECT_EQ(cache.slicesOfNote(0, 3), 8u);
    const std::vector<float> ref = syntheticNote(10, 8, 2.f);  // note 1
    std::vector<float> slice(kBins * 3);
    cache.readSlice(1, 4, 3, slice.data());
    for (int b = 0; b < kBins; ++b)
        for (int t = 0; t < 3; ++t)
            EXPECT_NEAR(slice[b * 3 + t], ref[(4 + t) * kBins + b], 0.04f);
    SliceIndex index(cache, 3);
    EXPECT_EQ(index.size(), 24u);
    EXPECT_EQ(index.locate(0), (std::pair<std::size_t, int>{0, 0}));
    EXPECT_EQ(index.locate(8), (std::pair<std::size_t, int>{1, 0}));
    EXPECT_EQ(index.locate(23), (std::pair<std::size_t, int>{2, 7}));

    // A truncated cache is refused with the file name.
    fs::copy_file(file, dir.path / "cut.feat");
    fs::resize_file(dir.path / "cut.feat", fs::file_size(file) - 30);
    try {
        FeatureCache::open(dir.path / "cut.feat");
        FAIL();
    } catch (const DatasetError& e) {
        EXPECT_NE(std::string(e.what()).find("cut.feat"), std::string::npos);
    }
}

TEST(Trainer, OverfitsAHandfulOfNotes)
{
    TempDir dir;
    const fs::path cache = writeCache(dir.path / "c.feat", 4, 12);  // 40 slices
    TrainConfig c = tinyConfig(dir.path / "run", cache);
    c.epochs = 40;
    c.earlyStopPatience = 100;
    Trainer trainer(c);
    const TrainResult r = trainer.run();
    ASSERT_EQ(r.stop, TrainResult::Stop::Completed);
    ASSERT_EQ(r.history.size(), 40u);
    const double first = r.history.front().trainLoss;
    const double last = r.history.back().validLoss;
    std::printf("overfit: epoch 1 train MSE %.2f, epoch 40 valid MSE %.3f, best %.3f dB^2\n", first, last,
                r.bestValidLoss);
    EXPECT_LT(last * 10, first) << "first " << first << " last " << last;
    EXPECT_LT(r.bestValidLoss, 60.0);  // the per-bin mean alone gives several hundred dB^2

    // Run folder contents.
    for (const char* f : {"config.json", "metrics.jsonl", "last.pt", "best.pt", "train.log", "checkpoints/epoch-040.pt"})
        EXPECT_TRUE(fs::exists(c.runDir / f)) << f;
    std::ifstream metrics(c.runDir / "metrics.jsonl");
    int lines = 0;
    for (std::string line; std::getline(metrics, line); ++lines)
        EXPECT_EQ(nlohmann::json::parse(line).at("epoch").get<int>(), lines + 1);
    EXPECT_EQ(lines, 40);
    const TrainConfig back = TrainConfig::fromJson(readWholeFile(c.runDir / "config.json"));
    EXPECT_EQ(back.model, c.model);
    EXPECT_EQ(back.seed, 42u);
    // best.pt is an inference-ready model with its metrics.
    auto runner = ModelRunner::load(c.runDir / "best.pt", "cpu");
    EXPECT_EQ(runner->config(), c.model);
    const CheckpointInfo info = readCheckpointInfo(c.runDir / "best.pt");
    ASSERT_TRUE(info.validLoss.has_value());
    EXPECT_DOUBLE_EQ(*info.validLoss, r.bestValidLoss);
}

TEST(Trainer, CancelStopsWithinOneBatchAndResumeContinuesTheSameCurve)
{
    TempDir dir;
    const fs::path cache = writeCache(dir.path / "c.feat", 3, 12);  // 30 slices -> 4 batches of 8
    // Reference: 3 uninterrupted epochs.
    TrainConfig ref = tinyConfig(dir.path / "ref", cache);
    const TrainResult full = Trainer(ref).run();
    ASSERT_EQ(full.history.size(), 3u);

    // Same run, cancelled right after batch 2 of epoch 2, then resumed in a new Trainer.
    TrainConfig c = tinyConfig(dir.path / "resumed", cache);
    CancelToken cancel;
    std::int64_t batchesSeen = 0, batchAtCancel = -1;
    {
        Trainer t(c);
        t.setProgressCallback([&](const TrainProgress& p) {
            if (p.phase != TrainPhase::Train)
                return;
            ++batchesSeen;
            if (p.epoch == 2 && p.batch == 2) {
                cancel.cancel();
                batchAtCancel = batchesSeen;
            }
        });
        const TrainResult r = t.run(cancel);
        EXPECT_EQ(r.stop, TrainResult::Stop::Cancelled);
        EXPECT_EQ(batchesSeen, batchAtCancel);  // not one more batch after the request
        EXPECT_EQ(r.epochsDone, 1);
    }
    // The state on disk is loadable and records the exact position.
    EXPECT_NO_THROW(ModelRunner::load(c.runDir / "last.pt", "cpu"));
    const auto st = checkpointState(c.runDir / "last.pt");
    EXPECT_EQ(st.at("epoch").get<int>(), 1);
    EXPECT_EQ(st.at("batch_in_epoch").get<int>(), 2);

    // Starting fresh over an existing state is refused; resuming continues.
    EXPECT_THROW(Trainer(c).run(), ConfigError);
    Trainer resumed(c, true);
    const TrainResult r = resumed.run();
    ASSERT_EQ(r.stop, TrainResult::Stop::Completed);
    ASSERT_EQ(r.history.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_DOUBLE_EQ(r.history[i].trainLoss, full.history[i].trainLoss) << "epoch " << i + 1;
        EXPECT_DOUBLE_EQ(r.history[i].validLoss, full.history[i].validLoss) << "epoch " << i + 1;
        EXPECT_DOUBLE_EQ(r.history[i].learningRate, full.history[i].learningRate);
    }
    // Resuming with another architecture is refused by name.
    TrainConfig other = c;
    other.model.arch = Architecture::Single;
    try {
        Trainer(other, true).run();
        FAIL();
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("'double' mel model"), std::string::npos) << e.what();
    }
}

// A resume state edited or damaged by hand (the checksum recomputed, so only the values are
// wrong): each is refused with a CheckpointError naming the field, and best.pt is untouched.
TEST(Trainer, ResumeStateIsReadExactlyAndRefusedByField)
{
    TempDir dir;
    const fs::path cache = writeCache(dir.path / "c.feat", 3, 12);
    TrainConfig c = tinyConfig(dir.path / "run", cache);
    c.epochs = 1;
    Trainer(c).run();
    const RawCheckpoint good = readCheckpointFile(c.runDir / "last.pt");
    const std::string best = readWholeFile(c.runDir / "best.pt");
    c.epochs = 2;

    struct Case {
        const char* what;
        std::function<void(nlohmann::json&)> edit;
        const char* message;
    };
    const Case cases[] = {
        {"epoch 1e300", [](nlohmann::json& m) { m["state"]["epoch"] = 1e300; },
         "field 'epoch' has the wrong type or is out of range"},
        {"batch 2.5", [](nlohmann::json& m) { m["state"]["batch_in_epoch"] = 2.5; },
         "field 'batch_in_epoch' has the wrong type or is out of range"},
        {"negative epoch", [](nlohmann::json& m) { m["state"]["epoch"] = -3; }, "a counter is negative"},
        {"seed as text", [](nlohmann::json& m) { m["state"]["seed"] = "42"; },
         "field 'seed' has the wrong type or is out of range"},
        {"no scheduler", [](nlohmann::json& m) { m.erase("scheduler"); }, "section 'scheduler' is missing"},
        {"history not a list", [](nlohmann::json& m) { m["history"] = 7; }, "'history' is not a list"},
        {"history lr as text", [](nlohmann::json& m) { m["history"][0]["lr"] = "x"; },
         "field 'lr' has the wrong type or is out of range"},
    };
    for (const Case& k : cases) {
        SCOPED_TRACE(k.what);
        nlohmann::json meta = nlohmann::json::parse(good.metadataJson);
        k.edit(meta);
        writeCheckpointFile(c.runDir / "last.pt", meta.dump(), good.payload);
        try {
            Trainer(c, true).run();
            ADD_FAILURE() << "resumed from a bad state";
        } catch (const CheckpointError& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find((c.runDir / "last.pt").string()), std::string::npos) << msg;
            EXPECT_NE(msg.find(k.message), std::string::npos) << msg;
        }
        EXPECT_EQ(readWholeFile(c.runDir / "best.pt"), best);
    }
    // The untouched state still resumes.
    writeCheckpointFile(c.runDir / "last.pt", good.metadataJson, good.payload);
    EXPECT_EQ(Trainer(c, true).run().stop, TrainResult::Stop::Completed);
}

TEST(Trainer, NanLossStopsCleanlyAndKeepsTheLastGoodCheckpoint)
{
    TempDir dir;
    const fs::path cache = writeCache(dir.path / "c.feat", 3, 12);  // 4 batches per epoch
    TrainConfig c = tinyConfig(dir.path / "run", cache);
    c.testInjectNanAtStep = 6;  // epoch 2, batch 3
    Trainer t(c);
    try {
        t.run();
        FAIL() << "NaN did not stop the run";
    } catch (const TrainingError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("NaN"), std::string::npos) << msg;
        EXPECT_NE(msg.find("epoch 2"), std::string::npos) << msg;
    }
    const auto st = checkpointState(c.runDir / "last.pt");
    EXPECT_EQ(st.at("epoch").get<int>(), 1);
    EXPECT_EQ(st.at("batch_in_epoch").get<int>(), 0);
    auto runner = ModelRunner::load(c.runDir / "last.pt", "cpu");
    std::vector<float> slice(static_cast<std::size_t>(c.model.sliceValues()), -40.f);
    for (float v : runner->encode(slice.data(), 1))
        EXPECT_TRUE(std::isfinite(v));
}

// The NaN message says to resume with a lower --lr: that resume really runs at the new rate
// from the saved position, and a rate below the run's floor is refused by value.
TEST(Trainer, ResumeWithANewLearningRateContinuesAtThatRate)
{
    TempDir dir;
    const fs::path cache = writeCache(dir.path / "c.feat", 3, 12);  // 4 batches per epoch
    TrainConfig c = tinyConfig(dir.path / "run", cache);
    c.testInjectNanAtStep = 6;  // epoch 2, batch 3
    EXPECT_THROW(Trainer(c).run(), TrainingError);
    ASSERT_EQ(checkpointState(c.runDir / "last.pt").at("epoch").get<int>(), 1);

    TrainConfig tooLow = c;
    tooLow.testInjectNanAtStep = -1;
    tooLow.resumeLearningRate = c.minLearningRate / 10;
    try {
        Trainer(tooLow, true).run();
        FAIL() << "a rate below the floor was accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("below the run's minimum"), std::string::npos) << e.what();
    }

    TrainConfig lower = c;
    lower.testInjectNanAtStep = -1;
    lower.resumeLearningRate = 2.5e-3;  // the run started at 1e-2
    const TrainResult r = Trainer(lower, true).run();
    ASSERT_EQ(r.stop, TrainResult::Stop::Completed);
    ASSERT_EQ(r.history.size(), 3u);
    EXPECT_DOUBLE_EQ(r.history[0].learningRate, 1e-2);   // epoch 1, before the stop
    EXPECT_DOUBLE_EQ(r.history[1].learningRate, 2.5e-3); // epochs 2-3 at the new rate
    EXPECT_DOUBLE_EQ(r.history[2].learningRate, 2.5e-3);
    EXPECT_TRUE(std::isfinite(r.history[2].validLoss));
}

TEST(Trainer, InitFromAWiderModelStartsWhereTheSourceEnded)
{
    TempDir dir;
    const fs::path cache = writeCache(dir.path / "c.feat", 3, 12);
    TrainConfig c = tinyConfig(dir.path / "narrow", cache);
    c.epochs = 6;
    const TrainResult narrow = Trainer(c).run();
    ASSERT_TRUE(std::isfinite(narrow.bestValidLoss));

    // Twice the widths, learning rate at its floor: one epoch barely moves the weights (only the
    // BatchNorm running statistics follow the data), so the validation loss is what the source
    // gets from one more such epoch (Net2WiderNet keeps the function), and far below a randomly
    // initialised model's.
    TrainConfig wide = tinyConfig(dir.path / "wide", cache);
    wide.model.channels = {8, 8, 8, 8};
    wide.epochs = 1;
    wide.learningRate = wide.minLearningRate;
    wide.initFrom = dir.path / "source.pt";  // a copy: the source run goes on below
    fs::copy_file(narrow.lastCheckpoint, wide.initFrom);
    TrainConfig narrowAtFloor = c;
    narrowAtFloor.epochs = 7;
    narrowAtFloor.resumeLearningRate = c.minLearningRate;
    const double sourceLoss = Trainer(narrowAtFloor, true).run().history.at(6).validLoss;
    std::vector<std::string> log;
    Trainer warm(wide);
    warm.setLogCallback([&](const std::string& line) { log.push_back(line); });
    const double warmLoss = warm.run().history.at(0).validLoss;
    TrainConfig cold = wide;
    cold.runDir = dir.path / "cold";
    cold.initFrom.clear();
    const double coldLoss = Trainer(cold).run().history.at(0).validLoss;
    std::printf("after one epoch at lr 1e-7: source %.3f, widened %.3f, random init %.3f dB^2 (valid)\n",
                sourceLoss, warmLoss, coldLoss);
    EXPECT_NEAR(warmLoss, sourceLoss, 0.01 * sourceLoss);
    EXPECT_GT(coldLoss, 3 * warmLoss);
    bool logged = false;
    for (const auto& line : log)
        logged = logged || line.find("widened 4-4-4-4 -> 8-8-8-8") != std::string::npos;
    EXPECT_TRUE(logged);
    // The run records where it started (config.json and the checkpoints), and resumes.
    EXPECT_EQ(TrainConfig::fromJson(readWholeFile(wide.runDir / "config.json")).initFrom, wide.initFrom);
    wide.epochs = 2;
    EXPECT_EQ(Trainer(wide, true).run().history.size(), 2u);

    // A narrower run cannot start from a wider checkpoint.
    TrainConfig narrower = tinyConfig(dir.path / "narrower", cache);
    narrower.model.channels = {2, 4, 4, 4};
    narrower.initFrom = wide.initFrom;
    try {
        Trainer(narrower).run();
        FAIL() << "a narrower model was initialised from a wider one";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("--init-from"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("at least the source's"), std::string::npos) << e.what();
    }
}

TEST(Trainer, RejectsBadConfigurations)
{
    TempDir dir;
    const fs::path cache = writeCache(dir.path / "c.feat", 2, 8);
    TrainConfig c = tinyConfig(dir.path / "run", cache);
    c.batchSize = 0;
    EXPECT_THROW(Trainer{c}, ConfigError);
    c = tinyConfig(dir.path / "run", cache);
    c.model.mel = false;  // 513-bin model on 128-bin features
    EXPECT_THROW(Trainer{c}, ConfigError);
    c = tinyConfig(dir.path / "run", cache);
    c.learningRate = -1;
    EXPECT_THROW(Trainer{c}, ConfigError);
}
