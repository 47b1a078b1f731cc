#include "support/TinyModel.h"  // torch first

#include "dataset/AudioFile.h"
#include "dsp/Energy.h"
#include "dsp/Stft.h"
#include "model/ModelRunner.h"
#include "morph/LiveMorph.h"
#include "morph/MorphEngine.h"
#include "util/Errors.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>

using namespace morph;

namespace {

const std::string kNoteA = "guitar_acoustic_010-060-100";
const std::string kNoteB = "brass_acoustic_006-060-100";
const std::string kNoteC = "organ_electronic_001-060-100";
const std::string kNoteD = "reed_acoustic_011-060-075";

class MorphEngineTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        torch::set_num_threads(1);
        const auto path = std::filesystem::temp_directory_path() / "morph_engine_test_model.mpt";
        const auto started = std::chrono::steady_clock::now();
        test::writeTinyModel(path, {kNoteA, kNoteB});
        std::fprintf(stderr, "tiny model trained in %.1f s\n",
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        model_ = ModelRunner::load(path, "cpu");
        engine_ = std::make_shared<MorphEngine>(model_);
        for (const auto& name : {kNoteA, kNoteB, kNoteC, kNoteD})
            notes_.push_back(std::make_shared<EncodedNote>(
                encodeNote(*model_, loadNoteAudio(test::sharedNote(name)).samples, name)));
    }
    static void TearDownTestSuite()
    {
        notes_.clear();
        engine_.reset();
        model_.reset();
    }
    static const EncodedNote& A() { return *notes_[0]; }
    static const EncodedNote& B() { return *notes_[1]; }

    static std::shared_ptr<const ModelRunner> model_;
    static std::shared_ptr<MorphEngine> engine_;
    static std::vector<std::shared_ptr<EncodedNote>> notes_;
};
std::shared_ptr<const ModelRunner> MorphEngineTest::model_;
std::shared_ptr<MorphEngine> MorphEngineTest::engine_;
std::vector<std::shared_ptr<EncodedNote>> MorphEngineTest::notes_;

double dbDistance(const dsp::Spectrogram& x, const dsp::Spectrogram& y)
{
    double se = 0;
    for (std::size_t i = 0; i < x.values.size(); ++i)
        se += double(x.values[i] - y.values[i]) * (x.values[i] - y.values[i]);
    return std::sqrt(se / double(x.values.size()));
}

void expectPlayable(const MorphRender& r, const MorphOptions& o)
{
    ASSERT_EQ(r.audio.size(), 64000u);
    for (float x : r.audio) {
        ASSERT_TRUE(std::isfinite(x));
        ASSERT_LE(std::abs(x), o.peakLimit + 1e-6f);
    }
}

} // namespace

TEST_F(MorphEngineTest, EndpointsAreTheReconstructions)
{
    MorphOptions options;
    const auto recA = engine_->render({&A()}, {1.f}, options);
    const auto recB = engine_->render({&B()}, {1.f}, options);
    const auto t0 = engine_->renderPair(A(), B(), 0.f, options);
    const auto t1 = engine_->renderPair(A(), B(), 1.f, options);
    EXPECT_EQ(t0.db.values, recA.db.values);
    EXPECT_EQ(t1.db.values, recB.db.values);
    EXPECT_TRUE(t0.usedOriginalPhase);
    EXPECT_EQ(t0.audio, recA.audio);
    EXPECT_EQ(t1.audio, recB.audio);
    // The trained model actually reconstructs (dB RMS error well below the 80 dB range).
    EXPECT_LT(dbDistance(recA.db, A().spectra.db), 20.0);
    expectPlayable(t0, options);
}

