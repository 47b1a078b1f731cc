#include "dsp/MelFilterbank.h"

#include "dsp/FastMath.h"
#include "util/Errors.h"
#include "util/ThreadPool.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace morph::dsp {
namespace {
constexpr double kFSp = 200.0 / 3.0;     // Hz per mel below 1 kHz
constexpr double kMinLogHz = 1000.0;
constexpr double kMinLogMel = kMinLogHz / kFSp;  // 15
const double kLogStep = std::log(6.4) / 27.0;

/// Cholesky solve of the symmetric positive definite m x m system A X = B (B: m x k, row-major),
/// in place. A is overwritten. Returns false if A is not positive definite.
bool choleskySolve(std::vector<double>& a, int m, std::vector<double>& b, int k)
{
    for (int j = 0; j < m; ++j) {
        double d = a[j * m + j];
        for (int p = 0; p < j; ++p)
            d -= a[j * m + p] * a[j * m + p];
        if (d <= 0.0)
            return false;
        d = std::sqrt(d);
        a[j * m + j] = d;
        for (int i = j + 1; i < m; ++i) {
            double s = a[i * m + j];
            for (int p = 0; p < j; ++p)
                s -= a[i * m + p] * a[j * m + p];
            a[i * m + j] = s / d;
        }
    }
    for (int c = 0; c < k; ++c) {
        for (int i = 0; i < m; ++i) {  // L y = b
            double s = b[i * k + c];
            for (int p = 0; p < i; ++p)
                s -= a[i * m + p] * b[p * k + c];
            b[i * k + c] = s / a[i * m + i];
        }
        for (int i = m - 1; i >= 0; --i) {  // L^T x = y
            double s = b[i * k + c];
            for (int p = i + 1; p < m; ++p)
                s -= a[p * m + i] * b[p * k + c];
            b[i * k + c] = s / a[i * m + i];
        }
    }
    return true;
}

} // namespace

double hzToMelSlaney(double hz)
{
    if (hz >= kMinLogHz)
        return kMinLogMel + std::log(hz / kMinLogHz) / kLogStep;
    return hz / kFSp;
}

double melToHzSlaney(double mel)
{
    if (mel >= kMinLogMel)
        return kMinLogHz * std::exp(kLogStep * (mel - kMinLogMel));
    return kFSp * mel;
}

