#include "dsp/GriffinLim.h"

#include "dsp/FastMath.h"
#include "dsp/FftPlan.h"
#include "util/Errors.h"
#include "util/ThreadPool.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <string>
#include <thread>

#if defined(__GNUC__) && defined(__x86_64__) && !defined(MORPH_NO_AVX2)
#define MORPH_GL_AVX2 1
#include <immintrin.h>
#else
#define MORPH_GL_AVX2 0
#endif

namespace morph::dsp {

using detail::AlignedBuffer;
using cfloat = std::complex<float>;

constexpr int kBlockFrames = 4;  // frames per claimed block (small: little imbalance at stage ends)

namespace {

#if MORPH_GL_AVX2
bool haveAvx2Fma()
{
    static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return yes;
}

/// The momentum update without keeping the phase, 4 bins at a time (AVX2 + FMA):
///   v = r - kk * tp;  tp = r;  r = v * mag / |v|
/// 1/|v| comes from rsqrt + one Newton step (about 22 correct bits) instead of sqrt + divide;
/// |v|^2 + 1e-32 stands in for torchaudio's |v| + 1e-16 (both give 0 for v = 0). Returns the
/// number of bins done; the caller finishes the tail.
__attribute__((target("avx2,fma"))) int updateAvx2(float* r, float* tp, const float* mag, int bins, float kk)
{
    const __m256 k = _mm256_set1_ps(kk);
    const __m256 tiny = _mm256_set1_ps(1e-32f);
    const __m256 half = _mm256_set1_ps(0.5f);
    const __m256 threeHalves = _mm256_set1_ps(1.5f);
    int b = 0;
    for (; b + 4 <= bins; b += 4) {
        const __m256 re = _mm256_loadu_ps(r + 2 * b);    // re0 im0 re1 im1 re2 im2 re3 im3
        const __m256 prev = _mm256_loadu_ps(tp + 2 * b);
        const __m256 v = _mm256_fnmadd_ps(k, prev, re);  // re - k * prev
        const __m256 sq = _mm256_mul_ps(v, v);
        const __m256 n2 = _mm256_add_ps(_mm256_add_ps(sq, _mm256_permute_ps(sq, 0xB1)), tiny);
        __m256 y = _mm256_rsqrt_ps(n2);
        y = _mm256_mul_ps(y, _mm256_fnmadd_ps(_mm256_mul_ps(half, n2), _mm256_mul_ps(y, y), threeHalves));
        const __m128 m = _mm_loadu_ps(mag + b);
        const __m256 mm = _mm256_set_m128(_mm_unpackhi_ps(m, m), _mm_unpacklo_ps(m, m));
        _mm256_storeu_ps(tp + 2 * b, re);
        _mm256_storeu_ps(r + 2 * b, _mm256_mul_ps(v, _mm256_mul_ps(y, mm)));
    }
    return b;
}
#endif

/// Everything one Griffin-Lim run needs, allocated once; passes over frame ranges then run
/// without allocating. Frame f's analysis window is rebuilt from the (windowed) inverse FFTs
/// of the frames that overlap it, read from the previous pass's buffer, so frames are
/// independent within a pass; the two inverse-FFT buffers alternate between passes.
class GlWorkspace {
public:
    GlWorkspace(const Stft& stft, const Spectrogram& target, std::size_t length, unsigned slots)
        : plans_(detail::plansFor(stft.config().nFft)),
          n_(stft.config().nFft), hop_(stft.config().hop), bins_(stft.bins()),
          frames_(target.frames), length_(length), target_(target), window_(stft.window())
    {
        const std::size_t nn = static_cast<std::size_t>(n_);
        // padded coordinate p = original index + n/2; coef[p] = 1/(n * sum w^2) inside, 0 outside
        const std::size_t padded = static_cast<std::size_t>(frames_ - 1) * hop_ + nn;
        coef_.assign(padded, 0.f);
        const auto invPtr = stft.inverseWindowSum(length);
        const std::vector<float>& inv = *invPtr;
        const std::size_t half = nn / 2;
        for (std::size_t i = 0; i < length && i + half < padded; ++i)
            coef_[i + half] = inv[i] / static_cast<float>(n_);
        tf_[0].reset(static_cast<std::size_t>(frames_) * nn);
        tf_[1].reset(static_cast<std::size_t>(frames_) * nn);
        tprev_.reset(static_cast<std::size_t>(frames_) * bins_);
        angles_.reset(static_cast<std::size_t>(frames_) * bins_);
        err_.assign(static_cast<std::size_t>(frames_), 0.0);
        slots_.resize(slots);
        for (auto& s : slots_) {
            s.real.reset(nn);
            s.spec.reset(static_cast<std::size_t>(bins_));
        }
        overlap_ = (n_ + hop_ - 1) / hop_;  // frames on each side that can overlap a frame
        zeros_.assign(nn, 0.f);
#if MORPH_GL_AVX2
        avx2_ = haveAvx2Fma();
#endif
    }

