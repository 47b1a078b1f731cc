#pragma once
// Spectrogram <-> model input slices (METHOD §2): `width` consecutive frames with hop 1, laid
// out as the model input 1 x bins x width:
//   slices[s * bins * width + bin * width + t] = spec.frame(s + t)[bin]
// A 126-frame note gives 124 slices of width 3. fromSlices rebuilds a spectrogram by averaging
// the overlapping frames (METHOD §5 step 3).
// Thread contract: pure functions, callable from any thread.
#include "dsp/Spectrogram.h"

#include <utility>
#include <vector>

namespace morph::dsp {

/// frames - width + 1 slices (none if frames < width).
std::vector<float> toSlices(const Spectrogram&, int width = 3);
/// Slices of the frame range [first, last) only (for trimmed training data).
std::vector<float> toSlices(const Spectrogram&, int first, int last, int width);
/// count slices -> count + width - 1 frames, overlaps averaged.
Spectrogram fromSlices(const float* slices, int count, int bins, int width = 3);
/// [first, last) frames whose loudest bin exceeds thresholdDb; {0, 0} when all are silent.
std::pair<int, int> nonSilentFrames(const Spectrogram& db, float thresholdDb = -60.f);

} // namespace morph::dsp
