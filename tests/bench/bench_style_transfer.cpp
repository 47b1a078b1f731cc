// Style transfer benchmark (figures, never pass/fail):
//  1. one loss evaluation (forward + backward) of the default random network (1025 bins,
//     4096 filters, kernel 11, 126 frames) split into its parts: Conv1d vs the same convolution
//     as unfold + matrix product, and the Gram style loss computed directly (4096 x 4096 Gram)
//     vs through the T' x T' identity the core uses;
//  2. the full default run: up to 300 L-BFGS iterations on a 4 s NSynth note (content organ,
//     style brass; L-BFGS stops early once converged), with wall and CPU time, the load average
//     before and after (the machine is shared).
// Usage: bench_style_transfer [ITERATIONS=300] [--micro-only]
#include "dataset/AudioFile.h"
#include "model/TorchRuntime.h"
#include "style/StyleTransfer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <sys/resource.h>

using namespace morph;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

std::string loadAverage()
{
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

template <typename F>
void timeIt(const char* label, int reps, F&& f)
{
    f();  // warm-up
    std::vector<double> wall;
    const double cpu0 = cpuSeconds();
    for (int i = 0; i < reps; ++i) {
        const auto t0 = Clock::now();
        f();
        wall.push_back(since(t0));
    }
    std::sort(wall.begin(), wall.end());
    std::printf("  %-52s median wall %7.3f s, CPU %7.3f s per call\n", label, wall[wall.size() / 2],
                (cpuSeconds() - cpu0) / reps);
}

void micro()
{
    torch::manual_seed(0);
    const int64_t bins = 1025, frames = 126, filters = 4096, kernel = 11;
    auto x = torch::rand({bins, frames}).requires_grad_(true);
    auto w = torch::randn({filters, bins, kernel}) * 0.006;
    auto wFlat = w.permute({0, 2, 1}).reshape({filters, kernel * bins}).contiguous();  // [F, k*bins]
    std::printf("1. one evaluation at the default sizes (%lld bins x %lld frames, %lld filters, kernel %lld)\n",
                (long long)bins, (long long)frames, (long long)filters, (long long)kernel);
    timeIt("Conv1d + ReLU, forward + backward", 3, [&] {
        auto f = torch::relu(torch::conv1d(x.unsqueeze(0), w)).squeeze(0);
        f.sum().backward();
        x.mutable_grad().reset();
    });
    timeIt("unfold + mm + ReLU, forward + backward", 3, [&] {
        auto cols = x.unfold(1, kernel, 1).permute({1, 2, 0}).reshape({frames - kernel + 1, kernel * bins});
        auto f = torch::relu(wFlat.mm(cols.t()));
        f.sum().backward();
        x.mutable_grad().reset();
    });
    auto f0 = torch::relu(torch::conv1d(x.detach().unsqueeze(0), w)).squeeze(0);
    auto fs = (f0 * 1.1).detach();
    const double t = double(f0.size(1));
    auto gs = fs.mm(fs.t()) / t;
    timeIt("Gram loss direct (4096 x 4096), forward + backward", 3, [&] {
        auto f = f0.detach().requires_grad_(true);
        auto l = (f.mm(f.t()) / t - gs).pow(2).sum();
        l.backward();
    });
    timeIt("Gram loss via T' x T' identity, forward + backward", 3, [&] {
        auto f = f0.detach().requires_grad_(true);
        auto l = f.t().mm(f).pow(2).sum() / (t * t) - 2 * f.t().mm(fs).pow(2).sum() / (t * t)
                 + fs.t().mm(fs).pow(2).sum() / (t * t);
        l.backward();
    });
}

void full(int iterations)
{
    const std::string audio = std::string(MORPH_SHARED_DATA_DIR) + "/nsynth-test-pitch60/audio/";
    style::AudioClip content{loadNoteAudio(audio + "organ_electronic_001-060-100.wav").samples, 16000, "organ"};
    style::AudioClip styleClip{loadNoteAudio(audio + "brass_acoustic_016-060-127.wav").samples, 16000, "brass"};
    style::StyleTransferOptions o;  // the defaults
    o.iterations = iterations;
    style::StyleTransfer transfer(o);
    std::printf("2. full run: %d L-BFGS iterations, defaults (nFft %d, hop %d, %d filters, kernel %d), 4 s note, "
                "device %s, %d torch threads\n",
                iterations, o.nFft, o.hop, o.filters, o.kernel, transfer.device().c_str(), torchThreads());
    std::printf("  load average before: %s\n", loadAverage().c_str());
    std::fflush(stdout);
    const double cpu0 = cpuSeconds();
    const auto t0 = Clock::now();
    const auto r = transfer.run(content, styleClip, [&](const style::StyleTransferProgress& p) {
        if (p.iteration % 25 == 0)
            std::printf("    iteration %3d  %.1f s  loss %.5g (style %.5g)\n", p.iteration, since(t0), p.loss.total,
                        p.loss.style);
        std::fflush(stdout);
    });
    const double wall = since(t0), cpu = cpuSeconds() - cpu0;
    const int done = static_cast<int>(r.lossCurve.size()) - 1;  // L-BFGS stops early once converged
    std::printf("  %d of %d iterations run%s\n", done, iterations, done < iterations ? " (L-BFGS converged)" : "");
    std::printf("  total %.1f s wall (optimisation %.1f s, Griffin-Lim %.2f s), %.1f s CPU; %.3f s wall, %.3f s CPU "
                "per iteration\n",
                wall, r.optimiseSeconds, r.griffinLimSeconds, cpu, r.optimiseSeconds / std::max(1, done),
                cpu / std::max(1, done));
    std::printf("  style loss %.5g -> %.5g (x%.1f lower), %zu iterates\n", r.lossCurve.front().style,
                r.lossCurve.back().style, r.lossCurve.front().style / std::max(1e-30, r.lossCurve.back().style),
                r.lossCurve.size());
    std::printf("  load average after: %s\n", loadAverage().c_str());
}

} // namespace

int main(int argc, char** argv)
{
    configureTorchRuntime(0);
    int iterations = 300;
    bool microOnly = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--micro-only")
            microOnly = true;
        else
            iterations = std::max(1, std::atoi(argv[i]));
    }
    std::printf("style transfer benchmark; %d torch threads; load average %s; %s\n", torchThreads(),
                loadAverage().c_str(), loadedMathLibraries().c_str());
    micro();
    if (!microOnly)
        full(iterations);
    return 0;
}
