#include "style/StyleTransfer.h"

#include "dataset/AudioFile.h"
#include "dsp/DbScale.h"
#include "dsp/GriffinLim.h"
#include "dsp/Stft.h"
#include "model/TorchCheckpoint.h"
#include "model/TorchRuntime.h"
#include "util/AtomicFile.h"
#include "util/Errors.h"

#include <torch/torch.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <sstream>

namespace morph::style {

namespace {

constexpr double kLbfgsDefaultLearningRate = 1.0;
constexpr double kAdamDefaultLearningRate = 0.05;
constexpr int kLbfgsHistory = 100;
/// L-BFGS stops once an iteration lowers the loss by less than this fraction.
constexpr double kLbfgsStallTolerance = 1e-9;
constexpr float kGriffinLimMomentum = 0.99f;

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

/// Spectrogram (frame-major) -> tensor bins x frames on `device` (a copy).
torch::Tensor toTensor(const dsp::Spectrogram& s, const torch::Device& device)
{
    auto cpu = torch::from_blob(const_cast<float*>(s.values.data()), {s.frames, s.bins}, torch::kFloat32);
    return cpu.t().contiguous().clone().to(device);
}

/// Tensor bins x frames (any device) -> Spectrogram.
dsp::Spectrogram fromTensor(const torch::Tensor& x)
{
    auto cpu = x.detach().to(torch::kCPU, torch::kFloat32).t().contiguous();
    dsp::Spectrogram s(static_cast<int>(x.size(0)), static_cast<int>(x.size(1)));
    std::memcpy(s.values.data(), cpu.data_ptr<float>(), s.values.size() * sizeof(float));
    return s;
}

/// The fixed network whose activations define content and style.
class FeatureNet {
public:
    virtual ~FeatureNet() = default;
    /// x: bins x T -> C x T'.
    virtual torch::Tensor features(const torch::Tensor& x) const = 0;
    virtual int minFrames() const = 0;
};

class RandomConvNet final : public FeatureNet {
public:
    RandomConvNet(int bins, int filters, int kernel, uint64_t seed, const torch::Device& device) : kernel_(kernel)
    {
        // Drawn on the CPU from a private generator: the same weights on every device and run,
        // whatever else used the global generator. Conv1d layout filters x bins x kernel.
        auto generator = at::detail::createCPUGenerator(seed);
        const double stddev = std::sqrt(2.0 / (double(bins + filters) * kernel));
        const auto weight =
            at::randn({filters, bins, kernel}, generator, torch::TensorOptions().dtype(torch::kFloat32)) * stddev;
        // The convolution runs as one matrix product over unfolded frames (faster on the CPU than
        // Conv1d here: 0.34 vs 0.48 s CPU forward + backward, tests/bench/bench_style_transfer):
        // flat[o][k * bins + c] = weight[o][c][k].
        flat_ = weight.permute({0, 2, 1}).reshape({filters, int64_t(kernel) * bins}).contiguous().to(device);
    }
    torch::Tensor features(const torch::Tensor& x) const override
    {
        // cols[t][k * bins + c] = x[c][t + k]
        const int64_t outFrames = x.size(1) - kernel_ + 1;
        const auto cols = x.unfold(1, kernel_, 1).permute({1, 2, 0}).reshape({outFrames, int64_t(kernel_) * x.size(0)});
        return torch::relu(flat_.mm(cols.t()));
    }
    int minFrames() const override { return kernel_; }

private:
    int kernel_;
    torch::Tensor flat_;
};

class EncoderNet final : public FeatureNet {
public:
    explicit EncoderNet(std::shared_ptr<nn::AutoencoderImpl> model) : model_(std::move(model))
    {
        for (auto& p : model_->parameters())
            p.set_requires_grad(false);
        model_->eval();
    }
    torch::Tensor features(const torch::Tensor& x) const override
    {
        const ModelConfig& config = model_->config();
        torch::Tensor slices;
        if (config.arch == Architecture::Frame1d) {
            slices = x.t().reshape({x.size(1), 1, x.size(0)});
        } else {
            // bins x T -> (T-w+1) x 1 x bins x w, slices[s][0][bin][t] = x[bin][s+t] (dsp/Slicing.h)
            slices = x.unfold(1, config.sliceWidth(), 1).permute({1, 0, 2}).unsqueeze(1);
        }
        return model_->encode(slices).t();  // E x slices
    }
    int minFrames() const override { return model_->config().sliceWidth(); }

private:
    std::shared_ptr<nn::AutoencoderImpl> model_;
};

struct Targets {
    torch::Tensor contentFeatures, styleEnergy, styleFrequency;
    torch::Tensor styleFeatures;   // Fs, C x Ts
    torch::Tensor styleGram;       // Fs Fs^T / Ts (direct form only)
    torch::Tensor styleGramNorm2;  // ||Fs^T Fs||^2 / Ts^2 = ||G(Xs)||_F^2, double
    bool identity = false;         // style loss through the T' x T' identity
};

struct LossTensors {
    torch::Tensor total, content, style, energy, frequency;
};

torch::Tensor gram(const torch::Tensor& f)
{
    return f.mm(f.t()) / double(f.size(1));
}

/// ||F F^T / T - Gs||_F^2. With more channels than frames it goes through the identity
///   ||F F^T/T - Fs Fs^T/Ts||^2 = ||F^T F||^2/T^2 - 2 ||F^T Fs||^2/(T Ts) + ||Fs^T Fs||^2/Ts^2
/// (the same value; only T x T and T x Ts matrices, 12x cheaper at 4096 filters, see the bench),
/// summed in double to keep the cancellation harmless.
torch::Tensor styleLoss(const torch::Tensor& f, const Targets& t)
{
    if (!t.identity)
        return (gram(f) - t.styleGram).pow(2).sum();
    const double n = double(f.size(1)), ns = double(t.styleFeatures.size(1));
    const auto self = f.t().mm(f).pow(2).sum().to(torch::kFloat64) / (n * n);
    const auto cross = f.t().mm(t.styleFeatures).pow(2).sum().to(torch::kFloat64) / (n * ns);
    return (self - 2.0 * cross + t.styleGramNorm2).clamp_min(0.0);
}

LossTerms termsOf(const LossTensors& l)
{
    LossTerms t;
    t.total = l.total.item<double>();
    t.content = l.content.item<double>();
    t.style = l.style.item<double>();
    t.energy = l.energy.item<double>();
    t.frequency = l.frequency.item<double>();
    return t;
}

void checkClip(const AudioClip& clip, const char* role)
{
    const std::string what = std::string(role) + " audio '" + clip.name + "'";
    if (clip.samples.empty())
        throw AudioFileError(what + " is empty (no samples): choose a file or note that holds sound");
    if (clip.sampleRate <= 0)
        throw AudioFileError(what + " has an invalid sample rate " + std::to_string(clip.sampleRate));
    for (float v : clip.samples)
        if (!std::isfinite(v))
            throw AudioFileError(what + " holds NaN or infinite samples");
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Names

const char* featureKindName(FeatureKind k) { return k == FeatureKind::Encoder ? "encoder" : "random"; }
const char* optimizerKindName(OptimizerKind k) { return k == OptimizerKind::Adam ? "adam" : "lbfgs"; }
const char* initKindName(InitKind k) { return k == InitKind::Content ? "content" : "noise"; }

FeatureKind parseFeatureKind(const std::string& s)
{
    if (s == "random")
        return FeatureKind::RandomConv;
    if (s == "encoder")
        return FeatureKind::Encoder;
    throw ConfigError("features must be 'random' or 'encoder', got '" + s + "'");
}

OptimizerKind parseOptimizerKind(const std::string& s)
{
    if (s == "lbfgs")
        return OptimizerKind::Lbfgs;
    if (s == "adam")
        return OptimizerKind::Adam;
    throw ConfigError("optimizer must be 'lbfgs' or 'adam', got '" + s + "'");
}

InitKind parseInitKind(const std::string& s)
{
    if (s == "noise")
        return InitKind::Noise;
    if (s == "content")
        return InitKind::Content;
    throw ConfigError("init must be 'noise' or 'content', got '" + s + "'");
}

void StyleTransferOptions::validate() const
{
    auto weight = [](double w, const char* name) {
        if (!std::isfinite(w) || w < 0)
            throw ConfigError(std::string(name) + " must be a finite number >= 0, got " + std::to_string(w));
    };
    weight(contentWeight, "content weight (alpha)");
    weight(styleWeight, "style weight (beta)");
    weight(energyWeight, "energy-envelope weight (gamma)");
    weight(frequencyWeight, "frequency-envelope weight (delta)");
    if (contentWeight + styleWeight + energyWeight + frequencyWeight <= 0)
        throw ConfigError("all loss weights are 0: give at least one term a positive weight");
    if (features == FeatureKind::RandomConv) {
        if (nFft < 16 || nFft % 2 != 0 || nFft > 65536)
            throw ConfigError("nFft must be even and in [16, 65536], got " + std::to_string(nFft));
        if (hop <= 0 || hop > nFft)
            throw ConfigError("hop must be in [1, nFft], got " + std::to_string(hop));
        if (filters < 1 || filters > 65536)
            throw ConfigError("filters must be in [1, 65536], got " + std::to_string(filters));
        if (kernel < 1 || kernel > 1024)
            throw ConfigError("kernel must be in [1, 1024], got " + std::to_string(kernel));
    } else if (checkpoint.empty()) {
        throw ConfigError("encoder features need a checkpoint (--model CKPT)");
    }
    if (iterations < 0 || iterations > 100000)
        throw ConfigError("iterations must be in [0, 100000], got " + std::to_string(iterations));
    if (!std::isfinite(learningRate) || learningRate < 0)
        throw ConfigError("learning rate must be >= 0 (0 = the optimiser's default)");
    if (griffinLimIterations < 0 || griffinLimIterations > 10000)
        throw ConfigError("Griffin-Lim iterations must be in [0, 10000], got " + std::to_string(griffinLimIterations));
    if (!(peakCeiling > 0.f && peakCeiling <= 1.f))
        throw ConfigError("peak ceiling must be in (0, 1]");
    if (threads < 0)
        throw ConfigError("threads must be >= 0");
}

// ---------------------------------------------------------------------------------------------
// StyleTransfer

struct StyleTransfer::Impl {
    StyleTransferOptions options;
    torch::Device device{torch::kCPU};
    dsp::StftConfig stft;
    int sampleRate = 0;                 // 0 = the content's rate
    bool db = false;                    // representation: dB (encoder) or log1p (random)
    dsp::DbScale dbScale;
    std::unique_ptr<FeatureNet> net;

    /// Magnitudes of `samples` and the dB reference (max magnitude, 1 when silent).
    dsp::Spectrogram magnitudes(const std::vector<float>& samples) const
    {
        return dsp::magnitude(dsp::Stft(stft).forward(samples));
    }

    float referenceOf(const dsp::Spectrogram& mag) const
    {
        const float ref = dsp::maxValue(mag);
        return ref < dbScale.amin ? 1.f : ref;
    }

    dsp::Spectrogram represent(const dsp::Spectrogram& mag, float ref) const
    {
        if (db)
            return dsp::amplitudeToDb(mag, ref, dbScale);
        dsp::Spectrogram out = mag;
        for (float& v : out.values)
            v = std::log1p(v);
        return out;
    }

    torch::Tensor clampToRange(const torch::Tensor& x) const
    {
        return db ? x.clamp(-dbScale.topDb, 0.f) : x.clamp_min(0.f);
    }

    LossTensors losses(const torch::Tensor& x, const Targets& t) const
    {
        const auto& o = options;
        LossTensors l;
        const torch::Tensor f = net->features(x);
        l.content = (f - t.contentFeatures).pow(2).sum();
        l.style = styleLoss(f, t);
        l.energy = (x.mean(0) - t.styleEnergy).pow(2).sum();
        l.frequency = (x.mean(1) - t.styleFrequency).pow(2).sum();
        l.total = o.contentWeight * l.content + o.styleWeight * l.style + o.energyWeight * l.energy
                  + o.frequencyWeight * l.frequency;
        return l;
    }

    void checkLength(const AudioClip& clip, std::size_t samples, const char* role) const
    {
        const int frames = 1 + static_cast<int>(samples / std::size_t(stft.hop));
        if (frames < net->minFrames())
            throw AudioFileError(std::string(role) + " audio '" + clip.name + "' is too short: " + std::to_string(samples)
                                 + " samples give " + std::to_string(frames) + " frames, the feature network needs at least "
                                 + std::to_string(net->minFrames()) + " (at least "
                                 + std::to_string((net->minFrames() - 1) * stft.hop) + " samples)");
    }
};

StyleTransfer::StyleTransfer(StyleTransferOptions options) : impl_(std::make_unique<Impl>())
{
    options.validate();
    if (options.threads > 0)
        configureTorchRuntime(options.threads);
    Impl& d = *impl_;
    d.options = std::move(options);
    d.device = nn::resolveDevice(d.options.device);
    if (d.options.features == FeatureKind::Encoder) {
        const nn::LoadedCheckpoint ckpt = nn::readCheckpoint(d.options.checkpoint);
        if (ckpt.config.mel)
            throw ConfigError("checkpoint '" + d.options.checkpoint
                              + "' is a mel model: style transfer needs a log-magnitude checkpoint (its spectrogram "
                                "must be invertible by Griffin-Lim)");
        d.stft = {ckpt.config.nFft, ckpt.config.hop};
        d.sampleRate = ckpt.config.sampleRate;
        d.db = true;
        d.dbScale = {ckpt.config.amin, ckpt.config.topDb};
        d.net = std::make_unique<EncoderNet>(nn::loadModel(ckpt, d.device));
    } else {
        d.stft = {d.options.nFft, d.options.hop};
        d.net = std::make_unique<RandomConvNet>(d.stft.bins(), d.options.filters, d.options.kernel, d.options.seed,
                                                d.device);
    }
}

StyleTransfer::~StyleTransfer() = default;

const StyleTransferOptions& StyleTransfer::options() const { return impl_->options; }
int StyleTransfer::workingSampleRate() const { return impl_->sampleRate; }
int StyleTransfer::bins() const { return impl_->stft.bins(); }
std::string StyleTransfer::device() const { return impl_->device.str(); }

dsp::Spectrogram StyleTransfer::analyse(const std::vector<float>& samples) const
{
    const dsp::Spectrogram mag = impl_->magnitudes(samples);
    return impl_->represent(mag, impl_->referenceOf(mag));
}

LossTerms StyleTransfer::evaluate(const dsp::Spectrogram& x, const dsp::Spectrogram& content,
                                  const dsp::Spectrogram& style) const
{
    torch::NoGradGuard noGrad;
    const Impl& d = *impl_;
    const auto xt = toTensor(x, d.device), ct = toTensor(content, d.device), st = toTensor(style, d.device);
    Targets t;
    t.contentFeatures = d.net->features(ct);
    t.styleFeatures = d.net->features(st);
    t.styleGram = gram(t.styleFeatures);
    t.styleEnergy = torch::tensor(resampleCurve(temporalEnvelope(style), x.frames), torch::kFloat32).to(d.device);
    t.styleFrequency = st.mean(1);
    return termsOf(d.losses(xt, t));
}

double StyleTransfer::relativeGramDistance(const dsp::Spectrogram& a, const dsp::Spectrogram& b) const
{
    torch::NoGradGuard noGrad;
    const auto ga = gram(impl_->net->features(toTensor(a, impl_->device)));
    const auto gb = gram(impl_->net->features(toTensor(b, impl_->device)));
    return (ga - gb).norm().item<double>() / std::max(1e-30, gb.norm().item<double>());
}

double StyleTransfer::relativeFeatureDistance(const dsp::Spectrogram& a, const dsp::Spectrogram& b) const
{
    torch::NoGradGuard noGrad;
    const auto fa = impl_->net->features(toTensor(a, impl_->device));
    const auto fb = impl_->net->features(toTensor(b, impl_->device));
    if (fa.sizes() != fb.sizes())
        throw ConfigError("feature distance needs spectrograms of the same size");
    return (fa - fb).norm().item<double>() / std::max(1e-30, fb.norm().item<double>());
}

StyleTransferResult StyleTransfer::run(const AudioClip& contentClip, const AudioClip& styleClip,
                                       const StyleTransferProgressFn& progress, const CancelToken* cancel) const
{
    const Impl& d = *impl_;
    const StyleTransferOptions& o = d.options;
    checkClip(contentClip, "content");
    checkClip(styleClip, "style");
    auto checkCancel = [&] {
        if (cancel && cancel->isCancelled())
            throw CancelledError("style transfer cancelled");
    };

    StyleTransferResult result;
    result.device = d.device.str();
    result.representation = d.db ? "dB" : "log1p";
    result.nFft = d.stft.nFft;
    result.hop = d.stft.hop;
    result.sampleRate = d.sampleRate > 0 ? d.sampleRate : contentClip.sampleRate;

    // Both sounds at the working rate.
    auto atRate = [&](const AudioClip& clip, const char* role) {
        if (clip.sampleRate == result.sampleRate)
            return clip.samples;
        result.adjustments.push_back(std::string(role) + " '" + clip.name + "': resampled "
                                     + std::to_string(clip.sampleRate) + "->" + std::to_string(result.sampleRate));
        return resampleMono(clip.samples, clip.sampleRate, result.sampleRate);
    };
    const std::vector<float> contentAudio = atRate(contentClip, "content");
    const std::vector<float> styleAudio = atRate(styleClip, "style");
    d.checkLength(contentClip, contentAudio.size(), "content");
    d.checkLength(styleClip, styleAudio.size(), "style");

    const dsp::Spectrogram contentMag = d.magnitudes(contentAudio);
    const float contentRef = d.referenceOf(contentMag);
    result.content = d.represent(contentMag, contentRef);
    result.style = analyse(styleAudio);
    const int bins = result.content.bins, frames = result.content.frames;

    const torch::Tensor content = toTensor(result.content, d.device);
    const torch::Tensor style = toTensor(result.style, d.device);
    Targets targets;
    {
        torch::NoGradGuard noGrad;
        targets.contentFeatures = d.net->features(content);
        targets.styleFeatures = d.net->features(style);
        const int64_t channels = targets.styleFeatures.size(0);
        const int64_t outFrames = targets.contentFeatures.size(1);
        targets.identity = channels > std::max(outFrames, targets.styleFeatures.size(1));
        if (targets.identity) {
            const double ns = double(targets.styleFeatures.size(1));
            targets.styleGramNorm2 =
                targets.styleFeatures.t().mm(targets.styleFeatures).pow(2).sum().to(torch::kFloat64) / (ns * ns);
        } else {
            targets.styleGram = gram(targets.styleFeatures);
        }
        const std::vector<float> envelope = resampleCurve(temporalEnvelope(result.style), frames);
        targets.styleEnergy = torch::tensor(envelope, torch::kFloat32).to(d.device);
        targets.styleFrequency = style.mean(1);
    }

    // Starting point: noise at the content's level and spread, or the content itself.
    torch::Tensor start;
    if (o.init == InitKind::Content) {
        start = content.clone();
    } else {
        auto generator = at::detail::createCPUGenerator(o.seed + 1);
        const auto noise = at::randn({bins, frames}, generator, torch::TensorOptions().dtype(torch::kFloat32));
        const auto mean = content.mean().item<double>(), spread = content.std().item<double>();
        start = d.clampToRange((noise * spread + mean).to(d.device));
    }
    torch::Tensor x = start.clone().set_requires_grad(true);

    auto record = [&](const LossTensors& l) {
        const LossTerms terms = termsOf(l);
        if (!std::isfinite(terms.total))
            throw TrainingError("style transfer diverged at iteration " + std::to_string(result.lossCurve.size())
                                + " (loss " + std::to_string(terms.total) + "): lower the learning rate or the weights");
        result.lossCurve.push_back(terms);
        if (progress)
            progress({static_cast<int>(result.lossCurve.size()) - 1, o.iterations, terms});
    };

    const auto optimiseStart = std::chrono::steady_clock::now();
    if (o.optimizer == OptimizerKind::Lbfgs) {
        torch::optim::LBFGS optimizer(
            {x}, torch::optim::LBFGSOptions(o.learningRate > 0 ? o.learningRate : kLbfgsDefaultLearningRate)
                     .max_iter(1)
                     .history_size(kLbfgsHistory)
                     .line_search_fn("strong_wolfe"));
        // One L-BFGS iteration per step(): the first evaluation of each step is the current
        // iterate's loss (recorded); the line search's trial points are not.
        // Converged: L-BFGS returned without moving (gradient below its tolerance), or a whole
        // iteration did not lower the loss (the line search found no lower point; going on
        // would only repeat up to 25 fruitless evaluations per iteration).
        struct Converged {};
        try {
            for (int i = 0; i < o.iterations; ++i) {
                int evaluations = 0;
                auto closure = [&]() -> torch::Tensor {
                    checkCancel();
                    optimizer.zero_grad();
                    LossTensors l = d.losses(d.clampToRange(x), targets);
                    if (evaluations++ == 0) {
                        const double total = l.total.item<double>();
                        if (i > 0 && total >= result.lossCurve.back().total * (1.0 - kLbfgsStallTolerance))
                            throw Converged{};  // this iterate is the last one (recorded below)
                        record(l);
                    } else if (!std::isfinite(l.total.item<double>())) {
                        throw TrainingError("style transfer diverged in the L-BFGS line search at iteration "
                                            + std::to_string(i));
                    }
                    l.total.backward();
                    return l.total;
                };
                optimizer.step(closure);
                if (evaluations == 1)
                    break;
            }
        } catch (const Converged&) {
            // not an error: fewer iterates than asked for (see the header)
        }
    } else {
        torch::optim::Adam optimizer({x}, torch::optim::AdamOptions(o.learningRate > 0 ? o.learningRate
                                                                                          : kAdamDefaultLearningRate));
        for (int i = 0; i < o.iterations; ++i) {
            checkCancel();
            optimizer.zero_grad();
            LossTensors l = d.losses(d.clampToRange(x), targets);
            record(l);
            l.total.backward();
            optimizer.step();
        }
    }
    checkCancel();
    torch::Tensor finalX;
    {
        torch::NoGradGuard noGrad;
        finalX = d.clampToRange(x.detach());
        record(d.losses(finalX, targets));
    }
    result.optimiseSeconds = seconds(optimiseStart);
    result.output = fromTensor(finalX);

    // Back to magnitudes, then audio.
    dsp::Spectrogram mag = result.output;
    if (d.db) {
        dsp::dbToAmplitudeInPlace(mag, contentRef);
    } else {
        for (float& v : mag.values)
            v = std::expm1(v);
    }
    const auto glStart = std::chrono::steady_clock::now();
    dsp::GriffinLimOptions gl;
    gl.iterations = o.griffinLimIterations;
    gl.momentum = kGriffinLimMomentum;
    gl.seed = static_cast<uint32_t>(o.seed);
    gl.cancel = cancel;
    dsp::GriffinLimResult rebuilt = dsp::GriffinLim(d.stft).run(mag, contentAudio.size(), gl);
    result.griffinLimSeconds = seconds(glStart);
    result.spectralConvergence = rebuilt.spectralConvergence;
    result.audio = std::move(rebuilt.audio);

    float peak = 0.f;
    for (float v : result.audio) {
        if (!std::isfinite(v))
            throw TrainingError("style transfer produced non-finite audio (content '" + contentClip.name + "', style '"
                                + styleClip.name + "')");
        peak = std::max(peak, std::fabs(v));
    }
    if (peak > o.peakCeiling) {
        result.peakGain = o.peakCeiling / peak;
        for (float& v : result.audio)
            v *= result.peakGain;
    }
    return result;
}

// ---------------------------------------------------------------------------------------------
// Envelopes and the loss file

std::vector<float> temporalEnvelope(const dsp::Spectrogram& s)
{
    std::vector<float> out(static_cast<std::size_t>(s.frames), 0.f);
    for (int f = 0; f < s.frames; ++f) {
        double sum = 0;
        const float* row = s.frame(f);
        for (int b = 0; b < s.bins; ++b)
            sum += row[b];
        out[static_cast<std::size_t>(f)] = s.bins > 0 ? float(sum / s.bins) : 0.f;
    }
    return out;
}

std::vector<float> frequencyEnvelope(const dsp::Spectrogram& s)
{
    std::vector<double> sum(static_cast<std::size_t>(s.bins), 0.0);
    for (int f = 0; f < s.frames; ++f) {
        const float* row = s.frame(f);
        for (int b = 0; b < s.bins; ++b)
            sum[static_cast<std::size_t>(b)] += row[b];
    }
    std::vector<float> out(sum.size());
    for (std::size_t b = 0; b < sum.size(); ++b)
        out[b] = s.frames > 0 ? float(sum[b] / s.frames) : 0.f;
    return out;
}

std::vector<float> resampleCurve(const std::vector<float>& curve, int length)
{
    if (length <= 0 || curve.empty())
        return std::vector<float>(static_cast<std::size_t>(std::max(0, length)), 0.f);
    if (static_cast<int>(curve.size()) == length)
        return curve;
    std::vector<float> out(static_cast<std::size_t>(length));
    if (length == 1 || curve.size() == 1) {
        std::fill(out.begin(), out.end(), curve.front());
        return out;
    }
    const double scale = double(curve.size() - 1) / double(length - 1);
    for (int i = 0; i < length; ++i) {
        const double pos = i * scale;
        const std::size_t j = std::min(curve.size() - 2, static_cast<std::size_t>(pos));
        const double frac = pos - double(j);
        out[static_cast<std::size_t>(i)] = float((1 - frac) * curve[j] + frac * curve[j + 1]);
    }
    return out;
}

void writeLossCurveCsv(const std::string& path, const std::vector<LossTerms>& curve)
{
    std::ostringstream out;
    out.precision(9);
    out << "iteration,total,content,style,energy,frequency\n";
    for (std::size_t i = 0; i < curve.size(); ++i) {
        const LossTerms& t = curve[i];
        out << i << ',' << t.total << ',' << t.content << ',' << t.style << ',' << t.energy << ',' << t.frequency
            << '\n';
    }
    writeFileAtomically(path, out.str());
}

} // namespace morph::style
