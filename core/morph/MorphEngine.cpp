#include "morph/MorphEngine.h"

#include "dsp/DbScale.h"
#include "dsp/Energy.h"
#include "dsp/MelFilterbank.h"
#include "dsp/Slicing.h"
#include "model/ModelRunner.h"
#include "util/Errors.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace morph {
namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point& start)
{
    const auto now = Clock::now();
    const double ms = std::chrono::duration<double, std::milli>(now - start).count();
    start = now;
    return ms;
}

dsp::StftConfig stftOf(const ModelConfig& c)
{
    dsp::StftConfig s;
    s.nFft = c.nFft;
    s.hop = c.hop;
    return s;
}

// Spherical interpolation of one embedding row; falls back to linear for (anti)parallel rows.
void slerpRow(const float* a, const float* b, float t, float* out, int dims)
{
    double dot = 0, na = 0, nb = 0;
    for (int k = 0; k < dims; ++k) {
        dot += double(a[k]) * b[k];
        na += double(a[k]) * a[k];
        nb += double(b[k]) * b[k];
    }
    const double denom = std::sqrt(na * nb);
    const double cosOmega = denom > 0 ? std::clamp(dot / denom, -1.0, 1.0) : 1.0;
    const double omega = std::acos(cosOmega);
    if (omega < 1e-4 || std::abs(std::sin(omega)) < 1e-6) {
        for (int k = 0; k < dims; ++k)
            out[k] = (1.f - t) * a[k] + t * b[k];
        return;
    }
    const double s = std::sin(omega);
    const float wa = float(std::sin((1.0 - t) * omega) / s);
    const float wb = float(std::sin(t * omega) / s);
    for (int k = 0; k < dims; ++k)
        out[k] = wa * a[k] + wb * b[k];
}

} // namespace

MorphEngine::MorphEngine(std::shared_ptr<const ModelRunner> model)
    : model_(std::move(model)), griffinLim_(stftOf(model_->config())), stft_(stftOf(model_->config()))
{
    const ModelConfig& c = model_->config();
    if (c.mel)
        mel_ = std::make_unique<dsp::MelFilterbank>(c.sampleRate, c.nFft, c.inputBins());
}

MorphEngine::~MorphEngine() = default;

std::vector<float> MorphEngine::cornerWeights(float x, float y)
{
    x = std::clamp(x, 0.f, 1.f);
    y = std::clamp(y, 0.f, 1.f);
    return {(1 - x) * (1 - y), x * (1 - y), (1 - x) * y, x * y};
}

MorphRender MorphEngine::renderPair(const EncodedNote& a, const EncodedNote& b, float t,
                                    const MorphOptions& options,
                                    const dsp::ComplexSpectrogram* warmStart) const
{
    t = std::clamp(t, 0.f, 1.f);
    return render({&a, &b}, {1.f - t, t}, options, warmStart);
}

