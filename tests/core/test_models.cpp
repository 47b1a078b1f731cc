// Autoencoder geometry (embedding sizes, exact output sizes) and the fast conv-only inference
// path against the plain LibTorch modules.
#include "model/ModelConfig.h"
#include "model/Networks.h"
#include "model/TorchRuntime.h"
#include "support/RandomBatchNorm.h"
#include "util/Errors.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>

using namespace morph;

namespace {

ModelConfig makeConfig(Architecture arch, bool mel, std::vector<int> channels = {})
{
    ModelConfig c;
    c.arch = arch;
    c.mel = mel;
    c.channels = std::move(channels);
    return c;
}

std::vector<int> tinyChannels(Architecture arch)
{
    if (arch == Architecture::Frame1d)
        return {3, 4, 4, 5, 4, 4, 3, 4};
    return {4, 6, 5, 8};
}

using test::randomiseBatchNorms;

torch::Tensor dbLikeInput(const nn::AutoencoderImpl& m, int n, torch::Dtype dtype)
{
    return (torch::rand(m.inputShape(n), torch::TensorOptions().dtype(dtype)) * -80.0).contiguous();
}

} // namespace

TEST(ModelConfig, EmbeddingSizesFollowTheLayerArithmetic)
{
    EXPECT_EQ(makeConfig(Architecture::Single, false).embeddingSize(), 250);
    EXPECT_EQ(makeConfig(Architecture::Double, false).embeddingSize(), 124);
    EXPECT_EQ(makeConfig(Architecture::Triple, false).embeddingSize(), 62);
    EXPECT_EQ(makeConfig(Architecture::Frame1d, false).embeddingSize(), 495);
    // Mel: 128 -> 128, 63, 61, 59, 57 / 128, 63, 61, 30, 28 / 128, 63, 31, 29, 14.
    EXPECT_EQ(makeConfig(Architecture::Single, true).embeddingSize(), 57);
    EXPECT_EQ(makeConfig(Architecture::Double, true).embeddingSize(), 28);
    EXPECT_EQ(makeConfig(Architecture::Triple, true).embeddingSize(), 14);
    EXPECT_EQ(makeConfig(Architecture::Frame1d, true).embeddingSize(), 110);

    const auto layers = makeConfig(Architecture::Double, true).encoderLayers();
    ASSERT_EQ(layers.size(), 5u);
    EXPECT_EQ(layers[1].outputPadding, 1);  // 128 -> 63 drops one row; the decoder restores it
    EXPECT_EQ(layers[4].outWidth, 1);       // time collapses 3 -> 1 in the last layer
    EXPECT_EQ(layers[0].outWidth, 3);
}

TEST(ModelConfig, ValidatesChannelsAndNames)
{
    EXPECT_THROW(makeConfig(Architecture::Single, false, {16, 32}).validate(), ConfigError);
    EXPECT_THROW(makeConfig(Architecture::Single, false, {16, 0, 32, 32}).validate(), ConfigError);
    EXPECT_EQ(parseArchitecture("Double"), Architecture::Double);
    EXPECT_EQ(parseArchitecture("frame1d"), Architecture::Frame1d);
    EXPECT_THROW(parseArchitecture("quadruple"), ConfigError);
    EXPECT_EQ(makeConfig(Architecture::Frame1d, false).effectiveChannels().size(), 8u);
    EXPECT_EQ(makeConfig(Architecture::Triple, false).sliceWidth(), 3);
    EXPECT_EQ(makeConfig(Architecture::Frame1d, false).sliceWidth(), 1);
}

class EveryVariant : public ::testing::TestWithParam<std::tuple<Architecture, bool>> {};

TEST_P(EveryVariant, OutputHasExactlyTheInputShape)
{
    const auto [arch, mel] = GetParam();
    const ModelConfig config = makeConfig(arch, mel, tinyChannels(arch));
    auto model = nn::makeAutoencoder(config);
    model->eval();
    torch::NoGradGuard g;
    const torch::Tensor x = dbLikeInput(*model, 3, torch::kFloat32);
    const torch::Tensor z = model->encode(x);
    EXPECT_EQ(z.sizes(), (std::vector<int64_t>{3, config.embeddingSize()}));
    const torch::Tensor y = model->decode(z);
    EXPECT_EQ(y.sizes(), x.sizes());
    EXPECT_EQ(model->forward(x).sizes(), x.sizes());
}

