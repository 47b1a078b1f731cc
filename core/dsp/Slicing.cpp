#include "dsp/Slicing.h"

#include "util/Errors.h"

#include <algorithm>
#include <string>

namespace morph::dsp {

std::vector<float> toSlices(const Spectrogram& s, int first, int last, int width)
{
    if (width < 1)
        throw ConfigError("slice width must be >= 1, got " + std::to_string(width));
    first = std::max(first, 0);
    last = std::min(last, s.frames);
    const int count = std::max(0, last - first - width + 1);
    const std::size_t bins = static_cast<std::size_t>(s.bins);
    std::vector<float> out(static_cast<std::size_t>(count) * bins * width);
    for (int i = 0; i < count; ++i) {
        float* slice = out.data() + static_cast<std::size_t>(i) * bins * width;
        for (int t = 0; t < width; ++t) {
            const float* fr = s.frame(first + i + t);
            for (std::size_t b = 0; b < bins; ++b)
                slice[b * width + t] = fr[b];
        }
    }
    return out;
}

std::vector<float> toSlices(const Spectrogram& s, int width)
{
    return toSlices(s, 0, s.frames, width);
}

Spectrogram fromSlices(const float* slices, int count, int bins, int width)
{
    if (width < 1 || bins < 0 || count < 0)
        throw ConfigError("fromSlices: invalid shape");
    if (count == 0)
        return Spectrogram(bins, 0);
    const int frames = count + width - 1;
    Spectrogram out(bins, frames);
    std::vector<int> hits(static_cast<std::size_t>(frames), 0);
    const std::size_t sb = static_cast<std::size_t>(bins);
    for (int i = 0; i < count; ++i) {
        const float* slice = slices + static_cast<std::size_t>(i) * sb * width;
        for (int t = 0; t < width; ++t) {
            float* fr = out.frame(i + t);
            for (std::size_t b = 0; b < sb; ++b)
                fr[b] += slice[b * width + t];
            ++hits[static_cast<std::size_t>(i + t)];
        }
    }
    for (int f = 0; f < frames; ++f) {
        const float inv = 1.f / static_cast<float>(hits[static_cast<std::size_t>(f)]);
        float* fr = out.frame(f);
        for (std::size_t b = 0; b < sb; ++b)
            fr[b] *= inv;
    }
    return out;
}

std::pair<int, int> nonSilentFrames(const Spectrogram& db, float thresholdDb)
{
    int first = -1, last = -1;
    for (int f = 0; f < db.frames; ++f) {
        const float* fr = db.frame(f);
        const float peak = db.bins > 0 ? *std::max_element(fr, fr + db.bins) : thresholdDb;
        if (peak > thresholdDb) {
            if (first < 0)
                first = f;
            last = f;
        }
    }
    if (first < 0)
        return {0, 0};
    return {first, last + 1};
}

} // namespace morph::dsp
