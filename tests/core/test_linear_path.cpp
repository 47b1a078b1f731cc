// The linear path of the 2D models (ModelConfig::linearPath): the module, the fast inference
// path, the PCA initialisation (the model starts as the PCA it was given), warm starts from a
// plain model and the checkpoint round trip.
#include "model/CheckpointInfo.h"
#include "model/ModelConfig.h"
#include "model/ModelRunner.h"
#include "model/Networks.h"
#include "model/TorchCheckpoint.h"
#include "model/Widening.h"
#include "support/RandomBatchNorm.h"
#include "support/TempDir.h"
#include "train/PcaBaseline.h"
#include "util/Errors.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>

using namespace morph;

namespace {

ModelConfig linearConfig(Architecture arch = Architecture::Double, bool mel = true)
{
    ModelConfig c;
    c.arch = arch;
    c.mel = mel;
    c.channels = {4, 6, 5, 8};
    c.positionBias = true;
    c.linearPath = true;
    return c;
}

torch::Tensor dbLikeInput(const nn::AutoencoderImpl& m, int n, torch::Dtype dtype = torch::kFloat64)
{
    return (torch::rand(m.inputShape(n), torch::TensorOptions().dtype(dtype)) * -80.0).contiguous();
}

/// A trained-looking linear-path model: random BatchNorm statistics, position biases, linear path.
std::shared_ptr<nn::AutoencoderImpl> trainedLikeModel(const ModelConfig& c, int seed)
{
    auto model = nn::makeAutoencoder(c);
    test::randomiseBatchNorms(*model, seed);
    model->setNormalisation(-47.5, 21.0);
    torch::NoGradGuard g;
    for (auto& p : model->named_parameters())
        if (p.key().find("_pos") != std::string::npos || p.key().find("lin_") != std::string::npos)
            p.value().normal_(0, 0.05);
    model->eval();
    return model;
}

/// Rows of a low-rank-plus-noise data set in dB, like spectra: PCA has real structure to find.
std::vector<float> structuredRows(int count, int dim, int rank, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0.f, 1.f);
    std::vector<float> factors(static_cast<std::size_t>(rank * dim));
    for (auto& f : factors)
        f = n(rng) * 6.f;
    std::vector<float> rows(static_cast<std::size_t>(count) * dim);
    for (int r = 0; r < count; ++r)
        for (int d = 0; d < dim; ++d) {
            float v = -45.f + 0.3f * n(rng);
            for (int k = 0; k < rank; ++k)
                v += factors[static_cast<std::size_t>(k * dim + d)] * (static_cast<float>(r % (k + 3)) / (k + 3) - 0.5f);
            rows[static_cast<std::size_t>(r) * dim + d] = v;
        }
    return rows;
}

} // namespace

TEST(LinearPath, ConfigIsTwoDOnlyAndNamedInTheSummary)
{
    ModelConfig c = linearConfig();
    EXPECT_NO_THROW(c.validate());
    EXPECT_NE(c.summary().find("linear path"), std::string::npos) << c.summary();
    ModelConfig plain = c;
    plain.linearPath = false;
    EXPECT_NE(c, plain);
    ModelConfig frame;
    frame.arch = Architecture::Frame1d;
    frame.linearPath = true;
    try {
        frame.validate();
        ADD_FAILURE() << "a frame1d model accepted a linear path";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("2D slice models only"), std::string::npos) << e.what();
    }
}