TEST_P(EveryVariant, FastPathEqualsThePlainModule)
{
    const auto [arch, mel] = GetParam();
    const ModelConfig config = makeConfig(arch, mel, tinyChannels(arch));
    auto model = nn::makeAutoencoder(config);
    randomiseBatchNorms(*model, 7);
    model->setNormalisation(-47.5, 21.0);  // folded into the first and last layers
    model->eval();
    c10::InferenceMode guard;

    // Float64: the folding and the sub-pixel split are exact algebra, so only rounding remains.
    model->to(torch::kFloat64);
    {
        nn::FastAutoencoder fast(*model);
        const torch::Tensor x = dbLikeInput(*model, 5, torch::kFloat64);
        const torch::Tensor z = model->encode(x);
        EXPECT_LT((fast.encode(x) - z).abs().max().item<double>(), 1e-9);
        EXPECT_LT((fast.decode(z) - model->decode(z)).abs().max().item<double>(), 1e-9);
        EXPECT_EQ(fast.decode(z).sizes(), x.sizes());
    }
    // Float32, the production type: within 1e-5 relative to the output scale.
    model->to(torch::kFloat32);
    nn::FastAutoencoder fast(*model);
    const torch::Tensor x = dbLikeInput(*model, 5, torch::kFloat32);
    const torch::Tensor z = model->encode(x);
    const torch::Tensor fz = fast.encode(x);
    const double zScale = std::max(1.0, z.abs().max().item<double>());
    EXPECT_LT((fz - z).abs().max().item<double>() / zScale, 1e-5);
    const torch::Tensor y = model->decode(z);
    const double yScale = std::max(1.0, y.abs().max().item<double>());
    EXPECT_LT((fast.decode(z) - y).abs().max().item<double>() / yScale, 1e-5);

    // BFloat16 hidden layers: float in and out, close to the module at bfloat16's precision
    // (8-bit mantissa: ~0.4 % per rounding), and the dB-facing end layers stay float.
    nn::FastAutoencoder half(*model, torch::kBFloat16);
    const torch::Tensor hz = half.encode(x);
    const torch::Tensor hy = half.decode(z);
    EXPECT_EQ(hz.scalar_type(), torch::kFloat32);
    EXPECT_EQ(hy.scalar_type(), torch::kFloat32);
    EXPECT_EQ(hy.sizes(), x.sizes());
    EXPECT_LT((hz - z).abs().max().item<double>() / zScale, 5e-2);
    EXPECT_LT((hy - y).abs().max().item<double>() / yScale, 5e-2);
    EXPECT_GT((hy - y).abs().max().item<double>(), 0.0) << "the bfloat16 path did not run in bfloat16";
}

