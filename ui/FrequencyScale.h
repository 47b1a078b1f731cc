#pragma once
// Frequency axes of the spectrogram display (display only; the data stays linear STFT bins):
// linear Hz, logarithmic (log2 Hz) and mel (HTK formula 2595*log10(1+f/700)). The view shows a
// warped axis by resampling the bins into rows evenly spaced on the warped scale.
// Thread contract: pure functions, callable from any thread.
#include <vector>

namespace morph::ui {

enum class FrequencyAxis { Linear, Log, Mel };

const char* frequencyAxisName(FrequencyAxis);

/// Hz -> axis coordinate, and back.
double warpFrequency(FrequencyAxis axis, double hz);
double unwarpFrequency(FrequencyAxis axis, double coordinate);

/// Lowest frequency a log axis shows (0 Hz has no logarithm): the first non-DC bin.
double axisMinimumHz(FrequencyAxis axis, double binHz);

/// Resamples frame-major `values` (frames x bins, bin spacing binHz) into frames x rows, the
/// rows evenly spaced on `axis` between axisMinimumHz and (bins-1)*binHz. Each row takes the
/// maximum of the bins (cells [b-0.5, b+0.5]) its extent touches, so narrow partials stay visible.
/// Output is frame-major too: out[frame * rows + row].
std::vector<float> resampleToAxis(const std::vector<float>& values, int frames, int bins, double binHz,
                                  FrequencyAxis axis, int rows);

/// Tick positions in Hz a human expects on this axis between lo and hi Hz (e.g. 100, 200, 500,
/// 1k, 2k on a log axis), at most about maxTicks of them.
std::vector<double> niceFrequencyTicks(FrequencyAxis axis, double loHz, double hiHz, int maxTicks = 10);

} // namespace morph::ui