MelFilterbank::MelFilterbank(int sampleRate, int nFft, int nMels)
    : sampleRate_(sampleRate), nFft_(nFft), nMels_(nMels)
{
    if (sampleRate <= 0 || nFft < 2 || nFft % 2 != 0 || nMels < 1)
        throw ConfigError("mel filterbank needs sampleRate > 0, even nFft >= 2 and nMels >= 1 (got " +
                          std::to_string(sampleRate) + ", " + std::to_string(nFft) + ", " +
                          std::to_string(nMels) + ")");
    const int nb = bins();
    // librosa.filters.mel: fftfreqs, mel points evenly spaced on the Slaney scale, triangles.
    const double melMin = hzToMelSlaney(0.0), melMax = hzToMelSlaney(sampleRate / 2.0);
    melHz_.resize(static_cast<std::size_t>(nMels + 2));
    for (int i = 0; i < nMels + 2; ++i)
        melHz_[i] = melToHzSlaney(melMin + (melMax - melMin) * i / (nMels + 1));
    start_.assign(nMels, 0);
    end_.assign(nMels, 0);
    w_.assign(nMels, {});
    for (int m = 0; m < nMels; ++m) {
        const double lo = melHz_[m], mid = melHz_[m + 1], hi = melHz_[m + 2];
        const double enorm = 2.0 / (hi - lo);
        std::vector<float> row;
        int first = -1;
        for (int b = 0; b < nb; ++b) {
            const double f = static_cast<double>(sampleRate) * b / nFft;
            const double lower = (f - lo) / (mid - lo);
            const double upper = (hi - f) / (hi - mid);
            const double w = std::max(0.0, std::min(lower, upper)) * enorm;
            const float wf = static_cast<float>(w);
            if (wf > 0.f) {
                if (first < 0)
                    first = b;
                row.resize(static_cast<std::size_t>(b - first + 1), 0.f);
                row.back() = wf;
            }
        }
        start_[m] = first < 0 ? 0 : first;
        end_[m] = first < 0 ? 0 : first + static_cast<int>(row.size());
        w_[m] = std::move(row);
    }

    lo_.assign(static_cast<std::size_t>(nb), 0);
    wLo_.assign(static_cast<std::size_t>(nb), 0.f);
    wHi_.assign(static_cast<std::size_t>(nb), 0.f);
    for (int b = 0; b < nb; ++b) {
        int first = -1, count = 0;
        for (int m = 0; m < nMels; ++m) {
            if (weight(m, b) == 0.f)
                continue;
            if (first < 0)
                first = m;
            ++count;
            if (count > 2 || m > first + 1)  // triangles on increasing points never do this
                throw ConfigError("mel filterbank: bin " + std::to_string(b) + " lies in more than two bands");
        }
        if (first < 0)
            continue;
        lo_[b] = first;
        wLo_[b] = weight(first, b);
        wHi_[b] = weight(first + 1, b);  // 0 when only one band (or first + 1 == nMels)
    }

    // Pseudo-inverse pinv(M) = M^T (M M^T + ridge I)^-1 in double; the ridge (1e-10 of the
    // mean diagonal) only matters if a band were empty.
    const int m = nMels;
    std::vector<double> g(static_cast<std::size_t>(m) * m, 0.0);
    double trace = 0.0;
    for (int i = 0; i < m; ++i)
        for (int j = std::max(0, i - 2); j < std::min(m, i + 3); ++j) {
            double s = 0.0;
            for (int b = std::max(start_[i], start_[j]); b < std::min(end_[i], end_[j]); ++b)
                s += static_cast<double>(w_[i][b - start_[i]]) * w_[j][b - start_[j]];
            g[static_cast<std::size_t>(i) * m + j] = s;
            if (i == j)
                trace += s;
        }
    // Non-neighbouring bands could overlap only for very wide filters: fill them too.
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < m; ++j) {
            if (std::abs(i - j) <= 2)
                continue;
            double s = 0.0;
            for (int b = std::max(start_[i], start_[j]); b < std::min(end_[i], end_[j]); ++b)
                s += static_cast<double>(w_[i][b - start_[i]]) * w_[j][b - start_[j]];
            g[static_cast<std::size_t>(i) * m + j] = s;
        }
    const double ridge = 1e-10 * trace / m + 1e-300;
    for (int i = 0; i < m; ++i)
        g[static_cast<std::size_t>(i) * m + i] += ridge;
    // X = (G)^-1 M  (m x nb); pinv = X^T (nb x m)
    std::vector<double> x(static_cast<std::size_t>(m) * nb, 0.0);
    for (int i = 0; i < m; ++i)
        for (int b = start_[i]; b < end_[i]; ++b)
            x[static_cast<std::size_t>(i) * nb + b] = w_[i][b - start_[i]];
    if (!choleskySolve(g, m, x, nb))
        throw ConfigError("mel filterbank: cannot invert the band Gram matrix (sampleRate " +
                          std::to_string(sampleRate) + ", nFft " + std::to_string(nFft) + ", nMels " +
                          std::to_string(nMels) + ")");
    pinv_.assign(static_cast<std::size_t>(nb) * m, 0.f);  // row i = column i of pinv(M)
    // entries decay away from their band; flush the tiny ones, which would be float denormals
    // (10x slower arithmetic) and contribute nothing
    for (std::size_t i = 0; i < pinv_.size(); ++i)
        pinv_[i] = std::abs(x[i]) < 1e-20 ? 0.f : static_cast<float>(x[i]);

    // ||M||_2^2 by power iteration on M^T M, for the projected-gradient step size.
    std::vector<float> v(static_cast<std::size_t>(nb), 1.f), t(static_cast<std::size_t>(m) + 1);
    double lambda = 1.0;
    for (int it = 0; it < 100; ++it) {
        mulM(v.data(), t.data());
        t[static_cast<std::size_t>(m)] = 0.f;
        mulMt(t.data(), v.data());
        double norm = 0.0;
        for (float e : v)
            norm += static_cast<double>(e) * e;
        norm = std::sqrt(norm);
        if (norm <= 0.0)
            break;
        lambda = norm;
        for (float& e : v)
            e = static_cast<float>(e / norm);
    }
    lipschitz_ = static_cast<float>(lambda * 1.01);
}

float MelFilterbank::weight(int band, int bin) const
{
    if (band < 0 || band >= nMels_ || bin < start_[band] || bin >= end_[band])
        return 0.f;
    return w_[band][bin - start_[band]];
}