    cfloat* angles(int f) { return angles_.data() + static_cast<std::size_t>(f) * bins_; }

    /// angles -> S * angles -> windowed inverse FFT into tf[out].
    MORPH_DSP_INLINE void synthesise(int f, int out, unsigned slot)
    {
        Slot& s = slots_[slot];
        const float* __restrict mag = target_.frame(f);
        const float* __restrict a = reinterpret_cast<const float*>(angles(f));
        float* __restrict c = reinterpret_cast<float*>(s.spec.data());
        for (int b = 0; b < bins_; ++b) {
            c[2 * b] = a[2 * b] * mag[b];
            c[2 * b + 1] = a[2 * b + 1] * mag[b];
        }
        inverseAndWindow(f, out, s);
    }

    /// Rebuilds frame f of x = istft(tf[in]) windowed, forward FFT into the slot's spectrum.
    MORPH_DSP_INLINE cfloat* analyse(int f, int in, unsigned slot)
    {
        Slot& s = slots_[slot];
        float* __restrict acc = s.real.data();
        const float* __restrict w = window_.data();
        const float* __restrict coef = coef_.data() + static_cast<std::size_t>(f) * hop_;
        const float* __restrict own = tf_[in].data() + static_cast<std::size_t>(f) * n_;
        if (n_ == 2 * hop_) {  // the usual 50 % overlap: exactly one neighbour on each half
            const float* __restrict prev = f > 0 ? own - n_ + hop_ : zeros_.data();
            const float* __restrict next = f + 1 < frames_ ? own + n_ - hop_ : zeros_.data();
            for (int j = 0; j < hop_; ++j)
                acc[j] = (own[j] + prev[j]) * (w[j] * coef[j]);
            for (int j = hop_; j < n_; ++j)
                acc[j] = (own[j] + next[j]) * (w[j] * coef[j]);
            cfloat* spec = s.spec.data();
            plans_.r2c(acc, spec);
            return spec;
        }
        std::copy(own, own + n_, acc);
        const int g0 = std::max(0, f - overlap_ + 1), g1 = std::min(frames_ - 1, f + overlap_ - 1);
        for (int g = g0; g <= g1; ++g) {
            if (g == f)
                continue;
            const int d = (g - f) * hop_;  // frame g starts d samples after frame f
            const int j0 = std::max(0, d), j1 = std::min(n_, d + n_);
            const float* __restrict t = tf_[in].data() + static_cast<std::size_t>(g) * n_ - d;
            for (int j = j0; j < j1; ++j)
                acc[j] += t[j];
        }
        for (int j = 0; j < n_; ++j)
            acc[j] *= w[j] * coef[j];
        cfloat* spec = s.spec.data();
        plans_.r2c(acc, spec);
        return spec;
    }

    /// Squared magnitude error of frame f against the spectrum `spec`.
    MORPH_DSP_INLINE void recordError(int f, const cfloat* spec)
    {
        const float* __restrict mag = target_.frame(f);
        const float* __restrict r = reinterpret_cast<const float*>(spec);
        float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        int b = 0;
        for (; b + 8 <= bins_; b += 8) {
            for (int l = 0; l < 8; ++l) {
                const float re = r[2 * (b + l)], im = r[2 * (b + l) + 1];
                const float d = mag[b + l] - std::sqrt(re * re + im * im);
                lanes[l] += d * d;
            }
        }
        double e = 0.0;
        for (; b < bins_; ++b) {
            const float re = r[2 * b], im = r[2 * b + 1];
            const float d = mag[b] - std::sqrt(re * re + im * im);
            e += static_cast<double>(d) * d;
        }
        for (float l : lanes)
            e += l;
        err_[static_cast<std::size_t>(f)] = e;
    }

