#include "dsp/Energy.h"

#include <algorithm>
#include <cmath>

namespace morph::dsp {

int firstAudibleBin(int sampleRate, int nFft, double hz)
{
    if (sampleRate <= 0 || nFft <= 0)
        return 0;
    return std::max(0, int(std::ceil(hz * nFft / sampleRate)));
}

std::vector<float> frameEnergies(const Spectrogram& mag, int firstBin)
{
    const int first = std::clamp(firstBin, 0, mag.bins);
    std::vector<float> e(static_cast<std::size_t>(mag.frames));
    for (int f = 0; f < mag.frames; ++f) {
        const float* m = mag.frame(f);
        double sum = 0.0;
        for (int b = first; b < mag.bins; ++b)
            sum += static_cast<double>(m[b]) * m[b];
        e[static_cast<std::size_t>(f)] = static_cast<float>(sum);
    }
    return e;
}

std::vector<float> blendEnergies(const std::vector<float>& a, const std::vector<float>& b, float t)
{
    const std::size_t shared = std::min(a.size(), b.size());
    std::vector<float> out = a.size() >= b.size() ? a : b;
    for (std::size_t i = 0; i < shared; ++i)
        out[i] = (1.f - t) * a[i] + t * b[i];
    return out;
}

std::vector<float> averageEnergies(const std::vector<float>& a, const std::vector<float>& b)
{
    return blendEnergies(a, b, 0.5f);
}

void correctEnergy(Spectrogram& mag, const std::vector<float>& target, int firstBin)
{
    const int first = std::clamp(firstBin, 0, mag.bins);
    const int frames = std::min<int>(mag.frames, static_cast<int>(target.size()));
    for (int f = 0; f < frames; ++f) {
        float* m = mag.frame(f);
        double sum = 0.0;
        for (int b = first; b < mag.bins; ++b)
            sum += static_cast<double>(m[b]) * m[b];
        const double want = std::max(0.0, static_cast<double>(target[static_cast<std::size_t>(f)]));
        if (want == 0.0) {
            std::fill(m, m + mag.bins, 0.f);
            continue;
        }
        if (sum < 1e-30)  // nothing to scale: a silent frame stays silent
            continue;
        const float scale = static_cast<float>(std::sqrt(want / sum));
        for (int b = 0; b < mag.bins; ++b)
            m[b] *= scale;
    }
}

} // namespace morph::dsp