TEST_F(MorphEngineTest, SpectralDistanceGrowsMonotonicallyFromA)
{
    MorphOptions options;
    options.griffinLimIterations = 4;  // the decoded spectrogram is what is checked
    const auto recA = engine_->render({&A()}, {1.f}, options);
    const auto recB = engine_->render({&B()}, {1.f}, options);
    double previousFromA = -1, previousToB = 1e9;
    for (int i = 0; i <= 10; ++i) {
        const auto r = engine_->renderPair(A(), B(), float(i) / 10.f, options);
        const double fromA = dbDistance(r.db, recA.db);
        const double toB = dbDistance(r.db, recB.db);
        EXPECT_GE(fromA, previousFromA - 1e-6) << "t=" << i / 10.0;
        EXPECT_LE(toB, previousToB + 1e-6) << "t=" << i / 10.0;
        previousFromA = fromA;
        previousToB = toB;
    }
    EXPECT_GT(previousFromA, 1.0);  // A and B really differ
}

TEST_F(MorphEngineTest, EnergyCorrectionMeetsWeightedTarget)
{
    MorphOptions options;
    options.griffinLimIterations = 2;
    const float t = 0.3f;
    const auto r = engine_->renderPair(A(), B(), t, options);
    const int firstBin = dsp::firstAudibleBin(model_->config().sampleRate, model_->config().nFft);
    const auto energies = dsp::frameEnergies(r.magnitude, firstBin);
    ASSERT_EQ(energies.size(), A().frameEnergy.size());
    for (std::size_t f = 0; f < energies.size(); ++f) {
        const double target = (1 - t) * A().frameEnergy[f] + t * B().frameEnergy[f];
        if (target > 1e-6)
            EXPECT_NEAR(energies[f], target, 0.01 * target) << "frame " << f;
    }
    options.energyCorrection = false;
    const auto raw = engine_->renderPair(A(), B(), t, options);
    double off = 0;
    const auto rawEnergies = dsp::frameEnergies(raw.magnitude, firstBin);
    for (std::size_t f = 0; f < rawEnergies.size(); ++f)
        off += std::abs(rawEnergies[f] - energies[f]);
    EXPECT_GT(off, 0.0);  // the switch really switches
}

// bass_synthetic_098-060-127 decays within 0.5 s but carries a large ~1 Hz offset until 3 s.
// Energy correction must match the audible (>= 20 Hz) energy only: counting the offset spread it
// over the decoder's broadband floor as a -50 dB hiss after the note had ended.
TEST_F(MorphEngineTest, EnergyCorrectionIgnoresInfrasonicOffset)
{
    const std::string name = "bass_synthetic_098-060-127";
    const auto bass = encodeNote(*model_, loadNoteAudio(test::sharedNote(name)).samples, name);
    const int firstBin = dsp::firstAudibleBin(model_->config().sampleRate, model_->config().nFft);
    EXPECT_EQ(firstBin, 2);  // 20 Hz at 16 kHz / 1024
    const auto all = dsp::frameEnergies(dsp::magnitude(bass.spectra.stft));
    const auto& audible = bass.frameEnergy;
    ASSERT_EQ(all.size(), audible.size());
    // The premise: between 0.5 s and 3 s most of the energy is below 20 Hz.
    double allTail = 0, audibleTail = 0;
    for (std::size_t f = 16; f < 94 && f < all.size(); ++f) {
        allTail += all[f];
        audibleTail += audible[f];
    }
    EXPECT_GT(allTail, 10.0 * audibleTail);

    MorphOptions options;
    options.griffinLimIterations = 2;
    const auto r = engine_->render({&bass}, {1.f}, options);
    const auto got = dsp::frameEnergies(r.magnitude, firstBin);
    ASSERT_EQ(got.size(), audible.size());
    for (std::size_t f = 0; f < got.size(); ++f)
        EXPECT_LE(got[f], 1.01 * audible[f] + 1e-9) << "frame " << f;
}

TEST_F(MorphEngineTest, OutputsFiniteRightLengthNeverClip)
{
    MorphOptions options;
    options.griffinLimIterations = 8;
    for (float t : {0.f, 0.25f, 0.5f, 1.f}) {
        const auto r = engine_->renderPair(A(), B(), t, options);
        expectPlayable(r, options);
        if (!r.usedOriginalPhase) {
            EXPECT_GT(r.spectralConvergence, 0.f);
            EXPECT_LT(r.spectralConvergence, 1.f);
        }
    }
    // A loud note forces the limiter: scaled, never clipped.
    EncodedNote loud = A();
    loud.spectra.ref *= 100.f;
    for (auto& e : loud.frameEnergy)
        e *= 1e4f;
    const auto r = engine_->renderPair(loud, B(), 0.5f, options);
    expectPlayable(r, options);
    EXPECT_LT(r.peakGain, 1.f);
    EXPECT_THROW(engine_->render({&A(), &B()}, {0.f, 0.f}, options), ConfigError);
    EXPECT_THROW(engine_->render({&A(), &B()}, {1.f}, options), ConfigError);
}

