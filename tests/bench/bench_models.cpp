// Model benchmarks (figures, never pass/fail):
//  1. training throughput (slices/s; batch 32, forward + MSE + backward + Adam) per architecture
//     at the default widths, and for a few widths of the single-stride model;
//  2. data loading share: gathering a batch from the float16 feature cache vs the step;
//  3. encode + decode of one 4 s note (124 slices) per architecture, plain module vs fast path;
//  4. feature cache build speed (notes/s) on the real NSynth test notes (repeated).
// Compare 1 and 3 with tests/bench/bench_torch_reference.py (same models in PyTorch).
#include "dataset/NSynthDataset.h"
#include "model/Networks.h"
#include "model/TorchRuntime.h"
#include "train/FeatureCache.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <unistd.h>

using namespace morph;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

ModelConfig config(Architecture a, bool mel, std::vector<int> channels = {})
{
    ModelConfig c;
    c.arch = a;
    c.mel = mel;
    c.channels = std::move(channels);
    return c;
}

/// Median seconds of `reps` calls after `warm` warm-up calls.
template <typename F>
double medianTime(int warm, int reps, F&& f)
{
    for (int i = 0; i < warm; ++i)
        f();
    std::vector<double> t;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = Clock::now();
        f();
        t.push_back(since(t0));
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

double trainSlicesPerSecond(const ModelConfig& c, int steps)
{
    torch::manual_seed(1);
    auto model = nn::makeAutoencoder(c);
    model->setNormalisation(-50, 20);
    model->train();
    torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3));
    const torch::Tensor x = torch::rand(model->inputShape(32)) * -80.0;
    const double t = medianTime(3, steps, [&] {
        opt.zero_grad();
        const auto loss = torch::mse_loss(model->forward(x), x);
        loss.backward();
        opt.step();
        (void)loss.item<float>();
    });
    return 32.0 / t;
}

void noteLatency(const ModelConfig& c, double& plainMs, double& fastMs)
{
    torch::manual_seed(1);
    auto model = nn::makeAutoencoder(c);
    model->setNormalisation(-50, 20);
    model->eval();
    nn::FastAutoencoder fast(*model);
    const int slices = c.arch == Architecture::Frame1d ? 126 : 124;
    const torch::Tensor x = torch::rand(model->inputShape(slices)) * -80.0;
    c10::InferenceMode guard;
    plainMs = 1e3 * medianTime(3, 15, [&] { (void)model->decode(model->encode(x)).sum().item<float>(); });
    fastMs = 1e3 * medianTime(3, 15, [&] { (void)fast.decode(fast.encode(x)).sum().item<float>(); });
}

std::string widthText(const ModelConfig& c)
{
    return channelsText(c.effectiveChannels());
}

} // namespace

