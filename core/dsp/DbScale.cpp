#include "dsp/DbScale.h"

#include <algorithm>
#include <cmath>

namespace morph::dsp {

float maxValue(const Spectrogram& s)
{
    if (s.values.empty())
        return 0.f;
    return *std::max_element(s.values.begin(), s.values.end());
}

void amplitudeToDbInPlace(Spectrogram& s, float ref, DbScale scale)
{
    const float amin = scale.amin;
    const float floorDb = -scale.topDb;
    const float logRef = std::log10(std::max(ref, amin));
    for (float& v : s.values)
        v = std::max(20.f * (std::log10(std::max(v, amin)) - logRef), floorDb);
}

void dbToAmplitudeInPlace(Spectrogram& s, float ref)
{
    // ref * 10^(dB/20) = ref * exp(dB * ln(10)/20)
    constexpr float k = 0.11512925464970228f;  // ln(10) / 20
    for (float& v : s.values)
        v = ref * std::exp(v * k);
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
