#pragma once
// Log-magnitude scale of METHOD §2: dB = 20*log10(max(|X|, amin) / ref), clipped below at
// -topDb (relative to ref, so with ref = the note's maximum the values lie in [-topDb, 0]).
// dbToAmplitude is the exact inverse for every value above the clip: ref * 10^(dB/20).
// Thread contract: pure functions, callable from any thread.
#include "dsp/Spectrogram.h"

namespace morph::dsp {

struct DbScale {
    float amin = 1e-5f;
    float topDb = 80.f;
};

/// Largest value (0 for an empty spectrogram).
float maxValue(const Spectrogram&);
/// ref is floored at amin so a silent reference never divides by zero.
Spectrogram amplitudeToDb(const Spectrogram& mag, float ref, DbScale = {});
Spectrogram dbToAmplitude(const Spectrogram& db, float ref);
/// In-place variants (no allocation), same formulas.
void amplitudeToDbInPlace(Spectrogram& magToDb, float ref, DbScale = {});
void dbToAmplitudeInPlace(Spectrogram& dbToMag, float ref);

} // namespace morph::dsp
