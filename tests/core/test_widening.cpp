// Warm start from a trained model (model/Widening.h): a wider model initialised from a narrower
// one computes the same function, its copied channels separate under training, and models that
// do not fit are refused with a message that says why.
#include "model/ModelConfig.h"
#include "model/Networks.h"
#include "model/Widening.h"
#include "support/RandomBatchNorm.h"
#include "util/Errors.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using namespace morph;

namespace {

ModelConfig makeConfig(Architecture arch, bool mel, std::vector<int> channels)
{
    ModelConfig c;
    c.arch = arch;
    c.mel = mel;
    c.channels = std::move(channels);
    return c;
}

/// Trained-looking BatchNorms and a non-identity dB normalisation.
void randomiseTrainedState(nn::AutoencoderImpl& m, int seed)
{
    test::randomiseBatchNorms(m, seed);
    m.setNormalisation(-55.0, 19.0);
}

torch::Tensor dbLikeInput(const nn::AutoencoderImpl& m, int n)
{
    return torch::rand(m.inputShape(n), torch::TensorOptions().dtype(torch::kFloat64)) * -80.0;
}

struct Case {
    Architecture arch;
    bool mel;
    std::vector<int> from, to;
};

class EveryWidening : public ::testing::TestWithParam<Case> {};

} // namespace

TEST_P(EveryWidening, TheWiderModelComputesTheSameFunction)
{
    const Case c = GetParam();
    auto source = nn::makeAutoencoder(makeConfig(c.arch, c.mel, c.from));
    randomiseTrainedState(*source, 5);
    auto target = nn::makeAutoencoder(makeConfig(c.arch, c.mel, c.to));
    source->to(torch::kFloat64);
    target->to(torch::kFloat64);
    torch::manual_seed(11);
    nn::initialiseFrom(*source, *target);
    source->eval();
    target->eval();
    torch::NoGradGuard g;
    const torch::Tensor x = dbLikeInput(*source, 6);
    const torch::Tensor zs = source->encode(x), zt = target->encode(x);
    const double embeddingError = (zs - zt).abs().max().item<double>();
    const double outputError = (source->decode(zs) - target->decode(zs)).abs().max().item<double>();
    EXPECT_LT(embeddingError, 1e-9);
    EXPECT_LT(outputError, 1e-9);  // dB
    EXPECT_DOUBLE_EQ(target->normMean(), -55.0);
    EXPECT_DOUBLE_EQ(target->normScale(), 19.0);
    // Training mode (BatchNorm on batch statistics) is preserved too: copies have equal statistics.
    source->train();
    target->train();
    EXPECT_LT((source->forward(x) - target->forward(x)).abs().max().item<double>(), 1e-8);
}

INSTANTIATE_TEST_SUITE_P(Models, EveryWidening,
                         ::testing::Values(Case{Architecture::Single, false, {4, 6, 5, 8}, {8, 12, 10, 16}},
                                           Case{Architecture::Double, true, {4, 6, 5, 8}, {5, 6, 9, 8}},
                                           Case{Architecture::Triple, true, {4, 4, 4, 4}, {4, 4, 4, 4}},
                                           Case{Architecture::Frame1d, true, {3, 4, 4, 5, 4, 4, 3, 4},
                                                {6, 4, 7, 5, 8, 4, 3, 9}}));

TEST(Widening, SameWidthsIsAnExactCopy)
{
    auto source = nn::makeAutoencoder(makeConfig(Architecture::Single, true, {4, 6, 5, 8}));
    randomiseTrainedState(*source, 2);
    auto target = nn::makeAutoencoder(makeConfig(Architecture::Single, true, {4, 6, 5, 8}));
    nn::initialiseFrom(*source, *target);
    const auto s = source->named_parameters(), t = target->named_parameters();
    for (const auto& p : s)
        EXPECT_TRUE(torch::equal(p.value(), t[p.key()])) << p.key();
    for (const auto& b : source->named_buffers())
        EXPECT_TRUE(torch::equal(b.value(), target->named_buffers()[b.key()])) << b.key();
}