TEST_F(MorphEngineTest, SphericalInterpolationKeepsEndpoints)
{
    MorphOptions options;
    options.interpolation = InterpolationMode::Spherical;
    options.griffinLimIterations = 2;
    const auto t0 = engine_->renderPair(A(), B(), 0.f, options);
    const auto recA = engine_->render({&A()}, {1.f}, options);
    EXPECT_EQ(t0.db.values, recA.db.values);
    const auto mid = engine_->renderPair(A(), B(), 0.5f, options);
    options.interpolation = InterpolationMode::Linear;
    const auto midLinear = engine_->renderPair(A(), B(), 0.5f, options);
    EXPECT_NE(mid.embedding.values, midLinear.embedding.values);
}

TEST_F(MorphEngineTest, FourCornerPad)
{
    const auto w = MorphEngine::cornerWeights(0.25f, 0.75f);
    ASSERT_EQ(w.size(), 4u);
    EXPECT_NEAR(w[0] + w[1] + w[2] + w[3], 1.f, 1e-6);
    EXPECT_FLOAT_EQ(w[2], 0.75f * 0.75f);
    EXPECT_EQ(MorphEngine::cornerWeights(1.f, 0.f), (std::vector<float>{0, 1, 0, 0}));
    MorphOptions options;
    std::vector<const EncodedNote*> corners;
    for (auto& n : notes_)
        corners.push_back(n.get());
    const auto corner = engine_->render(corners, MorphEngine::cornerWeights(0.f, 1.f), options);
    const auto recC = engine_->render({notes_[2].get()}, {1.f}, options);
    EXPECT_EQ(corner.audio, recC.audio);
    options.griffinLimIterations = 4;
    expectPlayable(engine_->render(corners, MorphEngine::cornerWeights(0.5f, 0.5f), options), options);
}

TEST_F(MorphEngineTest, LiveMorphDropsStaleRequestsAndAnswersFromLadder)
{
    MorphOptions options;
    options.griffinLimIterations = 4;
    LiveMorph live(engine_, 4);  // ladder 0, .25, .5, .75, 1
    live.setOptions(options);
    live.setPaused(true);
    live.setPair(notes_[0], notes_[1], 0.5f);
    EXPECT_EQ(live.request(0.33f), nullptr);  // nothing rendered yet
    EXPECT_EQ(live.request(0.77f), nullptr);  // replaces the pending 0.33
    EXPECT_EQ(live.stats().droppedStale, 1u);
    live.setPaused(false);
    ASSERT_NE(live.waitFor(0.77f, 60.0), nullptr);
    for (float t : {0.f, 0.25f, 0.5f, 0.75f, 1.f})
        ASSERT_NE(live.waitFor(t, 60.0), nullptr) << t;
    EXPECT_NE(live.nearestReady(0.33f).first, 0.33f);  // the stale position was never rendered
    EXPECT_FLOAT_EQ(live.nearestReady(0.33f).first, 0.25f);
    // A move answers at once with the nearest ready render, then renders the exact t.
    const auto immediate = live.request(0.52f);
    ASSERT_NE(immediate, nullptr);
    EXPECT_FLOAT_EQ(immediate->weights[1], 0.5f);
    const auto exact = live.waitFor(0.52f, 60.0);
    ASSERT_NE(exact, nullptr);
    EXPECT_NEAR(exact->weights[1], 0.52f, 1e-6);
    EXPECT_EQ(live.request(0.52f), exact);  // cache hit
    EXPECT_GE(live.stats().cacheHits, 1u);
}

