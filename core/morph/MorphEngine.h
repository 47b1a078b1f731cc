#pragma once
// The morph engine (METHOD §5): interpolate embeddings column by column, decode, average the
// overlapping slices, dB -> magnitude with the combined reference, energy correction, phase by
// fast Griffin-Lim (or the original phase for an exact endpoint), peak-limit.
// Thread contract: render() is const and re-entrant: any number of non-real-time threads may
// render at once with one engine (the model and the FFT plans are shared read-only). Never call
// it from the GUI thread (tens of ms) or the audio callback.
#include "dsp/GriffinLim.h"
#include "dsp/Spectrogram.h"
#include "morph/NoteEncoding.h"

#include <memory>
#include <vector>

namespace morph {

class ModelRunner;
namespace dsp { class MelFilterbank; }

enum class InterpolationMode { Linear, Spherical };

struct MorphOptions {
    int griffinLimIterations = 32;
    float momentum = 0.99f;
    bool energyCorrection = true;
    InterpolationMode interpolation = InterpolationMode::Linear;
    bool originalPhaseAtEnds = true;  // t = 0 or 1: ISTFT with the note's own phase
    uint32_t seed = 0;                // Griffin-Lim's random initial phase (cold start)
    float peakLimit = 0.98f;          // output peak never exceeds this (scaled, never clipped)
};

/// Where the time of one render went, in milliseconds.
struct MorphTimings {
    double interpolate = 0, decode = 0, overlapAdd = 0, toMagnitude = 0, griffinLim = 0, finish = 0;
    double total() const { return interpolate + decode + overlapAdd + toMagnitude + griffinLim + finish; }
};

struct MorphRender {
    std::vector<float> weights;       // per note; {1-t, t} for a pair
    std::vector<float> audio;         // 16 kHz (the model's rate), finite, |x| <= peakLimit
    dsp::Spectrogram db;              // decoded spectrogram in dB (model domain), for display
    dsp::Spectrogram magnitude;       // linear magnitudes after energy correction (GL target)
    NoteEmbedding embedding;          // the interpolated embedding matrix
    dsp::ComplexSpectrogram phase;    // final STFT estimate: warm start for a nearby render
    float spectralConvergence = 0.f;  // 0 when the original phase was used
    bool usedOriginalPhase = false;
    float peakGain = 1.f;             // < 1 when the peak limiter scaled the output
    MorphTimings timings;
};

class MorphEngine {
public:
    explicit MorphEngine(std::shared_ptr<const ModelRunner> model);
    ~MorphEngine();

    const ModelRunner& model() const { return *model_; }

    /// Weighted morph of N notes (weights are normalised to sum 1). warmStart: the phase of a
    /// nearby render, used when its shape matches; else a seeded random phase.
    MorphRender render(const std::vector<const EncodedNote*>& notes, std::vector<float> weights,
                       const MorphOptions& options,
                       const dsp::ComplexSpectrogram* warmStart = nullptr) const;

    /// Pair morph at t in [0, 1] (0 = A, 1 = B).
    MorphRender renderPair(const EncodedNote& a, const EncodedNote& b, float t,
                           const MorphOptions& options,
                           const dsp::ComplexSpectrogram* warmStart = nullptr) const;

    /// NSynth-Super style pad: bilinear weights of corners (0,0), (1,0), (0,1), (1,1) at (x, y).
    static std::vector<float> cornerWeights(float x, float y);

private:
    std::shared_ptr<const ModelRunner> model_;
    dsp::GriffinLim griffinLim_;
    dsp::Stft stft_;
    std::unique_ptr<dsp::MelFilterbank> mel_;  // only for mel models
};

} // namespace morph