TEST(Widening, CopiedChannelsSeparateUnderTraining)
{
    auto source = nn::makeAutoencoder(makeConfig(Architecture::Single, true, {2, 4, 4, 4}));
    randomiseTrainedState(*source, 3);
    auto target = nn::makeAutoencoder(makeConfig(Architecture::Single, true, {4, 4, 4, 4}));
    torch::manual_seed(4);
    nn::initialiseFrom(*source, *target);
    // enc1 channels 2 and 3 are copies of channel 0 or 1: same incoming weights before training.
    const torch::Tensor w = target->named_parameters()["enc1.weight"];
    auto matchesASourceChannel = [&](int64_t j) {
        return torch::equal(w[j], w[0]) || torch::equal(w[j], w[1]);
    };
    ASSERT_TRUE(matchesASourceChannel(2));
    ASSERT_TRUE(matchesASourceChannel(3));

    target->train();
    torch::optim::Adam adam(target->parameters(), torch::optim::AdamOptions(1e-2));
    const torch::Tensor x = torch::rand(target->inputShape(16)) * -80.0;
    for (int step = 0; step < 3; ++step) {
        adam.zero_grad();
        torch::mse_loss(target->forward(x), x).backward();
        adam.step();
    }
    EXPECT_FALSE(matchesASourceChannel(2));
    EXPECT_FALSE(matchesASourceChannel(3));
}

TEST(Widening, APlainModelContinuesWithPositionBiasesUnchanged)
{
    auto source = nn::makeAutoencoder(makeConfig(Architecture::Single, false, {4, 6, 5, 8}));
    randomiseTrainedState(*source, 6);
    ModelConfig withBias = makeConfig(Architecture::Single, false, {6, 6, 8, 8});
    withBias.positionBias = true;
    auto target = nn::makeAutoencoder(withBias);
    source->to(torch::kFloat64);
    target->to(torch::kFloat64);
    torch::manual_seed(3);
    nn::initialiseFrom(*source, *target);
    source->eval();
    target->eval();
    torch::NoGradGuard g;
    const torch::Tensor x = dbLikeInput(*source, 5);
    const torch::Tensor z = source->encode(x);
    EXPECT_LT((z - target->encode(x)).abs().max().item<double>(), 1e-9);
    EXPECT_LT((source->decode(z) - target->decode(z)).abs().max().item<double>(), 1e-9);

    // Trained position biases are carried over (widened with their channels), not reset.
    auto* biased = dynamic_cast<nn::SliceAutoencoderImpl*>(target.get());
    ASSERT_NE(biased, nullptr);
    for (auto& p : biased->encPos)
        p.copy_(torch::randn_like(p));
    for (auto& p : biased->decPos)
        p.copy_(torch::randn_like(p));
    ModelConfig wider = withBias;
    wider.channels = {8, 6, 8, 10};
    auto widened = nn::makeAutoencoder(wider);
    widened->to(torch::kFloat64);
    nn::initialiseFrom(*target, *widened);
    widened->eval();
    const torch::Tensor zt = target->encode(x);
    EXPECT_LT((zt - widened->encode(x)).abs().max().item<double>(), 1e-9);
    EXPECT_LT((target->decode(zt) - widened->decode(zt)).abs().max().item<double>(), 1e-9);

    // The other way would drop them: refused.
    auto plain = nn::makeAutoencoder(makeConfig(Architecture::Single, false, {8, 6, 8, 10}));
    try {
        nn::initialiseFrom(*target, *plain);
        ADD_FAILURE() << "a model with position biases initialised a plain one";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("position biases would be lost"), std::string::npos) << e.what();
    }
}

TEST(Widening, RefusesANarrowerTargetAndAnotherModel)
{
    auto source = nn::makeAutoencoder(makeConfig(Architecture::Single, false, {4, 6, 5, 8}));
    auto expectRefusal = [&](const ModelConfig& config, const std::string& why) {
        auto target = nn::makeAutoencoder(config);
        try {
            nn::initialiseFrom(*source, *target);
            ADD_FAILURE() << "initialising " << config.summary() << " was accepted";
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
        }
    };
    expectRefusal(makeConfig(Architecture::Single, false, {4, 6, 4, 8}), "at least the source's");
    expectRefusal(makeConfig(Architecture::Double, false, {4, 6, 5, 8}), "architecture or pre-processing differ");
    expectRefusal(makeConfig(Architecture::Single, true, {4, 6, 5, 8}), "architecture or pre-processing differ");
}