TEST_F(MorphEngineTest, LiveMorphKeepsALimitedNumberOfOffLadderRenders)
{
    MorphOptions options;
    options.griffinLimIterations = 1;
    LiveMorph live(engine_, 4);  // 5 rungs
    live.setOptions(options);
    live.setPair(notes_[0], notes_[1], 0.f);
    const std::size_t n = LiveMorph::kMaxOffLadderRenders + 6;
    for (std::size_t i = 0; i < n; ++i) {  // a slow drag: every position gets rendered
        const float t = 0.01f + 0.02f * float(i);
        live.request(t);
        ASSERT_NE(live.waitFor(t, 60.0), nullptr) << t;
    }
    for (float t : {0.f, 0.25f, 0.5f, 0.75f, 1.f})
        ASSERT_NE(live.waitFor(t, 60.0), nullptr) << t;
    EXPECT_EQ(live.readyCount(), 5 + LiveMorph::kMaxOffLadderRenders);
    // The positions nearest the slider (the last ones) stayed; the first ones went.
    const float last = 0.01f + 0.02f * float(n - 1);
    EXPECT_FLOAT_EQ(live.nearestReady(last).first, last);
    EXPECT_NE(live.nearestReady(0.01f).first, 0.01f);
}

// The slider's bfloat16 path on the shipped default model and real notes: the embeddings and
// the decoded dB spectrogram stay close to float (figures: docs/MODELS.md), and switching back
// to float gives float's output exactly.
TEST(BFloat16Path, ShippedModelDecodesCloseToFloat)
{
    torch::set_num_threads(1);
    auto runner = ModelRunner::load(std::string(MORPH_SOURCE_DIR) + "/models/default/model.pt", "cpu");
    ASSERT_EQ(runner->precision(), InferencePrecision::Float32);
    const EncodedNote note = encodeNote(*runner, loadNoteAudio(test::sharedNote(kNoteA)).samples, kNoteA);
    const NoteEmbedding& z = note.embedding;
    const std::vector<float> reference = runner->decode(z.values.data(), z.slices);

    runner->setPrecision(InferencePrecision::BFloat16);
    EXPECT_EQ(runner->precision(), InferencePrecision::BFloat16);
    const std::vector<float> half = runner->decode(z.values.data(), z.slices);
    const NoteEmbedding halfZ = embedSpectra(*runner, note.spectra);
    ASSERT_EQ(half.size(), reference.size());
    ASSERT_EQ(halfZ.values.size(), z.values.size());
    double se = 0, maxDiff = 0, zse = 0, zss = 0;
    for (std::size_t i = 0; i < half.size(); ++i) {
        ASSERT_TRUE(std::isfinite(half[i]));
        se += double(half[i] - reference[i]) * (half[i] - reference[i]);
        maxDiff = std::max(maxDiff, double(std::abs(half[i] - reference[i])));
    }
    for (std::size_t i = 0; i < z.values.size(); ++i) {
        zse += double(halfZ.values[i] - z.values[i]) * (halfZ.values[i] - z.values[i]);
        zss += double(z.values[i]) * z.values[i];
    }
    const double rmsDb = std::sqrt(se / double(half.size()));
    std::fprintf(stderr, "bfloat16 vs float: decode RMS %.4f dB, max %.3f dB; embedding relative %.5f\n", rmsDb,
                 maxDiff, std::sqrt(zse / zss));
    EXPECT_GT(rmsDb, 0.0) << "the bfloat16 path did not run in bfloat16";
    EXPECT_LT(rmsDb, 0.25);  // measured 0.038 dB (16-32-32-32; 0.07 for 8-16-16-16)
    EXPECT_LT(std::sqrt(zse / zss), 0.06);  // measured 0.011 (0.020)

    runner->setPrecision(InferencePrecision::Float32);
    EXPECT_EQ(runner->decode(z.values.data(), z.slices), reference);
    EXPECT_EQ(parseInferencePrecision("float32"), InferencePrecision::Float32);
    EXPECT_EQ(parseInferencePrecision("bfloat16"), InferencePrecision::BFloat16);
    EXPECT_EQ(parseInferencePrecision("auto"), nativeInferencePrecision());
    EXPECT_THROW(parseInferencePrecision("fp8"), ConfigError);
}