    /// One fast Griffin-Lim iteration for frame f.
    MORPH_DSP_INLINE void iterate(int f, int in, int out, unsigned slot, float k, bool first, bool error,
                                  bool keep)
    {
        Slot& s = slots_[slot];
        cfloat* rebuilt = analyse(f, in, slot);
        if (error)
            recordError(f, rebuilt);
        float* __restrict r = reinterpret_cast<float*>(rebuilt);
        float* __restrict tp = reinterpret_cast<float*>(tprev_.data() + static_cast<std::size_t>(f) * bins_);
        float* __restrict a = reinterpret_cast<float*>(angles(f));
        const float* __restrict mag = target_.frame(f);
        const float kk = first ? 0.f : k;  // tprev starts at 0
        // The spectrum buffer is reused in place for S * angles (the inverse FFT's input). The
        // phase itself is only kept after the last iteration (less memory traffic).
        if (keep) {
            for (int b = 0; b < bins_; ++b) {
                const float re = r[2 * b], im = r[2 * b + 1];
                const float vr = re - kk * tp[2 * b], vi = im - kk * tp[2 * b + 1];
                const float inv = 1.f / (std::sqrt(vr * vr + vi * vi) + 1e-16f);
                const float ar = vr * inv, ai = vi * inv;
                tp[2 * b] = re;
                tp[2 * b + 1] = im;
                a[2 * b] = ar;
                a[2 * b + 1] = ai;
                r[2 * b] = ar * mag[b];
                r[2 * b + 1] = ai * mag[b];
            }
        } else {
            int b = 0;
#if MORPH_GL_AVX2
            if (avx2_)
                b = updateAvx2(r, tp, mag, bins_, kk);
#endif
            for (; b < bins_; ++b) {
                const float re = r[2 * b], im = r[2 * b + 1];
                const float vr = re - kk * tp[2 * b], vi = im - kk * tp[2 * b + 1];
                const float scale = mag[b] / (std::sqrt(vr * vr + vi * vi) + 1e-16f);
                tp[2 * b] = re;
                tp[2 * b + 1] = im;
                r[2 * b] = vr * scale;
                r[2 * b + 1] = vi * scale;
            }
        }
        inverseAndWindow(f, out, s);
    }

    /// Final pass: rebuild frame f of the output and record its error only.
    MORPH_DSP_INLINE void measure(int f, int in, unsigned slot) { recordError(f, analyse(f, in, slot)); }

    /// The output samples owned by frame f ([f*hop, (f+1)*hop) in padded coordinates; the last
    /// frame owns the tail), overlap-added from tf[in].
    MORPH_DSP_INLINE void writeAudio(int f, int in, float* audio)
    {
        const long long half = n_ / 2;
        const long long p0 = static_cast<long long>(f) * hop_;
        const long long p1 = f == frames_ - 1 ? static_cast<long long>(coef_.size()) : p0 + hop_;
        const long long i0 = std::max<long long>(p0 - half, 0);
        const long long i1 = std::min<long long>(p1 - half, static_cast<long long>(length_));
        for (long long i = i0; i < i1; ++i) {
            const long long p = i + half;
            float s = 0.f;
            const int g0 = p < n_ ? 0 : static_cast<int>((p - n_) / hop_ + 1);  // first g with g*hop > p-n
            const int g1 = static_cast<int>(std::min<long long>(frames_ - 1, p / hop_));
            for (int g = g0; g <= g1; ++g)
                s += tf_[in][static_cast<std::size_t>(g) * n_ + static_cast<std::size_t>(p - static_cast<long long>(g) * hop_)];
            audio[i] = s * coef_[static_cast<std::size_t>(p)];
        }
    }

    double totalError() const
    {
        double e = 0.0;
        for (double v : err_)
            e += v;
        return e;
    }

private:
    struct Slot {
        AlignedBuffer<float> real;
        AlignedBuffer<cfloat> spec;
    };

