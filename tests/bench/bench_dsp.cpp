// DSP benchmarks (figures, not pass/fail). One 4 s note: STFT + magnitude + dB, ISTFT,
// Griffin-Lim 32 iterations on both cores and on one, the FFT-only floor of Griffin-Lim, and
// batch Griffin-Lim over the real notes in notes/s. Medians over many repetitions.
// The machine is shared: run it when `uptime` shows a low load and repeat.
#include "dsp/DbScale.h"
#include "dsp/FftPlan.h"
#include "dsp/GriffinLim.h"
#include "dsp/MelFilterbank.h"
#include "dsp/Stft.h"
#include "util/ThreadPool.h"

#include "support/RealNotes.h"

#if __has_include("dataset/AudioFile.h")
#include "dataset/AudioFile.h"
#define MORPH_HAVE_AUDIOFILE 1
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <time.h>
#include <vector>

using namespace morph::dsp;
using Clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double gMin = 0.0;  // the minimum of the last timeMs call: the figure of a quiet moment

/// Median wall time in ms of `reps` calls (after 2 warm-up calls); the minimum goes to gMin.
double timeMs(int reps, const std::function<void()>& fn)
{
    fn();
    fn();
    std::vector<double> t;
    t.reserve(static_cast<std::size_t>(reps));
    for (int i = 0; i < reps; ++i) {
        const auto a = Clock::now();
        fn();
        t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - a).count());
    }
    gMin = *std::min_element(t.begin(), t.end());
    return median(t);
}

/// Median CPU time in ms of `reps` calls, of this thread or of the whole process: the time
/// the work needed on the CPUs, excluding time other programs held them (a shared machine).
double cpuMs(int reps, clockid_t clock, const std::function<void()>& fn)
{
    fn();
    std::vector<double> t;
    for (int i = 0; i < reps; ++i) {
        timespec a{}, b{};
        clock_gettime(clock, &a);
        fn();
        clock_gettime(clock, &b);
        t.push_back((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) * 1e-6);
    }
    return median(t);
}

double loadAverage()
{
    double l = -1.0;
    if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(f, "%lf", &l) != 1)
            l = -1.0;
        std::fclose(f);
    }
    return l;
}

std::vector<float> syntheticNote()
{
    std::mt19937 rng(1);
    std::normal_distribution<float> d(0.f, 0.01f);
    std::vector<float> x(64000);
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double t = i / 16000.0;
        double v = 0.0;
        for (int h = 1; h <= 8; ++h)
            v += std::sin(2 * 3.141592653589793 * 261.63 * h * t + h) / h;
        x[i] = static_cast<float>(0.4 * v * std::exp(-t)) + d(rng);
    }
    return x;
}

std::vector<std::vector<float>> realNotes()
{
    std::vector<std::vector<float>> notes;
#ifdef MORPH_HAVE_AUDIOFILE
    for (const auto& f : morph::test::pitch60WavFiles())
        notes.push_back(morph::loadNoteAudio(f).samples);
#endif
    return notes;
}

} // namespace

