#include "dsp/DbScale.h"

#include "dsp/FastMath.h"

#include <algorithm>
#include <cmath>

namespace morph::dsp {

float maxValue(const Spectrogram& s)
{
    if (s.values.empty())
        return 0.f;
    return *std::max_element(s.values.begin(), s.values.end());
}

MORPH_DSP_HOT void amplitudeToDbInPlace(Spectrogram& s, float ref, DbScale scale)
{
    const float amin = scale.amin;
    const float floorDb = -scale.topDb;
    // 20 log10(v / ref) = (20 / ln 10) * (ln v - ln ref)
    constexpr float k = 8.6858896380650365f;
    const float lnRef = static_cast<float>(std::log(static_cast<double>(std::max(ref, amin))));
    float* v = s.values.data();
    const std::size_t count = s.values.size();
    for (std::size_t i = 0; i < count; ++i) {
        const float db = k * (detail::fastLn(std::max(v[i], amin)) - lnRef);
        v[i] = db < floorDb ? floorDb : db;
    }
}

void dbToAmplitudeInPlace(Spectrogram& s, float ref)
{
    // ref * 10^(dB/20) = ref * exp(dB * ln(10)/20)
    constexpr float k = 0.11512925464970228f;  // ln(10) / 20
    float* v = s.values.data();
    const std::size_t count = s.values.size();
    for (std::size_t i = 0; i < count; ++i)
        v[i] = ref * detail::fastExp(v[i] * k);
}

Spectrogram amplitudeToDb(const Spectrogram& mag, float ref, DbScale scale)
{
    Spectrogram out = mag;
    amplitudeToDbInPlace(out, ref, scale);
    return out;
}

Spectrogram dbToAmplitude(const Spectrogram& db, float ref)
{
    Spectrogram out = db;
    dbToAmplitudeInPlace(out, ref);
    return out;
}

} // namespace morph::dsp