// decode() computes every ConvTranspose as the equivalent Conv (faster on the CPU): in training
// mode it must give the modules' own ConvTranspose output and the same weight gradients.
TEST_P(EveryVariant, DecoderEqualsTheTransposedConvolutionModules)
{
    const auto [arch, mel] = GetParam();
    const ModelConfig config = makeConfig(arch, mel, tinyChannels(arch));
    auto model = nn::makeAutoencoder(config);
    model->to(torch::kFloat64);
    model->train();
    torch::manual_seed(3);
    const torch::Tensor z = torch::randn({6, config.embeddingSize()}, torch::kFloat64);

    // Reference: the same layers through ConvTranspose{1,2}d::forward (norm buffers are identity).
    std::vector<torch::Tensor> decoderWeights;
    std::function<torch::Tensor()> reference;
    if (auto* slice = dynamic_cast<nn::SliceAutoencoderImpl*>(model.get())) {
        for (auto& d : slice->dec)
            decoderWeights.push_back(d->weight);
        reference = [slice, &z] {
            torch::Tensor h = z.reshape({z.size(0), 1, -1, 1});
            for (std::size_t j = 0; j < slice->dec.size(); ++j) {
                h = slice->dec[j]->forward(h);
                if (j < slice->decBn.size())
                    h = slice->decBn[j]->forward(torch::relu(h));
            }
            return h;
        };
    } else {
        auto* frame = dynamic_cast<nn::FrameAutoencoderImpl*>(model.get());
        ASSERT_NE(frame, nullptr);
        for (auto& d : frame->dec)
            decoderWeights.push_back(d->weight);
        reference = [frame, &z] {
            torch::Tensor h = z.reshape({z.size(0), 1, -1});
            for (std::size_t j = 0; j < frame->dec.size(); ++j) {
                h = frame->dec[j]->forward(h);
                if (j < frame->decBn.size())
                    h = frame->decBn[j]->forward(torch::leaky_relu(h));
            }
            return h;
        };
    }
    const auto outputAndGradients = [&](const std::function<torch::Tensor()>& decode) {
        model->zero_grad();
        const torch::Tensor y = decode();
        (y * y).sum().backward();
        std::vector<torch::Tensor> grads;
        for (const auto& w : decoderWeights)
            grads.push_back(w.grad().clone());
        return std::make_pair(y.detach(), grads);
    };
    const auto [yRef, gRef] = outputAndGradients(reference);
    const auto [y, g] = outputAndGradients([&] { return model->decode(z); });
    ASSERT_EQ(y.sizes(), yRef.sizes());
    EXPECT_LT((y - yRef).abs().max().item<double>(), 1e-9);
    for (std::size_t i = 0; i < g.size(); ++i) {
        const double scale = std::max(1.0, gRef[i].abs().max().item<double>());
        EXPECT_LT((g[i] - gRef[i]).abs().max().item<double>() / scale, 1e-9) << "decoder layer " << i + 1;
    }
}

TEST_P(EveryVariant, PositionBiasesAreAddedPerPositionAndKeptByTheFastPath)
{
    const auto [arch, mel] = GetParam();
    ModelConfig config = makeConfig(arch, mel, tinyChannels(arch));
    config.positionBias = true;
    if (arch == Architecture::Frame1d) {
        EXPECT_THROW(config.validate(), ConfigError);  // 2D models only, said clearly
        return;
    }
    auto model = nn::makeAutoencoder(config);
    ModelConfig plainConfig = config;
    plainConfig.positionBias = false;
    EXPECT_NE(config, plainConfig);
    EXPECT_NE(config.summary().find("position biases"), std::string::npos);
    auto* slice = dynamic_cast<nn::SliceAutoencoderImpl*>(model.get());
    ASSERT_NE(slice, nullptr);
    ASSERT_EQ(slice->encPos.size(), slice->enc.size());
    ASSERT_EQ(slice->decPos.size(), slice->dec.size());
    const auto geometry = config.encoderLayers();
    // One bias per output channel, frequency and time position of each layer.
    EXPECT_EQ(slice->encPos[0].sizes(), (std::vector<int64_t>{1, geometry[0].outChannels, geometry[0].outLength,
                                                              geometry[0].outWidth}));
    EXPECT_EQ(slice->decPos.back().sizes(), (std::vector<int64_t>{1, 1, config.inputBins(), config.sliceWidth()}));
    randomiseBatchNorms(*model, 3);
    model->setNormalisation(-47.5, 21.0);
    model->eval();
    c10::InferenceMode guard;
    model->to(torch::kFloat64);
    const torch::Tensor x = dbLikeInput(*model, 4, torch::kFloat64);
    const torch::Tensor zZero = model->encode(x);
    const torch::Tensor yZero = model->decode(zZero);
    torch::manual_seed(5);
    for (auto& p : slice->encPos)
        p.copy_(torch::randn_like(p) * 0.5);
    for (auto& p : slice->decPos)
        p.copy_(torch::randn_like(p) * 0.5);
    const torch::Tensor z = model->encode(x);
    const torch::Tensor y = model->decode(z);
    EXPECT_GT((z - zZero).abs().max().item<double>(), 1e-3) << "the encoder ignores its position biases";
    // The last decoder layer's bias map goes straight to the output (scaled back to dB): a change
    // at one output position changes that position only.
    {
        const torch::Tensor before = model->decode(z);
        slice->decPos.back()[0][0][7][1] += 1.0;
        const torch::Tensor delta = model->decode(z) - before;
        slice->decPos.back()[0][0][7][1] -= 1.0;
        EXPECT_NEAR(delta[0][0][7][1].item<double>(), 21.0, 1e-9);  // the normalisation scale
        EXPECT_NEAR(delta.abs().sum().item<double>(), 4 * 21.0, 1e-6);  // 4 notes, one position each
    }
    nn::FastAutoencoder fast(*model);
    EXPECT_LT((fast.encode(x) - z).abs().max().item<double>(), 1e-9);
    EXPECT_LT((fast.decode(z) - y).abs().max().item<double>(), 1e-9);
    EXPECT_GT((y - yZero).abs().max().item<double>(), 1e-3);
    model->to(torch::kFloat32);
    nn::FastAutoencoder half(*model, torch::kBFloat16);
    const torch::Tensor yf = model->decode(z.to(torch::kFloat32));
    const double yScale = std::max(1.0, yf.abs().max().item<double>());
    EXPECT_LT((half.decode(z.to(torch::kFloat32)) - yf).abs().max().item<double>() / yScale, 5e-2);
}