    /// c2r of the slot's spectrum (destroyed) into tf[out] row f, times the window.
    MORPH_DSP_INLINE void inverseAndWindow(int f, int out, Slot& s)
    {
        float* __restrict t = tf_[out].data() + static_cast<std::size_t>(f) * n_;
        plans_.c2r(s.spec.data(), t);
        const float* __restrict w = window_.data();
        for (int j = 0; j < n_; ++j)
            t[j] *= w[j];
    }

    const detail::RealFftPlans& plans_;
    int n_, hop_, bins_, frames_;
    std::size_t length_;
    const Spectrogram& target_;
    const std::vector<float>& window_;
    std::vector<float> coef_;
    AlignedBuffer<float> tf_[2];
    AlignedBuffer<cfloat> tprev_, angles_;
    std::vector<double> err_;
    std::vector<Slot> slots_;
    std::vector<float> zeros_;  // stands in for the missing neighbour of the edge frames
    int overlap_ = 2;
    bool avx2_ = false;
};

/// Runs the stages of one Griffin-Lim run (0: initial synthesis, 1..iterations: updates,
/// iterations + 1: final audio) over blocks of frames. Every participating thread claims blocks
/// of the current stage from an atomic counter, and moves on once the stage's last block is
/// done (frames of a stage read the previous stage's inverse FFTs, so stages are ordered).
/// One pool call per run instead of one per iteration, and a thread the OS has not yet woken
/// up costs nothing: the others claim its share, and it later passes through finished stages.
class StageSchedule {
public:
    StageSchedule(int frames, int iterations, int blockFrames)
        : frames_(frames), blockFrames_(blockFrames), blocks_((frames + blockFrames - 1) / blockFrames),
          finish_(iterations + 1), claimed_(new std::atomic<int>[iterations + 2]()),
          done_(new std::atomic<int>[iterations + 2]()), complete_(new std::atomic<int>[iterations + 2]()),
          stop_(static_cast<std::size_t>(iterations + 2), 0)
    {
    }

    int finishStage() const { return finish_; }

    /// body(stage, f0, f1, slot) processes frames [f0, f1) of a stage; afterStage(stage) runs
    /// once per stage, on the thread that completes it, and returns true to stop iterating.
    template <typename Body, typename After>
    void participate(unsigned slot, const Body& body, const After& afterStage)
    {
        int stage = 0;
        for (;;) {
            for (int b = claimed_[stage].fetch_add(1, std::memory_order_relaxed); b < blocks_;
                 b = claimed_[stage].fetch_add(1, std::memory_order_relaxed)) {
                const int f0 = b * blockFrames_, f1 = std::min(frames_, f0 + blockFrames_);
                body(stage, f0, f1, slot);
                if (done_[stage].fetch_add(1, std::memory_order_acq_rel) + 1 == blocks_) {
                    stop_[static_cast<std::size_t>(stage)] = afterStage(stage) ? 1 : 0;
                    complete_[stage].store(1, std::memory_order_release);
                }
            }
            waitComplete(stage);
            if (stage == finish_)
                return;
            stage = stop_[static_cast<std::size_t>(stage)] || stage + 1 == finish_ ? finish_ : stage + 1;
        }
    }

private:
    void waitComplete(int stage)
    {
        for (int spins = 0; !complete_[stage].load(std::memory_order_acquire); ++spins) {
            if (spins < 2000) {
#if defined(__x86_64__) || defined(__i386__)
                __builtin_ia32_pause();
#endif
            } else {
                std::this_thread::yield();  // the other thread was preempted: let it run
            }
        }
    }

