#pragma once
// Audio style transfer (METHOD §7; seeds 003 and 004): impose the timbre of a "style" sound on a
// "content" sound by optimising a spectrogram so that its features match the content's features
// and the style's feature statistics.
//
//  1. Both sounds become spectrograms, frequency bins as channels x frames:
//       - random features (default, seed 003): log(1 + |STFT|) with nFft 2048, hop 512;
//       - encoder features: the checkpoint's own pre-processing (its nFft/hop/sample rate, dB
//         relative to the content's maximum magnitude, clipped at -topDb); mel checkpoints are
//         refused (their spectrogram cannot be inverted by Griffin-Lim).
//  2. A fixed feature network maps a spectrogram X (bins x T) to features F (C x T'):
//       - random: one Conv1d over time, bins -> `filters` channels (4096), kernel 11, no padding,
//         no bias, ReLU (computed as one matrix product over unfolded frames); weights N(0, 2 / ((bins + filters) * kernel)) drawn from `seed` on the
//         CPU (the same weights on every device);
//       - encoder: the trained autoencoder's encoder applied to every slice of X; the embedding
//         positions are the channels (C = embedding size), the slices the time axis.
//  3. Losses (seed 003 for content/style, seed 004 for the envelopes), each reported unweighted:
//       content   = sum (F(X) - F(Xc))^2
//       style     = sum (G(X) - G(Xs))^2,     G(X) = F F^T / T'   (Gram matrix; with more
//                   channels than frames computed through the equal T' x T' form
//                   ||F^T F||^2/T'^2 - 2||F^T Fs||^2/(T' Ts) + ||Fs^T Fs||^2/Ts^2, 12x cheaper)
//       energy    = sum_t (e(X)[t] - es[t])^2, e = mean over bins per frame (temporal envelope);
//                   the style's envelope is resampled linearly to the output's frame count
//       frequency = sum_k (f(X)[k] - f(Xs)[k])^2, f = mean over frames per bin (timbral envelope)
//       total     = contentWeight*content + styleWeight*style + energyWeight*energy
//                   + frequencyWeight*frequency
//  4. X starts from noise (at the content's mean level and spread, seeded) or from the content
//     and is optimised for `iterations` steps of L-BFGS (strong Wolfe line search) or Adam.
//  5. X is mapped back to magnitudes (log1p: expm1(max(X, 0)); dB: ref * 10^(clamp(X)/20)),
//     Griffin-Lim (core/dsp) gives audio of the content's length, and the result is scaled down
//     when its peak exceeds `peakCeiling` (it never clips).
// The loss curve holds iterations + 1 entries: entry i is the loss of the i-th iterate (0 = the
// starting point, the last = the returned spectrogram). L-BFGS stops early (fewer entries) once
// it has converged: its gradient is below tolerance, or an iteration lowered the loss by less
// than a relative 1e-9 (its line search found no lower point).
//
// Device: "auto" (CUDA when LibTorch sees it, else CPU), "cpu", "cuda", "cuda:N", like the
// trainer. LibTorch's intra-op thread count is process-wide: `threads` > 0 sets it for the
// process (see model/TorchRuntime.h), 0 leaves it as the application configured it.
//
// Thread contract: construct a StyleTransfer on any non-GUI thread (the encoder variant reads a
// checkpoint). A constructed object is immutable: run(), analyse() and the measures are const
// and may be called from several threads at once (each run has its own tensors; concurrent runs
// share LibTorch's thread pool). run() calls `progress` on the calling thread after every
// iteration and checks `cancel` before every function evaluation (throws CancelledError). Never
// call it on the GUI or the audio thread: it takes seconds to minutes.
#include "dsp/Spectrogram.h"
#include "util/CancelToken.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace morph::style {

enum class FeatureKind { RandomConv, Encoder };
enum class OptimizerKind { Lbfgs, Adam };
enum class InitKind { Noise, Content };

/// "random" / "encoder", "lbfgs" / "adam", "noise" / "content" (parsers throw ConfigError).
const char* featureKindName(FeatureKind);
FeatureKind parseFeatureKind(const std::string&);
const char* optimizerKindName(OptimizerKind);
OptimizerKind parseOptimizerKind(const std::string&);
const char* initKindName(InitKind);
InitKind parseInitKind(const std::string&);

struct StyleTransferOptions {
    // Spectrogram of the random-feature variant (seed 003: n_fft 2048, librosa's hop n_fft/4).
    int nFft = 2048;
    int hop = 512;

    // Feature network.
    FeatureKind features = FeatureKind::RandomConv;
    int filters = 4096;        // random: output channels (seed 003)
    int kernel = 11;           // random: kernel width in frames (seed 003)
    uint64_t seed = 0;         // random weights and the starting noise
    std::string checkpoint;    // encoder: the model file
    std::string device = "auto";

