// Self-describing checkpoints: exact round trip, ModelRunner inference, and clear errors for
// truncated / foreign / corrupt / mismatching files.
#include "model/CheckpointInfo.h"
#include "model/ModelRunner.h"
#include "model/TorchCheckpoint.h"
#include "util/AtomicFile.h"
#include "util/Errors.h"

#include "support/TempDir.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <random>

using namespace morph;
namespace fs = std::filesystem;

namespace {

ModelConfig tinyConfig(Architecture arch = Architecture::Double, bool mel = true)
{
    ModelConfig c;
    c.arch = arch;
    c.mel = mel;
    c.channels = arch == Architecture::Frame1d ? std::vector<int>{3, 3, 3, 3, 3, 3, 3, 3} : std::vector<int>{4, 6, 6, 8};
    return c;
}

std::shared_ptr<nn::AutoencoderImpl> trainedLikeModel(const ModelConfig& c, int seed)
{
    torch::manual_seed(seed);
    auto m = nn::makeAutoencoder(c);
    m->setNormalisation(-50.0 + seed, 20.0);
    torch::NoGradGuard g;
    for (auto& b : m->named_buffers())
        if (b.key().find("running_var") != std::string::npos)
            b.value().uniform_(0.5, 2.0);
        else if (b.key().find("running_mean") != std::string::npos)
            b.value().normal_(0, 0.3);
    m->eval();
    return m;
}

nlohmann::json metaFor(const ModelConfig& c)
{
    nlohmann::json meta = nn::baseMetadata(c);
    meta["state"] = {{"epoch", 3}, {"best_valid_loss", 12.5}};
    meta["metrics"] = {{"train_loss", 11.0}, {"valid_loss", 12.5}};
    meta["dataset"] = {{"root", "/data/nsynth"}, {"train_split", "train"}};
    meta["training"] = {{"device", "cpu"}};
    return meta;
}

std::vector<float> randomSlices(const ModelConfig& c, int n)
{
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> d(-80.f, 0.f);
    std::vector<float> v(static_cast<std::size_t>(n * c.sliceValues()));
    for (auto& x : v)
        x = d(rng);
    return v;
}

void truncateFile(const fs::path& p, std::uintmax_t size)
{
    fs::resize_file(p, size);
}

} // namespace

TEST(Checkpoint, RoundTripIsExactAndRunnerMatchesTheModule)
{
    test::TempDir dir("morph_ckpt_test");
    const ModelConfig c = tinyConfig();
    auto model = trainedLikeModel(c, 1);
    const fs::path file = dir.path / "model.pt";
    nn::saveCheckpoint(file, metaFor(c), *model);

    const nn::LoadedCheckpoint ckpt = nn::readCheckpoint(file);
    auto loaded = nn::loadModel(ckpt, torch::Device(torch::kCPU));
    const auto a = model->named_parameters();
    const auto b = loaded->named_parameters();
    ASSERT_EQ(a.size(), b.size());
    for (const auto& p : a)
        EXPECT_TRUE(torch::equal(p.value(), *b.find(p.key()))) << p.key();
    for (const auto& buf : model->named_buffers())
        EXPECT_TRUE(torch::equal(buf.value(), *loaded->named_buffers().find(buf.key()))) << buf.key();

    auto runner = ModelRunner::load(file, "cpu");
    EXPECT_EQ(runner->config(), c);
    EXPECT_EQ(runner->config().embeddingSize(), 28);
    const int n = 7;
    const std::vector<float> slices = randomSlices(c, n);
    runner->setFastPath(false);
    const std::vector<float> plain = runner->encode(slices.data(), n);
    runner->setFastPath(true);
    const std::vector<float> fast = runner->encode(slices.data(), n);
    torch::Tensor expected;
    {
        torch::NoGradGuard g;
        expected = model->encode(torch::from_blob(const_cast<float*>(slices.data()), {n, c.sliceValues()}).clone());
    }
    ASSERT_EQ(plain.size(), static_cast<std::size_t>(n * c.embeddingSize()));
    for (std::size_t i = 0; i < plain.size(); ++i) {
        EXPECT_EQ(plain[i], expected.data_ptr<float>()[i]);
        EXPECT_NEAR(fast[i], plain[i], 1e-4);
    }
    const std::vector<float> decoded = runner->decode(plain.data(), n);
    EXPECT_EQ(decoded.size(), slices.size());

    // Hash: stable for the same bytes, different for different weights.
    EXPECT_EQ(runner->checkpointHash().size(), 16u);
    EXPECT_EQ(ModelRunner::load(file, "cpu")->checkpointHash(), runner->checkpointHash());
    const fs::path other = dir.path / "other.pt";
    nn::saveCheckpoint(other, metaFor(c), *trainedLikeModel(c, 2));
    EXPECT_NE(ModelRunner::load(other, "cpu")->checkpointHash(), runner->checkpointHash());
    EXPECT_NE(runner->describe().find("double mel"), std::string::npos);
}

