// Morph engine benchmarks (figures, not pass/fail), issue "morph engine" speed targets:
// time from a slider change to audio ready for (a) a cache hit, (b) an exact render warm-started
// from the nearest ladder rung, (c) a cold render; p50/p95 over 100 random moves, each broken
// into interpolate, decode, overlap-add, dB->magnitude (+energy), Griffin-Lim and the rest.
// Also encoding throughput (notes/s) and the correlation time for 500 notes.
// Model: $MORPH_BENCH_MODEL, else models/default/model.pt, else an untrained model with the
// default widths or $MORPH_BENCH_CHANNELS (speed does not depend on the weights);
// precision $MORPH_BENCH_PRECISION (auto, float32, bfloat16; default auto). Run when `uptime` shows a low load.
#include "support/TinyModel.h"  // torch first (only to write an untrained checkpoint)

#include "dataset/NSynthDataset.h"
#include "model/ModelRunner.h"
#include "model/TorchRuntime.h"
#include "morph/Correlation.h"
#include "morph/EncodingService.h"
#include "morph/LiveMorph.h"
#include "morph/MorphEngine.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

using namespace morph;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double msBetween(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double, std::milli>(b - a).count();
}

double percentile(std::vector<double> v, double p)
{
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size() - 1) + 0.5))];
}

struct Breakdown {
    std::vector<double> total, interpolate, decode, overlapAdd, magnitude, griffinLim, rest;
    void add(const MorphTimings& t, double wall)
    {
        total.push_back(wall);
        interpolate.push_back(t.interpolate);
        decode.push_back(t.decode);
        overlapAdd.push_back(t.overlapAdd);
        magnitude.push_back(t.toMagnitude);
        griffinLim.push_back(t.griffinLim);
        rest.push_back(wall - t.decode - t.overlapAdd - t.toMagnitude - t.griffinLim);
    }
    void print(const char* name) const
    {
        std::printf("%-34s p50 %7.2f ms  p95 %7.2f ms | decode %.2f, overlap-add %.2f, magnitude+energy %.2f, "
                    "griffin-lim %.2f, rest %.2f (p50s)\n",
                    name, percentile(total, 0.5), percentile(total, 0.95), percentile(decode, 0.5),
                    percentile(overlapAdd, 0.5), percentile(magnitude, 0.5), percentile(griffinLim, 0.5),
                    percentile(rest, 0.5));
    }
};

fs::path modelPath()
{
    if (const char* env = std::getenv("MORPH_BENCH_MODEL"); env && *env)
        return env;
    const fs::path shipped = fs::path(MORPH_SOURCE_DIR) / "models/default/model.pt";
    if (fs::exists(shipped))
        return shipped;
    const fs::path fresh = fs::temp_directory_path() / "morph_bench_untrained.mpt";
    ModelConfig config;  // default widths, or $MORPH_BENCH_CHANNELS ("8,16,16,16")
    if (const char* env = std::getenv("MORPH_BENCH_CHANNELS"); env && *env) {
        std::string text = env;
        for (std::size_t start = 0; start < text.size();) {
            const std::size_t comma = std::min(text.find(',', start), text.size());
            config.channels.push_back(std::stoi(text.substr(start, comma - start)));
            start = comma + 1;
        }
    }
    auto model = nn::makeAutoencoder(config);
    model->eval();
    nn::saveCheckpoint(fresh, nn::baseMetadata(config), *model);
    return fresh;
}

} // namespace