TEST(LinearPath, TheLinearMapsAddToTheConvolutionsAndTheFastPathKeepsThem)
{
    for (Architecture arch : {Architecture::Single, Architecture::Double}) {
        const ModelConfig c = linearConfig(arch, true);
        auto model = trainedLikeModel(c, 3);
        auto* slice = dynamic_cast<nn::SliceAutoencoderImpl*>(model.get());
        ASSERT_NE(slice, nullptr);
        ASSERT_TRUE(slice->linEnc);
        EXPECT_EQ(slice->linEnc->weight.sizes(), (std::vector<int64_t>{c.embeddingSize(), c.sliceValues()}));
        EXPECT_EQ(slice->linDec->weight.sizes(), (std::vector<int64_t>{c.sliceValues(), c.embeddingSize()}));
        model->to(torch::kFloat64);
        c10::InferenceMode guard;
        const torch::Tensor x = dbLikeInput(*model, 5);
        const torch::Tensor z = model->encode(x);
        const torch::Tensor y = model->decode(z);

        // The encoder's linear map reads the normalised slice: moving its weights moves z.
        const torch::Tensor saved = slice->linEnc->weight.clone();
        slice->linEnc->weight.add_(0.1);
        EXPECT_GT((model->encode(x) - z).abs().max().item<double>(), 1e-3) << "the encoder ignores its linear path";
        slice->linEnc->weight.copy_(saved);
        // The decoder's bias goes straight to the output, scaled back to dB.
        slice->linDec->bias[11] += 1.0;
        const torch::Tensor delta = model->decode(z) - y;
        slice->linDec->bias[11] -= 1.0;
        EXPECT_NEAR(delta.reshape({5, -1})[2][11].item<double>(), 21.0, 1e-9);
        EXPECT_NEAR(delta.abs().sum().item<double>(), 5 * 21.0, 1e-6);

        nn::FastAutoencoder fast(*model);
        EXPECT_LT((fast.encode(x) - z).abs().max().item<double>(), 1e-4) << architectureName(arch);
        EXPECT_LT((fast.decode(z) - y).abs().max().item<double>(), 1e-4) << architectureName(arch);
        model->to(torch::kFloat32);
        nn::FastAutoencoder half(*model, torch::kBFloat16);
        const torch::Tensor zf = z.to(torch::kFloat32);
        const torch::Tensor yf = model->decode(zf);
        const double yScale = std::max(1.0, yf.abs().max().item<double>());
        EXPECT_LT((half.decode(zf) - yf).abs().max().item<double>() / yScale, 5e-2);
    }
}

TEST(LinearPath, APcaInitialisedModelComputesThatPca)
{
    const ModelConfig c = linearConfig(Architecture::Double, true);  // mel: 128 x 3 -> 28
    auto model = trainedLikeModel(c, 4);
    const int dim = c.sliceValues(), k = c.embeddingSize(), count = 600;
    const std::vector<float> rows = structuredRows(count, dim, 40, 9);
    const PcaBaseline pca = PcaBaseline::fitRows(rows.data(), count, dim, k);
    auto* slice = dynamic_cast<nn::SliceAutoencoderImpl*>(model.get());
    ASSERT_NE(slice, nullptr);
    torch::NoGradGuard g;
    const torch::Tensor x = torch::from_blob(const_cast<float*>(rows.data()), {count, dim}).clone();
    const torch::Tensor before = model->forward(x).reshape({count, dim});

    nn::initialiseLinearPathFromPca(*slice, pca.mean(), pca.basis());
    const std::vector<float> expected = pca.reconstruct(rows.data(), count);
    const torch::Tensor reference = torch::from_blob(const_cast<float*>(expected.data()), {count, dim});
    const torch::Tensor y = model->forward(x).reshape({count, dim});
    EXPECT_LT((y - reference).abs().max().item<double>(), 2e-3);
    EXPECT_GT((before - reference).abs().max().item<double>(), 1.0) << "the model was PCA already: the test proves nothing";
    // The embedding is the PCA code divided by the normalisation scale (plus a constant).
    const std::vector<float> code = pca.encode(rows.data(), 2);
    const torch::Tensor z = model->encode(x.narrow(0, 0, 2));
    const torch::Tensor zPca = torch::from_blob(const_cast<float*>(code.data()), {2, k});
    EXPECT_LT(((z - z[0]) - (zPca - zPca[0]) / 21.0).abs().max().item<double>(), 1e-3);
    // The fast path agrees.
    nn::FastAutoencoder fast(*model);
    EXPECT_LT((fast.decode(fast.encode(x)).reshape({count, dim}) - reference).abs().max().item<double>(), 2e-3);
    // Training gradients reach the convolutions even though their last layers start at zero.
    {
        torch::GradMode::set_enabled(true);
        model->train();
        model->zero_grad();
        torch::nn::functional::mse_loss(model->forward(x.narrow(0, 0, 32)), x.narrow(0, 0, 32).view({32, 1, 128, 3}))
            .backward();
        EXPECT_GT(slice->enc.back()->weight.grad().abs().sum().item<double>(), 0.0);
        EXPECT_GT(slice->dec.back()->weight.grad().abs().sum().item<double>(), 0.0);
        torch::GradMode::set_enabled(false);
    }

    // Another size is refused, saying what it needs.
    const PcaBaseline other = PcaBaseline::fitRows(rows.data(), count, dim, k - 1);
    try {
        nn::initialiseLinearPathFromPca(*slice, other.mean(), other.basis());
        ADD_FAILURE() << "a basis of another size was accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("the model needs"), std::string::npos) << e.what();
    }
    auto plain = nn::makeAutoencoder([&] {
        ModelConfig p = c;
        p.linearPath = false;
        return p;
    }());
    EXPECT_THROW(nn::initialiseLinearPathFromPca(dynamic_cast<nn::SliceAutoencoderImpl&>(*plain), pca.mean(), pca.basis()),
                 ConfigError);
}