TEST(Checkpoint, InfoIsReadableWithoutTorch)
{
    test::TempDir dir("morph_ckpt_test");
    const ModelConfig c = tinyConfig(Architecture::Triple, false);
    const fs::path file = dir.path / "m.pt";
    nn::saveCheckpoint(file, metaFor(c), *trainedLikeModel(c, 3));
    const CheckpointInfo info = readCheckpointInfo(file);
    EXPECT_EQ(info.config, c);
    EXPECT_EQ(info.config.embeddingSize(), 62);
    EXPECT_EQ(info.epoch, 3);
    ASSERT_TRUE(info.validLoss.has_value());
    EXPECT_DOUBLE_EQ(*info.validLoss, 12.5);
    EXPECT_EQ(info.dataset, "/data/nsynth");
    EXPECT_EQ(info.fileBytes, fs::file_size(file));
    EXPECT_NE(info.describe().find("triple log-mag"), std::string::npos);
    EXPECT_NE(info.metadataJson.find("\"n_fft\": 1024"), std::string::npos);
}

TEST(Checkpoint, TruncatedFileGivesAClearError)
{
    test::TempDir dir("morph_ckpt_test");
    const ModelConfig c = tinyConfig();
    const fs::path file = dir.path / "cut.pt";
    nn::saveCheckpoint(file, metaFor(c), *trainedLikeModel(c, 1));
    truncateFile(file, fs::file_size(file) - 100);
    try {
        ModelRunner::load(file, "cpu");
        FAIL() << "a truncated checkpoint loaded";
    } catch (const CheckpointError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
        EXPECT_NE(msg.find("cut.pt"), std::string::npos) << msg;
    }
    EXPECT_THROW(readCheckpointInfo(file), CheckpointError);
    truncateFile(file, 20);  // inside the header
    EXPECT_THROW(readCheckpointInfo(file), CheckpointError);
    truncateFile(file, 0);
    EXPECT_THROW(ModelRunner::load(file, "cpu"), CheckpointError);
}

TEST(Checkpoint, ForeignAndCorruptFilesAreRefused)
{
    test::TempDir dir("morph_ckpt_test");
    const fs::path foreign = dir.path / "foreign.pt";
    writeFileAtomically(foreign, std::string("PK\x03\x04 this is a plain torch.save zip file, not ours", 50));
    try {
        ModelRunner::load(foreign, "cpu");
        FAIL();
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("not a Morphstation checkpoint"), std::string::npos) << e.what();
    }
    EXPECT_THROW(ModelRunner::load(dir.path / "missing.pt", "cpu"), CheckpointError);

    const ModelConfig c = tinyConfig();
    const fs::path file = dir.path / "flip.pt";
    nn::saveCheckpoint(file, metaFor(c), *trainedLikeModel(c, 1));
    {
        std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(-10, std::ios::end);
        f.put('\x5a');
    }
    try {
        ModelRunner::load(file, "cpu");
        FAIL();
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("corrupt"), std::string::npos) << e.what();
    }
}

TEST(Checkpoint, AnotherArchitectureIsRefusedByName)
{
    test::TempDir dir("morph_ckpt_test");
    const ModelConfig saved = tinyConfig(Architecture::Double, false);
    const fs::path file = dir.path / "double.pt";
    nn::saveCheckpoint(file, metaFor(saved), *trainedLikeModel(saved, 1));
    ModelConfig expected = tinyConfig(Architecture::Single, true);
    try {
        ModelRunner::load(file, "cpu", &expected);
        FAIL();
    } catch (const CheckpointError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("is a 'double' log-mag model with 513 bins"), std::string::npos) << msg;
        EXPECT_NE(msg.find("'single' mel model with 128 bins"), std::string::npos) << msg;
        EXPECT_NE(msg.find("was expected"), std::string::npos) << msg;
    }
    EXPECT_NO_THROW(ModelRunner::load(file, "cpu", &saved));
}