int main()
{
    const auto x = syntheticNote();
    Stft stft;
    const int reps = 300;

    std::printf("DSP benchmarks: median (min) wall times; %u pool threads; load average %.2f at start\n",
                morph::ThreadPool::shared().threadCount(), loadAverage());
    const double tStft = timeMs(reps, [&] {
        auto X = stft.forward(x);
        auto m = magnitude(X);
        amplitudeToDbInPlace(m, maxValue(m));
    });
    std::printf("  STFT + magnitude + dB, one 4 s note     : %8.3f ms (%.3f)  (target < 0.3)\n", tStft, gMin);
    const auto X = stft.forward(x);
    const double tFwd = timeMs(reps, [&] { auto Y = stft.forward(x); });
    std::printf("    of which STFT alone                   : %8.3f ms (%.3f)\n", tFwd, gMin);
    const double tIstft = timeMs(reps, [&] { auto y = stft.inverse(X, x.size()); });
    std::printf("  ISTFT, one 4 s note                     : %8.3f ms (%.3f)  (target < 0.3)\n", tIstft, gMin);

    // FFT-only floor: the (iterations + 1) x frames forward and inverse FFTs Griffin-Lim needs.
    const auto& plans = detail::plansFor(1024);
    detail::AlignedBuffer<float> re(1024);
    detail::AlignedBuffer<std::complex<float>> sp(513);
    for (int i = 0; i < 1024; ++i)
        re[static_cast<std::size_t>(i)] = x[static_cast<std::size_t>(i)];
    // short batches (126 transforms, like one pass over a note) so that most escape preemption
    const int fftReps = 126;
    timeMs(2000, [&] {
        for (int i = 0; i < fftReps; ++i)
            plans.r2c(re.data(), sp.data());
    });
    const double tR2c = gMin * 1000.0 / fftReps;  // the floor: best case
    timeMs(2000, [&] {
        for (int i = 0; i < fftReps; ++i) {
            plans.c2r(sp.data(), re.data());
            sp[0] = std::complex<float>(1.f, 0.f);
        }
    });
    const double tC2r = gMin * 1000.0 / fftReps;
    const int frames = stft.frameCount(x.size());
    const double floorMs = (tR2c + tC2r) * frames * 33 / 1000.0;
    std::printf("  one 1024 r2c / c2r FFT (min)            : %8.3f / %.3f us\n", tR2c, tC2r);
    std::printf("  FFT floor of GL-32 (126 x 33 r2c+c2r)   : %8.3f ms on one core, %.3f ms on two\n", floorMs,
                floorMs / 2);

    const auto S = magnitude(X);
    GriffinLim gl;
    GriffinLimOptions o;
    o.iterations = 32;
    float sc = 0.f;
    const double tGl2 = timeMs(60, [&] { sc = gl.run(S, x.size(), o).spectralConvergence; });
    const double minGl2 = gMin;
    std::printf("  Griffin-Lim 32 it, both cores           : %8.3f ms (%.3f)  (target < 10; SC %.4f)\n", tGl2,
                minGl2, sc);
    o.parallel = false;
    const double tGl1 = timeMs(60, [&] { sc = gl.run(S, x.size(), o).spectralConvergence; });
    std::printf("  Griffin-Lim 32 it, one core             : %8.3f ms (%.3f)  (SC %.4f)\n", tGl1, gMin, sc);
    const double minGl1 = gMin;
    std::printf("  GL / FFT floor (min times)              : one core %.2f, both cores %.2f\n", minGl1 / floorMs,
                minGl2 / (floorMs / 2));
    const double cpu1 = cpuMs(30, CLOCK_THREAD_CPUTIME_ID, [&] { gl.run(S, x.size(), o); });
    o.parallel = true;
    const double cpu2 = cpuMs(30, CLOCK_PROCESS_CPUTIME_ID, [&] { gl.run(S, x.size(), o); });
    std::printf("  GL 32 it CPU time: one core %.3f ms; both cores %.3f ms of CPU in all (%.3f per core)\n", cpu1,
                cpu2, cpu2 / 2);

    MelFilterbank fb;
    const auto mel = fb.toMel(S);
    const double tMel = timeMs(50, [&] { auto m = fb.toMel(S); });
    const double tNnls = timeMs(5, [&] { auto l = fb.toLinear(mel, MelFilterbank::Inverse::Nnls); });
    const double tPinv = timeMs(20, [&] { auto l = fb.toLinear(mel, MelFilterbank::Inverse::PseudoInverse); });
    const double cNnls = cpuMs(5, CLOCK_PROCESS_CPUTIME_ID, [&] { auto l = fb.toLinear(mel); });
    const double cPinv = cpuMs(5, CLOCK_PROCESS_CPUTIME_ID,
                               [&] { auto l = fb.toLinear(mel, MelFilterbank::Inverse::PseudoInverse); });
    std::printf("  mel: toMel %.3f ms, toLinear NNLS %.3f ms, pinv %.3f ms (medians, both cores; CPU %.2f / %.2f ms)\n",
                tMel, tNnls, tPinv, cNnls, cPinv);

    auto notes = realNotes();
    const char* what = "real NSynth notes";
    if (notes.empty()) {
        what = "synthetic notes (dataset/AudioFile.h not available)";
        notes.assign(60, x);
    }
    std::vector<Spectrogram> specs;
    std::vector<const Spectrogram*> ptrs;
    std::vector<std::size_t> lengths;
    for (const auto& n : notes) {
        specs.push_back(magnitude(stft.forward(n)));
        lengths.push_back(n.size());
    }
    for (const auto& s : specs)
        ptrs.push_back(&s);
    GriffinLimOptions ob;
    std::vector<double> rates;
    double scSum = 0.0;
    for (int r = 0; r < 3; ++r) {
        const auto a = Clock::now();
        const auto res = gl.runBatch(ptrs, lengths, ob);
        const double s = std::chrono::duration<double>(Clock::now() - a).count();
        rates.push_back(static_cast<double>(notes.size()) / s);
        scSum = 0.0;
        for (const auto& q : res)
            scSum += q.spectralConvergence;
    }
    std::printf("  batch Griffin-Lim 32 it, %zu %s: %.1f notes/s (median of 3, best %.1f; mean SC %.4f)\n",
                notes.size(), what, median(rates), *std::max_element(rates.begin(), rates.end()),
                scSum / notes.size());
    std::printf("load average %.2f at the end\n", loadAverage());
    return 0;
}
