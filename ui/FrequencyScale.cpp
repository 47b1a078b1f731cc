#include "FrequencyScale.h"

#include <algorithm>
#include <cmath>

namespace morph::ui {

const char* frequencyAxisName(FrequencyAxis axis)
{
    switch (axis) {
    case FrequencyAxis::Linear: return "Linear";
    case FrequencyAxis::Log: return "Log";
    case FrequencyAxis::Mel: return "Mel";
    }
    return "?";
}

double warpFrequency(FrequencyAxis axis, double hz)
{
    switch (axis) {
    case FrequencyAxis::Linear: return hz;
    case FrequencyAxis::Log: return std::log2(std::max(hz, 1e-3));
    case FrequencyAxis::Mel: return 2595.0 * std::log10(1.0 + hz / 700.0);
    }
    return hz;
}

double unwarpFrequency(FrequencyAxis axis, double c)
{
    switch (axis) {
    case FrequencyAxis::Linear: return c;
    case FrequencyAxis::Log: return std::exp2(c);
    case FrequencyAxis::Mel: return 700.0 * (std::pow(10.0, c / 2595.0) - 1.0);
    }
    return c;
}

double axisMinimumHz(FrequencyAxis axis, double binHz) { return axis == FrequencyAxis::Log ? binHz : 0.0; }

std::vector<float> resampleToAxis(const std::vector<float>& values, int frames, int bins, double binHz,
                                  FrequencyAxis axis, int rows)
{
    std::vector<float> out(static_cast<std::size_t>(frames) * rows);
    if (frames <= 0 || bins <= 0 || rows <= 0) return out;
    const double lo = warpFrequency(axis, axisMinimumHz(axis, binHz));
    const double hi = warpFrequency(axis, (bins - 1) * binHz);
    const double step = rows > 1 ? (hi - lo) / (rows - 1) : 0.0;
    // Each bin is a cell [b - 0.5, b + 0.5]; a row takes the maximum of the cells its extent
    // touches. Rows finer than bins repeat a bin (blocky but honest), coarser rows keep narrow
    // partials visible instead of skipping them.
    std::vector<std::pair<int, int>> span(static_cast<std::size_t>(rows));
    for (int r = 0; r < rows; ++r) {
        const double centre = lo + r * step;
        const double bLo = unwarpFrequency(axis, centre - step / 2) / binHz;
        const double bHi = unwarpFrequency(axis, centre + step / 2) / binHz;
        const int first = static_cast<int>(std::clamp(std::lround(bLo), 0L, static_cast<long>(bins - 1)));
        const int last = static_cast<int>(std::clamp(std::lround(bHi), static_cast<long>(first), static_cast<long>(bins - 1)));
        span[static_cast<std::size_t>(r)] = {first, last};
    }
    for (int f = 0; f < frames; ++f) {
        const float* in = values.data() + static_cast<std::size_t>(f) * bins;
        float* o = out.data() + static_cast<std::size_t>(f) * rows;
        for (int r = 0; r < rows; ++r) {
            const auto [first, last] = span[static_cast<std::size_t>(r)];
            o[r] = *std::max_element(in + first, in + last + 1);
        }
    }
    return out;
}

std::vector<double> niceFrequencyTicks(FrequencyAxis axis, double loHz, double hiHz, int maxTicks)
{
    std::vector<double> ticks;
    if (!(hiHz > loHz)) return ticks;
    if (axis == FrequencyAxis::Linear) {
        const double raw = (hiHz - loHz) / std::max(1, maxTicks);
        const double mag = std::pow(10.0, std::floor(std::log10(raw)));
        double step = mag;
        for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
            if (m * mag >= raw) { step = m * mag; break; }
        for (double t = std::ceil(loHz / step) * step; t <= hiHz + 1e-9; t += step) ticks.push_back(t);
        return ticks;
    }
    // Log: a 1-2-5 series per decade. Mel: round values spread the way the mel scale spreads.
    std::vector<double> candidates;
    if (axis == FrequencyAxis::Log) {
        for (double decade = 1.0; decade <= 1e5; decade *= 10.0)
            for (double m : {1.0, 2.0, 5.0}) candidates.push_back(m * decade);
    } else {
        candidates = {0, 250, 500, 1000, 1500, 2000, 3000, 4000, 5000, 6000, 8000, 10000, 12000, 16000, 20000};
    }
    candidates.erase(std::remove_if(candidates.begin(), candidates.end(),
                                    [&](double f) { return f < loHz - 1e-9 || f > hiHz + 1e-9; }),
                     candidates.end());
    int stride = 1;
    while (static_cast<int>(candidates.size()) / stride > maxTicks) ++stride;
    for (std::size_t i = 0; i < candidates.size(); i += stride) ticks.push_back(candidates[i]);
    return ticks;
}

} // namespace morph::ui