int main()
{
    configureTorchRuntime(0);
    std::printf("LibTorch %s, %d intra-op threads\nmath libraries mapped: ", TORCH_VERSION, torchThreads());
    {
        auto a = torch::rand({256, 256});
        (void)torch::mm(a, a).sum().item<float>();
        auto img = torch::rand({1, 1, 32, 3});
        (void)torch::conv2d(img, torch::rand({4, 1, 3, 3})).sum().item<float>();
    }
    std::printf("%s\n", loadedMathLibraries().c_str());
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) > 0)
        std::printf("load average at start: %.2f (the machine is shared; figures are noisy)\n", load[0]);

    const std::vector<std::pair<Architecture, bool>> variants = {
        {Architecture::Single, false}, {Architecture::Double, false}, {Architecture::Triple, false},
        {Architecture::Frame1d, false}, {Architecture::Single, true},  {Architecture::Double, true},
        {Architecture::Triple, true},  {Architecture::Frame1d, true}};

    std::printf("\n1. training throughput, batch 32 (median step), default widths\n");
    std::printf("  %-8s %-7s %-22s %6s %12s\n", "arch", "scale", "channels", "embed", "slices/s");
    for (const auto& [a, mel] : variants) {
        const ModelConfig c = config(a, mel);
        std::printf("  %-8s %-7s %-22s %6d %12.0f\n", architectureName(a), mel ? "mel" : "log-mag", widthText(c).c_str(),
                    c.embeddingSize(), trainSlicesPerSecond(c, mel ? 20 : 10));
        std::fflush(stdout);
    }
    std::printf("  width sweep, single log-mag:\n");
    for (const std::vector<int>& w : {std::vector<int>{8, 16, 16, 16}, std::vector<int>{16, 32, 32, 32},
                                      std::vector<int>{32, 64, 64, 64}}) {
        const ModelConfig c = config(Architecture::Single, false, w);
        double plain = 0, fast = 0;
        noteLatency(c, plain, fast);
        std::printf("  %-22s train %8.0f slices/s, note encode+decode %.1f ms plain / %.1f ms fast\n",
                    widthText(c).c_str(), trainSlicesPerSecond(c, 8), plain, fast);
        std::fflush(stdout);
    }

    std::printf("\n2. data loading share (single log-mag, default widths)\n");
    {
        char tmpl[] = "/tmp/morph_bench_XXXXXX";
        const std::string dir = mkdtemp(tmpl);
        FeatureSettings s;
        std::vector<FeatureNote> notes(64);
        std::vector<std::vector<float>> frames(64);
        std::vector<std::string> names(64);
        std::mt19937 rng(3);
        std::uniform_real_distribution<float> u(-80.f, 0.f);
        for (int i = 0; i < 64; ++i) {
            notes[i].frames = 100;
            frames[i].resize(100 * 513);
            for (auto& v : frames[i])
                v = u(rng);
            names[i] = "n" + std::to_string(i);
        }
        FeatureCache::write(dir + "/b.feat", s, "bench", notes, frames, names);
        const FeatureCache cache = FeatureCache::open(dir + "/b.feat");
        const SliceIndex index(cache, 3);
        std::vector<float> buf(32 * 513 * 3);
        std::uniform_int_distribution<std::uint64_t> pick(0, index.size() - 1);
        const double gather = medianTime(5, 200, [&] {
            for (int k = 0; k < 32; ++k) {
                const auto [n, f] = index.locate(pick(rng));
                cache.readSlice(n, f, 3, buf.data() + k * 513 * 3);
            }
        });
        const double step = 32.0 / trainSlicesPerSecond(config(Architecture::Single, false), 10);
        std::printf("  gather 32 random slices from the mmap'd float16 cache: %.3f ms; training step %.1f ms -> "
                    "data loading %.2f%% of the step\n",
                    gather * 1e3, step * 1e3, 100 * gather / (gather + step));
        std::filesystem::remove_all(dir);
    }

    std::printf("\n3. encode + decode of one 4 s note (124 slices; frame1d: 126 frames), median of 15\n");
    std::printf("  %-8s %-7s %12s %12s %8s\n", "arch", "scale", "plain ms", "fast ms", "speedup");
    for (const auto& [a, mel] : variants) {
        double plain = 0, fast = 0;
        noteLatency(config(a, mel), plain, fast);
        std::printf("  %-8s %-7s %12.2f %12.2f %7.2fx\n", architectureName(a), mel ? "mel" : "log-mag", plain, fast,
                    plain / fast);
        std::fflush(stdout);
    }

    std::printf("\n4. feature cache build (real NSynth test notes, each used 20x)\n");
    try {
        const NSynthDataset ds = NSynthDataset::open(std::string(MORPH_SHARED_DATA_DIR) + "/nsynth-test-pitch60");
        std::vector<std::size_t> idx;
        for (int r = 0; r < 20; ++r)
            for (std::size_t i = 0; i < ds.size(); ++i)
                idx.push_back(i);
        char tmpl[] = "/tmp/morph_bench_XXXXXX";
        const std::string dir = mkdtemp(tmpl);
        for (bool mel : {false, true}) {
            FeatureSettings s;
            s.mel = mel;
            const FeatureBuildReport r = FeatureCache::build(ds, idx, s, "bench", dir + "/f.feat");
            std::printf("  %-7s %zu notes in %.2f s: %.0f notes/s, %.1f MB\n", mel ? "mel" : "log-mag", r.notes,
                        r.seconds, r.notesPerSecond, r.bytes / 1e6);
        }
        std::filesystem::remove_all(dir);
    } catch (const std::exception& e) {
        std::printf("  skipped: %s\n", e.what());
    }
    return 0;
}