    // Loss weights (alpha, beta, gamma, delta of seed 004; alpha = 1e-2 as in seed 003).
    double contentWeight = 1e-2;
    double styleWeight = 1.0;
    double energyWeight = 0.0;
    double frequencyWeight = 0.0;

    // Optimisation.
    OptimizerKind optimizer = OptimizerKind::Lbfgs;
    int iterations = 300;
    double learningRate = 0;   // 0 = the optimiser's default (L-BFGS 1, Adam 0.05)
    InitKind init = InitKind::Noise;

    // Back to audio.
    int griffinLimIterations = 100;
    float peakCeiling = 0.98f;

    int threads = 0;           // > 0: set LibTorch's (process-wide) intra-op threads

    /// Throws ConfigError naming the first invalid field.
    void validate() const;
};

/// A sound to transfer from or to. `name` (a file or note name) appears in error messages.
struct AudioClip {
    std::vector<float> samples;
    int sampleRate = 16000;
    std::string name;
};

struct LossTerms {
    double total = 0, content = 0, style = 0, energy = 0, frequency = 0;  // unweighted terms
};

struct StyleTransferProgress {
    int iteration = 0;   // index into the loss curve (0 .. iterations)
    int iterations = 0;
    LossTerms loss;
};

struct StyleTransferResult {
    std::vector<float> audio;           // content's length (in samples at sampleRate)
    int sampleRate = 16000;
    int nFft = 2048, hop = 512;         // of the spectrograms below
    /// The representation the loss works on (log1p or dB), bins x frames, frame-major.
    dsp::Spectrogram content, style, output;
    std::vector<LossTerms> lossCurve;   // iterations + 1 entries
    float peakGain = 1.f;               // < 1 when the output was scaled down to peakCeiling
    float spectralConvergence = 0.f;    // of Griffin-Lim
    double optimiseSeconds = 0, griffinLimSeconds = 0;
    std::string device;                 // "cpu" or "cuda:0"
    std::string representation;         // "log1p" or "dB"
    std::vector<std::string> adjustments;  // "style 'x': resampled 44100->16000", ...
};

using StyleTransferProgressFn = std::function<void(const StyleTransferProgress&)>;

class StyleTransfer {
public:
    /// Validates the options, resolves the device, builds the random weights or loads the
    /// checkpoint. Throws ConfigError (options, device) or CheckpointError.
    explicit StyleTransfer(StyleTransferOptions options);
    ~StyleTransfer();
    StyleTransfer(const StyleTransfer&) = delete;
    StyleTransfer& operator=(const StyleTransfer&) = delete;

    const StyleTransferOptions& options() const;
    /// The rate both sounds are brought to (0: the content's own rate, random features).
    int workingSampleRate() const;
    int bins() const;
    std::string device() const;

    /// Throws AudioFileError (empty or too short audio, naming the clip), CancelledError,
    /// TrainingError (the loss became NaN/Inf).
    StyleTransferResult run(const AudioClip& content, const AudioClip& style,
                            const StyleTransferProgressFn& progress = {}, const CancelToken* cancel = nullptr) const;

    /// The representation of `samples` (at the working rate) as run() computes it; for dB the
    /// reference is the clip's own maximum magnitude.
    dsp::Spectrogram analyse(const std::vector<float>& samples) const;
    /// The unweighted loss terms of spectrogram `x` against `content` and `style` (total with the
    /// options' weights), computed directly (4096 x 4096 Gram) as an independent check of run().
    LossTerms evaluate(const dsp::Spectrogram& x, const dsp::Spectrogram& content, const dsp::Spectrogram& style) const;
    /// ||G(a) - G(b)||_F / ||G(b)||_F with this object's feature network.
    double relativeGramDistance(const dsp::Spectrogram& a, const dsp::Spectrogram& b) const;
    /// ||F(a) - F(b)||_F / ||F(b)||_F with this object's feature network.
    double relativeFeatureDistance(const dsp::Spectrogram& a, const dsp::Spectrogram& b) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Mean over bins of each frame (the temporal envelope of seed 004).
std::vector<float> temporalEnvelope(const dsp::Spectrogram&);
/// Mean over frames of each bin (the time-averaged frequency envelope of seed 004).
std::vector<float> frequencyEnvelope(const dsp::Spectrogram&);
/// `curve` resampled linearly to `length` points (end points kept).
std::vector<float> resampleCurve(const std::vector<float>& curve, int length);

/// CSV of a loss curve: "iteration,total,content,style,energy,frequency", written atomically.
/// Throws IoError.
void writeLossCurveCsv(const std::string& path, const std::vector<LossTerms>& curve);

} // namespace morph::style
