#pragma once
// Per-frame energy correction (METHOD §5 step 5): scale each frame of a magnitude spectrogram
// so that its sum of squared magnitudes equals a target (the input note's frame energies, or
// for a morph the average of both notes' frame energies).
// Thread contract: pure functions, callable from any thread.
#include "dsp/Spectrogram.h"

#include <vector>

namespace morph::dsp {

/// Lowest bin at or above `hz` (default 20 Hz). Energies count only bins from here up: some notes
/// carry a large infrasonic offset (e.g. bass_synthetic_098-060-127 wanders at ~1 Hz for seconds
/// after the note has decayed). Counting it makes energy correction spread that inaudible energy
/// over the decoder's broadband floor, which is heard as a -50 dB hiss.
int firstAudibleBin(int sampleRate, int nFft, double hz = 20.0);

/// Sum of squares per frame over bins [firstBin, bins).
std::vector<float> frameEnergies(const Spectrogram& mag, int firstBin = 0);
/// Element-wise mean of two energy curves. Curves of different lengths: the shared frames are
/// averaged, the extra frames of the longer curve are kept as they are.
std::vector<float> averageEnergies(const std::vector<float>& a, const std::vector<float>& b);
/// (1-t) * a + t * b, same length rule as averageEnergies (for morphs at any t).
std::vector<float> blendEnergies(const std::vector<float>& a, const std::vector<float>& b, float t);
/// Scales frame f by sqrt(target[f] / energy(f)), energy measured over bins [firstBin, bins)
/// and the scale applied to every bin. Frames with (near-)zero energy cannot be scaled and are
/// left unchanged; a zero target zeroes the frame. Frames beyond the target's length are left
/// unchanged.
void correctEnergy(Spectrogram& mag, const std::vector<float>& targetEnergies, int firstBin = 0);

} // namespace morph::dsp
