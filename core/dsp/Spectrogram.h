#pragma once
// Spectrogram containers shared by the whole DSP chain (STFT, dB, mel, Griffin-Lim, slicing).
// Storage is FRAME-MAJOR: values[frame * bins + bin], so one frame is contiguous (what an FFT
// produces and consumes) and a note's frames can be split across threads by frame ranges.
// Thread contract: plain value types; concurrent const access is safe, mutation is not.
#include <complex>
#include <cstddef>
#include <vector>

namespace morph::dsp {

struct Spectrogram {
    int bins = 0, frames = 0;
    std::vector<float> values;  // frames * bins, frame-major

    Spectrogram() = default;
    Spectrogram(int bins_, int frames_, float fill = 0.f)
        : bins(bins_), frames(frames_), values(static_cast<std::size_t>(bins_) * frames_, fill) {}

    float* frame(int f) { return values.data() + static_cast<std::size_t>(f) * bins; }
    const float* frame(int f) const { return values.data() + static_cast<std::size_t>(f) * bins; }
    float& at(int f, int bin) { return values[static_cast<std::size_t>(f) * bins + bin]; }
    float at(int f, int bin) const { return values[static_cast<std::size_t>(f) * bins + bin]; }
    bool empty() const { return values.empty(); }
};

struct ComplexSpectrogram {
    int bins = 0, frames = 0;
    std::vector<std::complex<float>> values;  // frames * bins, frame-major

    ComplexSpectrogram() = default;
    ComplexSpectrogram(int bins_, int frames_)
        : bins(bins_), frames(frames_), values(static_cast<std::size_t>(bins_) * frames_) {}

    std::complex<float>* frame(int f) { return values.data() + static_cast<std::size_t>(f) * bins; }
    const std::complex<float>* frame(int f) const
    {
        return values.data() + static_cast<std::size_t>(f) * bins;
    }
    bool empty() const { return values.empty(); }
};

} // namespace morph::dsp
