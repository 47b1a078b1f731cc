#include "dsp/Stft.h"

#include "dsp/FastMath.h"
#include "dsp/FftPlan.h"
#include "util/Errors.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <tuple>
#include <string>

namespace morph::dsp {

using detail::AlignedBuffer;

Stft::Stft(StftConfig config) : config_(config)
{
    if (config_.nFft < 4 || config_.nFft % 2 != 0)
        throw ConfigError("STFT size n_fft must be even and >= 4, got " + std::to_string(config_.nFft));
    if (config_.hop <= 0 || config_.hop > config_.nFft)
        throw ConfigError("STFT hop must be in 1.." + std::to_string(config_.nFft) + ", got " +
                          std::to_string(config_.hop));
    const int n = config_.nFft;
    window_.resize(static_cast<std::size_t>(n));
    const double twoPi = 6.283185307179586476925286766559;
    for (int i = 0; i < n; ++i)  // periodic Hann: 0.5 - 0.5 cos(2 pi i / n)
        window_[static_cast<std::size_t>(i)] = static_cast<float>(0.5 - 0.5 * std::cos(twoPi * i / n));
    detail::plansFor(n);  // plan now, not on the first transform
}

int Stft::frameCount(std::size_t samples) const
{
    return 1 + static_cast<int>(samples / static_cast<std::size_t>(config_.hop));
}

ComplexSpectrogram Stft::forward(const float* x, std::size_t len) const
{
    const int n = config_.nFft, hop = config_.hop, half = n / 2;
    const int frames = frameCount(len);
    const int bins = config_.bins();
    ComplexSpectrogram out(bins, frames);
    const auto& plans = detail::plansFor(n);
    AlignedBuffer<float> buf(static_cast<std::size_t>(n));
    AlignedBuffer<std::complex<float>> spec(static_cast<std::size_t>(bins));
    const long long length = static_cast<long long>(len);
    const float* w = window_.data();
    for (int f = 0; f < frames; ++f) {
        // frame f covers original samples [f*hop - half, f*hop + half); outside: zeros
        const long long start = static_cast<long long>(f) * hop - half;
        const int j0 = static_cast<int>(std::clamp<long long>(-start, 0, n));
        const int j1 = static_cast<int>(std::clamp<long long>(length - start, 0, n));
        float* b = buf.data();
        std::fill(b, b + j0, 0.f);
        for (int j = j0; j < j1; ++j)
            b[j] = w[j] * x[start + j];
        std::fill(b + std::max(j0, j1), b + n, 0.f);
        plans.r2c(b, spec.data());
        std::copy(spec.data(), spec.data() + bins, out.frame(f));
    }
    return out;
}

namespace {
struct WindowSumKey {
    int n, hop;
    std::size_t length;
    bool operator<(const WindowSumKey& o) const
    {
        return std::tie(n, hop, length) < std::tie(o.n, o.hop, o.length);
    }
};
} // namespace

std::shared_ptr<const std::vector<float>> Stft::inverseWindowSum(std::size_t len) const
{
    static std::mutex mutex;
    static std::map<WindowSumKey, std::shared_ptr<const std::vector<float>>> cache;
    const WindowSumKey key{config_.nFft, config_.hop, len};
    {
        std::lock_guard lock(mutex);
        auto it = cache.find(key);
        if (it != cache.end())
            return it->second;
    }
    const int n = config_.nFft, hop = config_.hop, half = n / 2;
    const int frames = frameCount(len);
    std::vector<double> sum(len, 0.0);
    const long long length = static_cast<long long>(len);
    for (int f = 0; f < frames; ++f) {
        const long long start = static_cast<long long>(f) * hop - half;
        const int j0 = static_cast<int>(std::clamp<long long>(-start, 0, n));
        const int j1 = static_cast<int>(std::clamp<long long>(length - start, 0, n));
        for (int j = j0; j < j1; ++j) {
            const double wj = window_[static_cast<std::size_t>(j)];
            sum[static_cast<std::size_t>(start + j)] += wj * wj;
        }
    }
    auto inv = std::make_shared<std::vector<float>>(len);
    for (std::size_t i = 0; i < len; ++i)
        (*inv)[i] = static_cast<float>(1.0 / std::max(sum[i], 1e-10));
    std::lock_guard lock(mutex);
    if (cache.size() >= 256)  // many odd lengths: start over rather than grow without bound
        cache.clear();
    cache.emplace(key, inv);
    return inv;
}

std::vector<float> Stft::inverse(const ComplexSpectrogram& spec, std::size_t len) const
{
    const int n = config_.nFft, hop = config_.hop, half = n / 2;
    const int bins = config_.bins();
    if (spec.bins != bins)
        throw ConfigError("ISTFT expects " + std::to_string(bins) + " bins, got " + std::to_string(spec.bins));
    std::vector<float> out(len, 0.f);
    const auto& plans = detail::plansFor(n);
    AlignedBuffer<std::complex<float>> in(static_cast<std::size_t>(bins));
    AlignedBuffer<float> buf(static_cast<std::size_t>(n));
    const long long length = static_cast<long long>(len);
    const float* w = window_.data();
    const float scale = 1.f / static_cast<float>(n);
    for (int f = 0; f < spec.frames; ++f) {
        const long long start = static_cast<long long>(f) * hop - half;
        const int j0 = static_cast<int>(std::clamp<long long>(-start, 0, n));
        const int j1 = static_cast<int>(std::clamp<long long>(length - start, 0, n));
        if (j0 >= j1)
            continue;
        std::copy(spec.frame(f), spec.frame(f) + bins, in.data());
        plans.c2r(in.data(), buf.data());
        float* __restrict o = out.data() + start;
        const float* __restrict b = buf.data();
        for (int j = j0; j < j1; ++j)
            o[j] += w[j] * b[j] * scale;
    }
    const auto invPtr = inverseWindowSum(len);
    const float* inv = invPtr->data();
    float* o = out.data();
    for (std::size_t i = 0; i < len; ++i)
        o[i] *= inv[i];
    return out;
}

namespace {
MORPH_DSP_HOT void magnitudes(const float* __restrict v, float* __restrict o, std::size_t count)
{
    for (std::size_t i = 0; i < count; ++i)
        o[i] = std::sqrt(v[2 * i] * v[2 * i] + v[2 * i + 1] * v[2 * i + 1]);
}
} // namespace

Spectrogram magnitude(const ComplexSpectrogram& x)
{
    Spectrogram m(x.bins, x.frames);
    const std::size_t count = x.values.size();
    magnitudes(reinterpret_cast<const float*>(x.values.data()), m.values.data(), count);
    return m;
}

Spectrogram phase(const ComplexSpectrogram& x)
{
    Spectrogram p(x.bins, x.frames);
    for (std::size_t i = 0; i < x.values.size(); ++i)
        p.values[i] = std::arg(x.values[i]);
    return p;
}

ComplexSpectrogram withMagnitude(const Spectrogram& mag, const ComplexSpectrogram& phaseSource)
{
    if (mag.bins != phaseSource.bins || mag.frames != phaseSource.frames)
        throw ConfigError("withMagnitude: magnitude is " + std::to_string(mag.bins) + "x" +
                          std::to_string(mag.frames) + " but the phase source is " +
                          std::to_string(phaseSource.bins) + "x" + std::to_string(phaseSource.frames));
    ComplexSpectrogram out(mag.bins, mag.frames);
    for (std::size_t i = 0; i < out.values.size(); ++i) {
        const std::complex<float> p = phaseSource.values[i];
        const float a = std::abs(p);
        out.values[i] = a > 0.f ? p * (mag.values[i] / a) : std::complex<float>(mag.values[i], 0.f);
    }
    return out;
}

ComplexSpectrogram fromPolar(const Spectrogram& mag, const Spectrogram& ph)
{
    if (mag.bins != ph.bins || mag.frames != ph.frames)
        throw ConfigError("fromPolar: magnitude and phase shapes differ");
    ComplexSpectrogram out(mag.bins, mag.frames);
    for (std::size_t i = 0; i < out.values.size(); ++i)
        out.values[i] = std::polar(mag.values[i], ph.values[i]);
    return out;
}

} // namespace morph::dsp
