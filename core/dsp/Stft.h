#pragma once
// Short-time Fourier transform (METHOD §2) on FFTW3 single precision.
//  - periodic Hann window of length nFft, hop `hop` (defaults 1024 / 512);
//  - centred frames: the signal is ZERO padded by nFft/2 on both sides (METHOD §2; librosa
//    center=True but with zero instead of reflect padding), frame f covers original samples
//    [f*hop - nFft/2, f*hop + nFft/2); frames = 1 + samples / hop (64000 -> 126 frames);
//  - nFft/2 + 1 bins (513), no normalisation on the forward transform (as librosa/torch);
//  - inverse: weighted overlap-add divided by the summed squared window (floored at 1e-10), so
//    inverse(forward(x), x.size()) == x to float precision for any length.
// FFTW plans are made once per size per process with FFTW_MEASURE (wisdom cached in
// $XDG_CACHE_HOME or ~/.cache/morphstation/fftw3f.wisdom) and shared by every Stft.
//
// Thread contract: a constructed Stft is immutable; forward()/inverse() may be called from any
// number of threads at once (plan creation is mutex-guarded, execution uses FFTW's thread-safe
// new-array interface on per-call buffers). Not for the audio callback (allocates).
#include "dsp/Spectrogram.h"

#include <cstddef>
#include <memory>
#include <vector>

namespace morph::dsp {

struct StftConfig {
    int nFft = 1024;
    int hop = 512;
    int bins() const { return nFft / 2 + 1; }
};

class Stft {
public:
    /// Throws ConfigError unless nFft is even and >= 4 and 0 < hop <= nFft.
    explicit Stft(StftConfig = {});

    const StftConfig& config() const { return config_; }
    int bins() const { return config_.bins(); }
    /// 1 + samples / hop (centred frames).
    int frameCount(std::size_t samples) const;
    /// The periodic Hann window, length nFft.
    const std::vector<float>& window() const { return window_; }

    ComplexSpectrogram forward(const float* x, std::size_t n) const;
    ComplexSpectrogram forward(const std::vector<float>& x) const { return forward(x.data(), x.size()); }
    /// Inverse of forward(); `length` is the original signal length (the output size).
    /// Throws ConfigError if spec.bins != bins().
    std::vector<float> inverse(const ComplexSpectrogram& spec, std::size_t length) const;

    /// 1 / max(sum of squared shifted windows, 1e-10) for each sample of a `length` signal
    /// (the ISTFT normalisation); computed once per (nFft, hop, length) and shared.
    std::shared_ptr<const std::vector<float>> inverseWindowSum(std::size_t length) const;

private:
    StftConfig config_;
    std::vector<float> window_;
};

/// |X| per bin.
Spectrogram magnitude(const ComplexSpectrogram&);
/// Phase of each bin of X.
Spectrogram phase(const ComplexSpectrogram&);
/// mag * exp(i * phase of phaseSource); a zero phaseSource bin gets phase 0. Throws ConfigError
/// on a shape mismatch.
ComplexSpectrogram withMagnitude(const Spectrogram& mag, const ComplexSpectrogram& phaseSource);
/// mag * exp(i * phase) (recombination of a magnitude/phase split).
ComplexSpectrogram fromPolar(const Spectrogram& mag, const Spectrogram& phase);

} // namespace morph::dsp