MORPH_DSP_HOT void MelFilterbank::mulM(const float* lin, float* mel) const
{
    std::fill(mel, mel + nMels_ + 1, 0.f);
    const int* lo = lo_.data();
    const float* wl = wLo_.data();
    const float* wh = wHi_.data();
    for (int b = 0, nb = bins(); b < nb; ++b) {
        mel[lo[b]] += wl[b] * lin[b];
        mel[lo[b] + 1] += wh[b] * lin[b];
    }
}

MORPH_DSP_HOT void MelFilterbank::mulMt(const float* mel, float* lin) const
{
    const int* lo = lo_.data();
    const float* wl = wLo_.data();
    const float* wh = wHi_.data();
    for (int b = 0, nb = bins(); b < nb; ++b)
        lin[b] = wl[b] * mel[lo[b]] + wh[b] * mel[lo[b] + 1];
}

Spectrogram MelFilterbank::toMel(const Spectrogram& lin) const
{
    if (lin.bins != bins())
        throw ConfigError("mel filterbank expects " + std::to_string(bins()) + " linear bins, got " +
                          std::to_string(lin.bins));
    Spectrogram out(nMels_, lin.frames);
    std::vector<float> pad(static_cast<std::size_t>(nMels_) + 1);
    for (int f = 0; f < lin.frames; ++f) {
        mulM(lin.frame(f), pad.data());
        std::copy(pad.begin(), pad.begin() + nMels_, out.frame(f));
    }
    return out;
}

Spectrogram MelFilterbank::toLinear(const Spectrogram& mel, Inverse method, int nnlsIterations) const
{
    if (mel.bins != nMels_)
        throw ConfigError("mel inverse expects " + std::to_string(nMels_) + " mel bands, got " +
                          std::to_string(mel.bins));
    const int nb = bins();
    Spectrogram out(nb, mel.frames);
    const float step = 1.f / lipschitz_;
    // frames are independent: split them over the pool; scratch per chunk
    ThreadPool::shared().parallelFor(static_cast<std::size_t>(mel.frames), [&](std::size_t begin, std::size_t end) {
        std::vector<float> y(static_cast<std::size_t>(nb)), prev(static_cast<std::size_t>(nb)),
            grad(static_cast<std::size_t>(nb)), resid(static_cast<std::size_t>(nMels_) + 1);
        for (std::size_t fi = begin; fi < end; ++fi) {
            const int f = static_cast<int>(fi);
            const float* m = mel.frame(f);
            float* __restrict x = out.frame(f);
            std::fill(x, x + nb, 0.f);
            for (int i = 0; i < nMels_; ++i) {  // x = pinv(M) m, as a sum of columns
                const float* __restrict col = pinv_.data() + static_cast<std::size_t>(i) * nb;
                const float mi = m[i];
                for (int b = 0; b < nb; ++b)
                    x[b] += col[b] * mi;
            }
            for (int b = 0; b < nb; ++b)
                x[b] = x[b] > 0.f ? x[b] : 0.f;
            if (method != Inverse::Nnls)
                continue;
            // FISTA on 0.5 ||M x - m||^2 subject to x >= 0, from the clamped pseudo-inverse.
            std::copy(x, x + nb, y.begin());
            std::copy(x, x + nb, prev.begin());
            float t = 1.f;
            for (int it = 0; it < nnlsIterations; ++it) {
                mulM(y.data(), resid.data());
                for (int i = 0; i < nMels_; ++i)
                    resid[i] -= m[i];
                resid[static_cast<std::size_t>(nMels_)] = 0.f;
                mulMt(resid.data(), grad.data());
                const float tNext = 0.5f * (1.f + std::sqrt(1.f + 4.f * t * t));
                const float beta = (t - 1.f) / tNext;
                float* __restrict yy = y.data();
                float* __restrict pp = prev.data();
                const float* __restrict g = grad.data();
                for (int b = 0; b < nb; ++b) {
                    const float v = yy[b] - step * g[b];
                    const float xb = v > 0.f ? v : 0.f;
                    yy[b] = xb + beta * (xb - pp[b]);
                    pp[b] = xb;
                }
                t = tNext;
            }
            std::copy(prev.begin(), prev.end(), x);
        }
    });
    return out;
}

} // namespace morph::dsp