int main()
{
    configureTorchRuntime();
    const fs::path path = modelPath();
    auto loaded = ModelRunner::load(path, "cpu");
    const char* precisionEnv = std::getenv("MORPH_BENCH_PRECISION");  // auto (default), float32, bfloat16
    loaded->setPrecision(parseInferencePrecision(precisionEnv && *precisionEnv ? precisionEnv : "auto"));
    std::shared_ptr<const ModelRunner> model = std::move(loaded);
    std::printf("model: %s\n  %s, %s\n", path.c_str(), model->config().summary().c_str(),
                inferencePrecisionName(model->precision()));
    auto dataset = std::make_shared<const NSynthDataset>(
        NSynthDataset::open(std::string(MORPH_SHARED_DATA_DIR) + "/nsynth-test-pitch60"));

    // Encoding throughput: every real note, cold (empty disk cache), then warm from disk.
    const fs::path cache = fs::temp_directory_path() / "morph_bench_embeddings";
    fs::remove_all(cache);
    std::vector<std::size_t> all(dataset->size());
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = i;
    {
        EncodingService service(model, dataset, cache);
        auto t0 = Clock::now();
        service.encodeAllNow(all);
        auto t1 = Clock::now();
        std::printf("encoding (load + STFT + encode, batched): %zu notes in %.2f s = %.1f notes/s\n", all.size(),
                    msBetween(t0, t1) / 1000, double(all.size()) / (msBetween(t0, t1) / 1000));
    }
    {
        EncodingService service(model, dataset, cache);
        auto t0 = Clock::now();
        service.encodeAllNow(all);
        std::printf("re-open with the same model (disk cache): %zu notes in %.1f ms\n", all.size(),
                    msBetween(t0, Clock::now()));
    }

    // Correlation of 500 notes: the 60 real embeddings, perturbed copies up to 500.
    {
        EncodingService service(model, dataset, cache);
        auto embeddings = service.encodeAllNow(all);
        std::mt19937 rng(5);
        std::normal_distribution<float> noise(0.f, 0.1f);
        std::vector<std::vector<float>> vectors;
        for (std::size_t i = 0; i < 500; ++i) {
            vectors.push_back(embeddings[i % embeddings.size()]->values);
            for (auto& x : vectors.back())
                x += noise(rng);
        }
        std::vector<const std::vector<float>*> ptrs;
        for (auto& v : vectors)
            ptrs.push_back(&v);
        std::vector<double> times;
        for (int rep = 0; rep < 5; ++rep) {
            auto t0 = Clock::now();
            const auto m = computeCorrelation(ptrs);
            std::vector<PairKey> keys(m.size);
            for (std::size_t i = 0; i < keys.size(); ++i)
                keys[i] = {int(i), int(i % 11)};
            rankLowestPairs(m, keys, PairFilter{}, 20);
            times.push_back(msBetween(t0, Clock::now()));
        }
        std::printf("correlation + ranking, 500 notes x %zu values: median %.1f ms\n", vectors[0].size(),
                    percentile(times, 0.5));
    }
    fs::remove_all(cache);

    // The pair: guitar and brass at pitch 60.
    auto encode = [&](const std::string& name) {
        return std::make_shared<const EncodedNote>(
            encodeNote(*model, loadNoteAudio(dataset->audioPath(*dataset->find(name))).samples, name));
    };
    auto a = encode("guitar_acoustic_010-060-100");
    auto b = encode("brass_acoustic_006-060-100");
    MorphEngine engine(model);
    MorphOptions options;  // 32 iterations, momentum 0.99, energy correction on
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> uniform(0.f, 1.f);

    // Ladder (0, 0.1, ..., 1) as LiveMorph renders it.
    std::vector<std::shared_ptr<const MorphRender>> ladder;
    for (int i = 0; i <= 10; ++i)
        ladder.push_back(std::make_shared<const MorphRender>(engine.renderPair(*a, *b, float(i) / 10.f, options)));

    Breakdown cold, warm;
    std::vector<double> hit;
    for (int move = 0; move < 100; ++move) {
        const float t = uniform(rng);
        // (c) cold: random initial phase.
        auto t0 = Clock::now();
        MorphRender c = engine.renderPair(*a, *b, t, options);
        cold.add(c.timings, msBetween(t0, Clock::now()));
        // (b) exact render warm-started from the nearest ladder rung.
        const auto& rung = ladder[std::size_t(std::lround(t * 10))];
        t0 = Clock::now();
        MorphRender w = engine.renderPair(*a, *b, t, options, &rung->phase);
        warm.add(w.timings, msBetween(t0, Clock::now()));
    }
    // (a) cache hit through LiveMorph: request() returns the nearest ready render at once.
    {
        auto shared = std::make_shared<const MorphEngine>(model);
        LiveMorph live(shared, 10);
        live.setPair(a, b, 0.5f);
        for (int i = 0; i <= 10; ++i)
            live.waitFor(float(i) / 10.f, 120.0);
        for (int move = 0; move < 100; ++move) {
            const float t = float(std::lround(uniform(rng) * 10)) / 10.f;
            auto t0 = Clock::now();
            auto r = live.request(t);
            hit.push_back(msBetween(t0, Clock::now()));
            if (!r)
                std::printf("unexpected miss at %.1f\n", double(t));
        }
    }
    std::printf("\nslider change -> audio ready, 100 random moves (%d GL iterations):\n", options.griffinLimIterations);
    std::printf("%-34s p50 %7.3f ms  p95 %7.3f ms\n", "(a) cache hit (LiveMorph.request)", percentile(hit, 0.5),
                percentile(hit, 0.95));
    warm.print("(b) exact render, warm start");
    cold.print("(c) cold render");
    double convWarm = 0, convCold = 0;
    for (int i = 0; i < 10; ++i) {
        const float t = 0.05f + 0.1f * float(i);
        convCold += engine.renderPair(*a, *b, t, options).spectralConvergence;
        convWarm += engine.renderPair(*a, *b, t, options, &ladder[std::size_t(i)]->phase).spectralConvergence;
    }
    std::printf("spectral convergence at t=0.05..0.95: warm %.4f, cold %.4f (mean)\n", convWarm / 10, convCold / 10);
    return 0;
}
