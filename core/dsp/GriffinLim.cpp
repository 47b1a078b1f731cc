#include "dsp/GriffinLim.h"

#include "dsp/FftPlan.h"
#include "util/Errors.h"
#include "util/ThreadPool.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>
#include <string>

namespace morph::dsp {

using detail::AlignedBuffer;
using cfloat = std::complex<float>;

namespace {

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
        const std::vector<float> inv = stft.inverseWindowSum(length);
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
    }

    cfloat* angles(int f) { return angles_.data() + static_cast<std::size_t>(f) * bins_; }
    double frameError(int f) const { return err_[static_cast<std::size_t>(f)]; }

    /// angles -> S * angles -> windowed inverse FFT into tf[out].
    void synthesise(int f, int out, unsigned slot)
    {
        Slot& s = slots_[slot];
        const float* mag = target_.frame(f);
        const cfloat* a = angles(f);
        cfloat* c = s.spec.data();
        for (int b = 0; b < bins_; ++b)
            c[b] = a[b] * mag[b];
        float* t = tf_[out].data() + static_cast<std::size_t>(f) * n_;
        plans_.c2r(c, t);
        const float* w = window_.data();
        for (int j = 0; j < n_; ++j)
            t[j] *= w[j];
    }

    /// Rebuilds frame f of x = istft(tf[in]) windowed, forward FFT into the slot's spectrum;
    /// records the frame's squared magnitude error. Returns the spectrum.
    cfloat* analyse(int f, int in, unsigned slot)
    {
        Slot& s = slots_[slot];
        float* acc = s.real.data();
        std::fill(acc, acc + n_, 0.f);
        const int g0 = std::max(0, f - overlap_ + 1), g1 = std::min(frames_ - 1, f + overlap_ - 1);
        for (int g = g0; g <= g1; ++g) {
            const int d = (g - f) * hop_;  // frame g starts d samples after frame f
            const int j0 = std::max(0, d), j1 = std::min(n_, d + n_);
            const float* t = tf_[in].data() + static_cast<std::size_t>(g) * n_ - d;
            for (int j = j0; j < j1; ++j)
                acc[j] += t[j];
        }
        const float* w = window_.data();
        const float* coef = coef_.data() + static_cast<std::size_t>(f) * hop_;
        for (int j = 0; j < n_; ++j)
            acc[j] *= w[j] * coef[j];
        cfloat* spec = s.spec.data();
        plans_.r2c(acc, spec);
        const float* mag = target_.frame(f);
        double e = 0.0;
        for (int b = 0; b < bins_; ++b) {
            const float diff = mag[b] - std::abs(spec[b]);
            e += static_cast<double>(diff) * diff;
        }
        err_[static_cast<std::size_t>(f)] = e;
        return spec;
    }

    /// One fast Griffin-Lim iteration for frame f.
    void iterate(int f, int in, int out, unsigned slot, float k, bool first)
    {
        cfloat* rebuilt = analyse(f, in, slot);
        cfloat* tp = tprev_.data() + static_cast<std::size_t>(f) * bins_;
        cfloat* a = angles(f);
        for (int b = 0; b < bins_; ++b) {
            const cfloat r = rebuilt[b];
            const cfloat v = first ? r : r - k * tp[b];
            const float norm = std::sqrt(v.real() * v.real() + v.imag() * v.imag()) + 1e-16f;
            a[b] = v / norm;
            tp[b] = r;
        }
        synthesise(f, out, slot);
    }

    /// The output samples owned by frame f ([f*hop, (f+1)*hop) in padded coordinates; the last
    /// frame owns the tail), overlap-added from tf[in].
    void writeAudio(int f, int in, float* audio)
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
    int overlap_ = 2;
};

/// Runs body(frameBegin, frameEnd, slot) over all frames, split into `slots` ranges.
template <typename Body>
void forFrames(int frames, unsigned slots, const Body& body)
{
    if (slots <= 1) {
        body(0, frames, 0u);
        return;
    }
    ThreadPool::shared().parallelFor(slots, [&](std::size_t begin, std::size_t end) {
        for (std::size_t s = begin; s < end; ++s) {
            const int f0 = static_cast<int>(static_cast<long long>(frames) * s / slots);
            const int f1 = static_cast<int>(static_cast<long long>(frames) * (s + 1) / slots);
            body(f0, f1, static_cast<unsigned>(s));
        }
    });
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
        std::mt19937 rng(opt.seed);
        const float twoPi = 6.2831853071795864769f;
        for (int f = 0; f < frames; ++f) {
            cfloat* a = ws.angles(f);
            for (int b = 0; b < bins; ++b) {
                const float u = static_cast<float>(rng() >> 8) * (1.f / 16777216.f);
                a[b] = cfloat(std::cos(twoPi * u), std::sin(twoPi * u));
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
    result.convergenceHistory.reserve(static_cast<std::size_t>(opt.iterations));
    const float k = opt.momentum / (1.f + opt.momentum);
    int cur = 0;
    forFrames(frames, slots, [&](int f0, int f1, unsigned s) {
        for (int f = f0; f < f1; ++f)
            ws.synthesise(f, cur, s);
    });
    int it = 0;
    for (; it < opt.iterations; ++it) {
        const int in = cur, out = 1 - cur;
        const bool first = it == 0;
        forFrames(frames, slots, [&](int f0, int f1, unsigned s) {
            for (int f = f0; f < f1; ++f)
                ws.iterate(f, in, out, s, k, first);
        });
        cur = out;
        const float sc = convergence(ws.totalError());
        result.convergenceHistory.push_back(sc);
        if (opt.stopAtConvergence > 0.f && sc <= opt.stopAtConvergence) {
            ++it;
            break;
        }
    }
    result.iterationsRun = it;

    // Final audio and its convergence.
    result.audio.assign(length, 0.f);
    forFrames(frames, slots, [&](int f0, int f1, unsigned s) {
        for (int f = f0; f < f1; ++f) {
            ws.writeAudio(f, cur, result.audio.data());
            ws.analyse(f, cur, s);
        }
    });
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