TEST(Checkpoint, MetadataThatLiesAboutTheWeightsIsCaught)
{
    // Weights of a 4-6-6-8 model under metadata claiming 4-6-6-9: the shape check names the layer.
    test::TempDir dir("morph_ckpt_test");
    const ModelConfig real = tinyConfig();
    ModelConfig claimed = real;
    claimed.channels = {4, 6, 6, 9};
    const fs::path file = dir.path / "liar.pt";
    nn::saveCheckpoint(file, metaFor(claimed), *trainedLikeModel(real, 1));
    try {
        ModelRunner::load(file, "cpu");
        FAIL();
    } catch (const CheckpointError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("liar.pt"), std::string::npos) << msg;
        EXPECT_TRUE(msg.find("shape") != std::string::npos || msg.find("does not fit") != std::string::npos) << msg;
    }
}

TEST(Checkpoint, PositionBiasesRoundTripAndOlderMetadataReadsAsPlain)
{
    test::TempDir dir("morph_ckpt_test");
    ModelConfig c = tinyConfig(Architecture::Single, false);
    c.positionBias = true;
    auto model = trainedLikeModel(c, 4);
    {
        torch::NoGradGuard g;
        for (auto& p : model->named_parameters())
            if (p.key().find("_pos") != std::string::npos)
                p.value().normal_(0, 0.5);
    }
    const fs::path file = dir.path / "biased.pt";
    nn::saveCheckpoint(file, metaFor(c), *model);
    EXPECT_TRUE(readCheckpointInfo(file).config.positionBias);
    auto runner = ModelRunner::load(file, "cpu");
    EXPECT_EQ(runner->config(), c);
    const int n = 3;
    const std::vector<float> slices = randomSlices(c, n);
    torch::Tensor expected;
    {
        torch::NoGradGuard g;
        const torch::Tensor x = torch::from_blob(const_cast<float*>(slices.data()), {n, c.sliceValues()}).clone();
        expected = model->forward(x).reshape({-1});
    }
    runner->setFastPath(true);
    const std::vector<float> z = runner->encode(slices.data(), n);
    const std::vector<float> y = runner->decode(z.data(), n);
    ASSERT_EQ(y.size(), slices.size());
    for (std::size_t i = 0; i < y.size(); ++i)
        ASSERT_NEAR(y[i], expected.data_ptr<float>()[i], 1e-3) << i;

    // Checkpoints written before position biases existed have no "position_bias" field: plain.
    ModelConfig plain = c;
    plain.positionBias = false;
    nlohmann::json old = metaFor(plain);
    old["model"].erase("position_bias");
    const fs::path oldFile = dir.path / "old.pt";
    nn::saveCheckpoint(oldFile, old, *trainedLikeModel(plain, 4));
    EXPECT_FALSE(readCheckpointInfo(oldFile).config.positionBias);
    EXPECT_NO_THROW(ModelRunner::load(oldFile, "cpu"));

    // Metadata that claims position biases over plain weights, or a mistyped field: refused by name.
    const fs::path liar = dir.path / "liar.pt";
    nn::saveCheckpoint(liar, metaFor(c), *trainedLikeModel(plain, 4));
    EXPECT_THROW(ModelRunner::load(liar, "cpu"), CheckpointError);
    nlohmann::json mistyped = metaFor(c);
    mistyped["model"]["position_bias"] = "yes";
    const fs::path typo = dir.path / "typo.pt";
    nn::saveCheckpoint(typo, mistyped, *model);
    try {
        readCheckpointInfo(typo);
        FAIL();
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("model.position_bias"), std::string::npos) << e.what();
    }
}

TEST(Checkpoint, CudaIsRefusedClearlyWhenAbsent)
{
    if (torch::cuda::is_available())
        GTEST_SKIP() << "CUDA present";
    test::TempDir dir("morph_ckpt_test");
    const ModelConfig c = tinyConfig();
    const fs::path file = dir.path / "m.pt";
    nn::saveCheckpoint(file, metaFor(c), *trainedLikeModel(c, 1));
    EXPECT_THROW(ModelRunner::load(file, "cuda"), ConfigError);
    EXPECT_EQ(ModelRunner::load(file, "auto")->device(), "cpu");
}