MorphRender MorphEngine::render(const std::vector<const EncodedNote*>& notes, std::vector<float> weights,
                                const MorphOptions& options,
                                const dsp::ComplexSpectrogram* warmStart) const
{
    if (notes.empty() || notes.size() != weights.size())
        throw ConfigError("morph needs one weight per note (" + std::to_string(notes.size()) + " notes, "
                          + std::to_string(weights.size()) + " weights)");
    double weightSum = 0;
    for (float& w : weights) {
        if (!std::isfinite(w) || w < 0.f)
            throw ConfigError("morph weights must be finite and non-negative");
        weightSum += w;
    }
    if (weightSum <= 0)
        throw ConfigError("morph weights must not all be zero");
    for (float& w : weights)
        w = float(w / weightSum);

    const ModelConfig& config = model_->config();
    const int dims = config.embeddingSize();
    const int width = config.sliceWidth();
    int slices = notes.front()->embedding.slices;
    for (const EncodedNote* n : notes) {
        if (n->embedding.dims != dims)
            throw ConfigError("note '" + n->name + "' was encoded by another model (embedding size "
                              + std::to_string(n->embedding.dims) + ", model " + std::to_string(dims) + ")");
        slices = std::min(slices, n->embedding.slices);
    }

    MorphRender out;
    out.weights = weights;
    auto clock = Clock::now();

    // 1. Interpolate the embeddings row by row (one row per slice).
    out.embedding.slices = slices;
    out.embedding.dims = dims;
    out.embedding.values.assign(std::size_t(slices) * dims, 0.f);
    if (options.interpolation == InterpolationMode::Spherical && notes.size() == 2) {
        for (int s = 0; s < slices; ++s)
            slerpRow(&notes[0]->embedding.values[std::size_t(s) * dims],
                     &notes[1]->embedding.values[std::size_t(s) * dims], weights[1],
                     &out.embedding.values[std::size_t(s) * dims], dims);
    } else {
        for (std::size_t i = 0; i < notes.size(); ++i) {
            const float w = weights[i];
            if (w == 0.f)
                continue;
            const float* src = notes[i]->embedding.values.data();
            float* dst = out.embedding.values.data();
            for (std::size_t k = 0; k < out.embedding.values.size(); ++k)
                dst[k] += w * src[k];
        }
    }
    out.timings.interpolate = msSince(clock);

    // 2. Decode every row to a slice.
    const std::vector<float> decoded = model_->decode(out.embedding.values.data(), slices);
    out.timings.decode = msSince(clock);

    // 3. Rebuild the spectrogram by averaging the overlapping frames.
    out.db = dsp::fromSlices(decoded.data(), slices, config.inputBins(), width);
    out.timings.overlapAdd = msSince(clock);

    // 4. dB -> magnitude with the combined (geometric) reference; mel -> linear.
    double logRef = 0;
    for (std::size_t i = 0; i < notes.size(); ++i)
        logRef += weights[i] * std::log(std::max(notes[i]->spectra.ref, 1e-12f));
    dsp::Spectrogram magnitude = dsp::dbToAmplitude(out.db, float(std::exp(logRef)));
    if (mel_)
        magnitude = mel_->toLinear(magnitude);

    // 5. Energy correction toward the weighted frame energies of the inputs.
    if (options.energyCorrection) {
        std::vector<float> target(std::size_t(magnitude.frames), 0.f);
        for (std::size_t i = 0; i < notes.size(); ++i) {
            const auto& e = notes[i]->frameEnergy;
            for (std::size_t f = 0; f < target.size() && f < e.size(); ++f)
                target[f] += weights[i] * e[f];
        }
        dsp::correctEnergy(magnitude, target, dsp::firstAudibleBin(config.sampleRate, config.nFft));
    }
    out.timings.toMagnitude = msSince(clock);

    // 6. Phase: the note's own at an exact endpoint, else fast Griffin-Lim.
    const std::size_t length = notes.front()->spectra.length;
    int endpoint = -1;
    for (std::size_t i = 0; i < notes.size(); ++i)
        if (weights[i] == 1.f)
            endpoint = int(i);
    const EncodedNote* source = endpoint >= 0 ? notes[std::size_t(endpoint)] : nullptr;
    if (options.originalPhaseAtEnds && source && source->spectra.stft.frames == magnitude.frames
        && source->spectra.stft.bins == magnitude.bins) {
        out.phase = dsp::withMagnitude(magnitude, source->spectra.stft);
        out.magnitude = std::move(magnitude);
        out.audio = stft_.inverse(out.phase, length);
        out.usedOriginalPhase = true;
    } else {
        dsp::GriffinLimOptions gl;
        gl.iterations = options.griffinLimIterations;
        gl.momentum = options.momentum;
        gl.seed = options.seed;
        if (warmStart && warmStart->frames == magnitude.frames && warmStart->bins == magnitude.bins) {
            gl.init = dsp::GriffinLimOptions::Init::Given;
            gl.initial = warmStart;
        }
        dsp::GriffinLimResult result = griffinLim_.run(magnitude, length, gl);
        out.magnitude = std::move(magnitude);
        out.audio = std::move(result.audio);
        out.phase = std::move(result.estimate);
        out.spectralConvergence = result.spectralConvergence;
    }
    out.timings.griffinLim = msSince(clock);

    // 7. Finite and peak-limited: scale down, never clip.
    float peak = 0.f;
    for (float& x : out.audio) {
        if (!std::isfinite(x))
            x = 0.f;
        peak = std::max(peak, std::abs(x));
    }
    if (peak > options.peakLimit) {
        out.peakGain = options.peakLimit / peak;
        for (float& x : out.audio)
            x *= out.peakGain;
    }
    out.timings.finish = msSince(clock);
    return out;
}

} // namespace morph