INSTANTIATE_TEST_SUITE_P(Models, EveryVariant,
                         ::testing::Combine(::testing::Values(Architecture::Single, Architecture::Double,
                                                              Architecture::Triple, Architecture::Frame1d),
                                            ::testing::Bool()),
                         [](const auto& info) {
                             return std::string(architectureName(std::get<0>(info.param))) +
                                    (std::get<1>(info.param) ? "Mel" : "LogMag");
                         });

TEST(Models, DefaultWidthsBuildWithTheDocumentedEmbedding)
{
    for (Architecture a : {Architecture::Single, Architecture::Double, Architecture::Triple}) {
        auto model = nn::makeAutoencoder(makeConfig(a, false));
        model->eval();
        torch::NoGradGuard g;
        const torch::Tensor x = dbLikeInput(*model, 1, torch::kFloat32);
        EXPECT_EQ(model->forward(x).sizes(), x.sizes());
    }
}

TEST(Models, StridedLayersAreWhereTheVariantSays)
{
    // Single: e2; double: e2, e4; triple: e2, e3, e5 (1-based), mirrored in the decoder.
    auto strides = [](Architecture a) {
        std::vector<int> s;
        for (const auto& l : makeConfig(a, false).encoderLayers())
            s.push_back(l.stride);
        return s;
    };
    EXPECT_EQ(strides(Architecture::Single), (std::vector<int>{1, 2, 1, 1, 1}));
    EXPECT_EQ(strides(Architecture::Double), (std::vector<int>{1, 2, 1, 2, 1}));
    EXPECT_EQ(strides(Architecture::Triple), (std::vector<int>{1, 2, 2, 1, 2}));
    auto model = nn::SliceAutoencoder(makeConfig(Architecture::Triple, false, {4, 4, 4, 4}));
    EXPECT_EQ(model->dec[0]->options.stride()->at(0), 2);  // d1 mirrors e5
    EXPECT_EQ(model->dec[1]->options.stride()->at(0), 1);
    EXPECT_EQ(model->dec[2]->options.stride()->at(0), 2);  // d3 mirrors e3
    EXPECT_EQ(model->dec[3]->options.stride()->at(0), 2);  // d4 mirrors e2
    EXPECT_EQ(model->enc[4]->options.out_channels(), 1);   // single-channel embedding
}

TEST(TorchRuntime, UsesTheConfiguredThreadsAndReportsBlas)
{
    configureTorchRuntime(2);
    EXPECT_EQ(torchThreads(), 2);
    // Force a BLAS call, then check something was mapped (the library name is recorded in docs).
    auto a = torch::rand({64, 64});
    (void)torch::mm(a, a).sum().item<float>();
    EXPECT_FALSE(loadedMathLibraries().empty());
}