    int frames_, blockFrames_, blocks_, finish_;
    std::unique_ptr<std::atomic<int>[]> claimed_, done_, complete_;
    std::vector<char> stop_;  // written before complete_ is released
};

MORPH_DSP_HOT void synthesiseRange(GlWorkspace& ws, int f0, int f1, int out, unsigned slot)
{
    for (int f = f0; f < f1; ++f)
        ws.synthesise(f, out, slot);
}

MORPH_DSP_HOT void iterateRange(GlWorkspace& ws, int f0, int f1, int in, int out, unsigned slot, float k,
                                bool first, bool error, bool keep)
{
    for (int f = f0; f < f1; ++f)
        ws.iterate(f, in, out, slot, k, first, error, keep);
}

MORPH_DSP_HOT void finishRange(GlWorkspace& ws, int f0, int f1, int in, unsigned slot, float* audio)
{
    for (int f = f0; f < f1; ++f) {
        ws.writeAudio(f, in, audio);
        ws.measure(f, in, slot);
    }
}

/// exp(2 pi i k / 4096), k = 0..4095: random phases without a sin/cos per bin.
const std::vector<cfloat>& unitCircle()
{
    static const std::vector<cfloat> table = [] {
        std::vector<cfloat> t(4096);
        for (std::size_t k = 0; k < t.size(); ++k) {
            const double ph = 6.283185307179586476925 * static_cast<double>(k) / 4096.0;
            t[k] = cfloat(static_cast<float>(std::cos(ph)), static_cast<float>(std::sin(ph)));
        }
        return t;
    }();
    return table;
}

double sumOfSquares(const Spectrogram& s)
{
    double e = 0.0;
    for (float v : s.values)
        e += static_cast<double>(v) * v;
    return e;
}

} // namespace

GriffinLim::GriffinLim(StftConfig config) : stft_(config) {}

GriffinLimResult GriffinLim::run(const Spectrogram& target, std::size_t length, const GriffinLimOptions& opt) const
{
    const int bins = stft_.bins();
    const int frames = stft_.frameCount(length);
    if (target.bins != bins || target.frames != frames)
        throw ConfigError("Griffin-Lim: target is " + std::to_string(target.bins) + " bins x " +
                          std::to_string(target.frames) + " frames, but a " + std::to_string(length) +
                          "-sample signal needs " + std::to_string(bins) + " x " + std::to_string(frames));
    if (opt.iterations < 0)
        throw ConfigError("Griffin-Lim: iterations must be >= 0");
    using Init = GriffinLimOptions::Init;
    if (opt.init == Init::Given &&
        (!opt.initial || opt.initial->bins != bins || opt.initial->frames != frames))
        throw ConfigError("Griffin-Lim: warm start needs an initial spectrogram of " +
                          std::to_string(bins) + " x " + std::to_string(frames));

    unsigned slots = opt.parallel ? ThreadPool::shared().threadCount() : 1u;
    slots = std::max(1u, std::min<unsigned>(slots, static_cast<unsigned>(frames)));
    GlWorkspace ws(stft_, target, length, slots);

    // Initial phase.
    if (opt.init == Init::Random) {
        const auto& table = unitCircle();
        std::uint64_t state = 0x9E3779B97F4A7C15ull ^ (static_cast<std::uint64_t>(opt.seed) * 0xD1B54A32D192ED03ull);
        for (int f = 0; f < frames; ++f) {
            cfloat* a = ws.angles(f);
            for (int b = 0; b < bins; ++b) {
                state ^= state << 13;  // xorshift64
                state ^= state >> 7;
                state ^= state << 17;
                a[b] = table[static_cast<std::size_t>(state >> 52)];  // top 12 bits
            }
        }
    } else {
        for (int f = 0; f < frames; ++f) {
            cfloat* a = ws.angles(f);
            for (int b = 0; b < bins; ++b) {
                cfloat v(1.f, 0.f);
                if (opt.init == Init::Given) {
                    const cfloat g = opt.initial->frame(f)[b];
                    const float m = std::abs(g);
                    if (m > 0.f)
                        v = g / m;
                }
                a[b] = v;
            }
        }
    }

    const double targetNorm = std::sqrt(sumOfSquares(target));
    const auto convergence = [&](double err) {
        return targetNorm > 0.0 ? static_cast<float>(std::sqrt(err) / targetNorm)
                                : static_cast<float>(std::sqrt(err));
    };

    GriffinLimResult result;
    const bool track = opt.recordHistory || opt.stopAtConvergence > 0.f;
    if (track)
        result.convergenceHistory.reserve(static_cast<std::size_t>(opt.iterations));
    const float k = opt.momentum / (1.f + opt.momentum);
    result.audio.assign(length, 0.f);
    float* audio = result.audio.data();
    // stage s (1..iterations) reads the inverse FFTs of buffer (s-1)%2 and writes buffer s%2
    StageSchedule schedule(frames, opt.iterations, kBlockFrames);
    const int finish = schedule.finishStage();
    std::vector<float> history(static_cast<std::size_t>(opt.iterations + 2), 0.f);
    int lastIteration = opt.iterations;
    const auto body = [&](int stage, int f0, int f1, unsigned slot) {
        if (stage == 0) {
            synthesiseRange(ws, f0, f1, 0, slot);
        } else if (stage == finish) {
            finishRange(ws, f0, f1, lastIteration % 2, slot, audio);
        } else {
            // the final phase is stored by the last iteration (any may be the last when
            // stopping early)
            const bool keep = opt.stopAtConvergence > 0.f || stage == opt.iterations;
            iterateRange(ws, f0, f1, (stage - 1) % 2, stage % 2, slot, k, stage == 1, track, keep);
        }
    };
    bool cancelled = false;  // written by afterStage, read after the pool call
    const auto afterStage = [&](int stage) {
        if (stage == finish)
            return false;
        if (opt.cancel && opt.cancel->isCancelled()) {
            cancelled = true;
            lastIteration = stage;
            return true;
        }
        if (stage == 0 || !track)
            return false;
        const float sc = convergence(ws.totalError());
        history[static_cast<std::size_t>(stage)] = sc;
        const bool stop = opt.stopAtConvergence > 0.f && sc <= opt.stopAtConvergence;
        if (stop || stage == opt.iterations)
            lastIteration = stage;
        return stop;
    };
    if (slots <= 1) {
        schedule.participate(0, body, afterStage);
    } else {
        ThreadPool::shared().parallelFor(slots, [&](std::size_t begin, std::size_t end) {
            for (std::size_t s = begin; s < end; ++s)
                schedule.participate(static_cast<unsigned>(s), body, afterStage);
        });
    }
    if (cancelled)
        throw CancelledError("Griffin-Lim cancelled after " + std::to_string(lastIteration) + " iterations");
    result.iterationsRun = lastIteration;
    if (track)
        result.convergenceHistory.assign(history.begin() + 1, history.begin() + 1 + lastIteration);

    result.spectralConvergence = convergence(ws.totalError());
    result.estimate = ComplexSpectrogram(bins, frames);
    for (int f = 0; f < frames; ++f) {
        const cfloat* a = ws.angles(f);
        const float* m = target.frame(f);
        cfloat* e = result.estimate.frame(f);
        for (int b = 0; b < bins; ++b)
            e[b] = a[b] * m[b];
    }
    return result;
}

std::vector<GriffinLimResult> GriffinLim::runBatch(const std::vector<const Spectrogram*>& targets,
                                                   const std::vector<std::size_t>& lengths,
                                                   const GriffinLimOptions& opt,
                                                   const std::vector<const ComplexSpectrogram*>& initials) const
{
    if (targets.size() != lengths.size())
        throw ConfigError("Griffin-Lim batch: " + std::to_string(targets.size()) + " targets but " +
                          std::to_string(lengths.size()) + " lengths");
    if (!initials.empty() && initials.size() != targets.size())
        throw ConfigError("Griffin-Lim batch: initials must be empty or one per target");
    std::vector<GriffinLimResult> results(targets.size());
    std::atomic<std::size_t> next{0};
    const unsigned workers = ThreadPool::shared().threadCount();
    ThreadPool::shared().parallelFor(std::min<std::size_t>(workers, targets.size()),
                                     [&](std::size_t begin, std::size_t end) {
        for (std::size_t w = begin; w < end; ++w) {
            for (std::size_t i = next++; i < targets.size(); i = next++) {
                GriffinLimOptions o = opt;
                o.parallel = false;
                if (!initials.empty() && initials[i]) {
                    o.initial = initials[i];
                    o.init = GriffinLimOptions::Init::Given;
                }
                results[i] = run(*targets[i], lengths[i], o);
            }
        }
    });
    return results;
}

float spectralConvergence(const Spectrogram& target, const ComplexSpectrogram& x)
{
    if (target.bins != x.bins || target.frames != x.frames)
        throw ConfigError("spectral convergence: shapes differ");
    double err = 0.0, norm = 0.0;
    for (std::size_t i = 0; i < target.values.size(); ++i) {
        const double d = static_cast<double>(target.values[i]) - std::abs(x.values[i]);
        err += d * d;
        norm += static_cast<double>(target.values[i]) * target.values[i];
    }
    return norm > 0.0 ? static_cast<float>(std::sqrt(err / norm)) : static_cast<float>(std::sqrt(err));
}

} // namespace morph::dsp