TEST(LinearPath, APlainModelContinuesWithALinearPathUnchangedNotTheOtherWay)
{
    ModelConfig plainConfig = linearConfig(Architecture::Double, false);
    plainConfig.linearPath = false;
    auto source = trainedLikeModel(plainConfig, 6);
    ModelConfig wider = linearConfig(Architecture::Double, false);
    wider.channels = {6, 6, 8, 8};
    auto target = nn::makeAutoencoder(wider);
    source->to(torch::kFloat64);
    target->to(torch::kFloat64);
    torch::manual_seed(3);
    nn::initialiseFrom(*source, *target);
    target->eval();
    torch::NoGradGuard g;
    const torch::Tensor x = dbLikeInput(*source, 4);
    const torch::Tensor z = source->encode(x);
    EXPECT_LT((z - target->encode(x)).abs().max().item<double>(), 1e-9);
    EXPECT_LT((source->decode(z) - target->decode(z)).abs().max().item<double>(), 1e-9);

    // A trained linear path is carried over by a widening.
    auto* linear = dynamic_cast<nn::SliceAutoencoderImpl*>(target.get());
    linear->linEnc->weight.normal_(0, 0.05);
    linear->linDec->bias.normal_(0, 0.5);
    ModelConfig widest = wider;
    widest.channels = {8, 8, 8, 10};
    auto widened = nn::makeAutoencoder(widest);
    widened->to(torch::kFloat64);
    nn::initialiseFrom(*target, *widened);
    widened->eval();
    const torch::Tensor zt = target->encode(x);
    EXPECT_LT((zt - widened->encode(x)).abs().max().item<double>(), 1e-9);
    EXPECT_LT((target->decode(zt) - widened->decode(zt)).abs().max().item<double>(), 1e-9);

    auto plain = nn::makeAutoencoder([&] {
        ModelConfig p = widest;
        p.linearPath = false;
        return p;
    }());
    try {
        nn::initialiseFrom(*widened, *plain);
        ADD_FAILURE() << "a linear-path model initialised a plain one";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("linear path would be lost"), std::string::npos) << e.what();
    }
}

TEST(LinearPath, CheckpointsRoundTripAndLoadInTheRunner)
{
    test::TempDir dir("morph_linear_path_test");
    const ModelConfig c = linearConfig(Architecture::Double, true);
    auto model = trainedLikeModel(c, 8);
    nlohmann::json meta = nn::baseMetadata(c);
    meta["state"] = {{"epoch", 1}, {"best_valid_loss", 10.0}};
    const auto file = dir.path / "linear.pt";
    nn::saveCheckpoint(file, meta, *model);
    EXPECT_TRUE(readCheckpointInfo(file).config.linearPath);
    auto runner = ModelRunner::load(file, "cpu");
    EXPECT_EQ(runner->config(), c);
    const int n = 3;
    std::vector<float> slices(static_cast<std::size_t>(n * c.sliceValues()));
    std::mt19937 rng(2);
    std::uniform_real_distribution<float> d(-80.f, 0.f);
    for (auto& v : slices)
        v = d(rng);
    torch::Tensor expected;
    {
        torch::NoGradGuard g;
        expected = model->forward(torch::from_blob(slices.data(), {n, c.sliceValues()}).clone()).reshape({-1});
    }
    for (bool fastPath : {false, true}) {
        runner->setFastPath(fastPath);
        const std::vector<float> z = runner->encode(slices.data(), n);
        const std::vector<float> y = runner->decode(z.data(), n);
        ASSERT_EQ(y.size(), slices.size());
        for (std::size_t i = 0; i < y.size(); ++i)
            ASSERT_NEAR(y[i], expected.data_ptr<float>()[i], 1e-3) << i << (fastPath ? " fast path" : "");
    }
}
