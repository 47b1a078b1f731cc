#include "model/Networks.h"

#include "util/Errors.h"

#include <type_traits>

namespace morph::nn {

namespace F = torch::nn::functional;

AutoencoderImpl::AutoencoderImpl(ModelConfig config) : config_(std::move(config))
{
    normMeanBuffer = register_buffer("norm_mean", torch::zeros({1}));
    normScaleBuffer = register_buffer("norm_scale", torch::ones({1}));
}

void AutoencoderImpl::setNormalisation(double mean, double scale)
{
    if (!(scale > 0))
        throw ConfigError("normalisation scale must be > 0");
    torch::NoGradGuard g;
    normMeanBuffer.fill_(mean);
    normScaleBuffer.fill_(scale);
}

double AutoencoderImpl::normMean() const { return normMeanBuffer.item<double>(); }
double AutoencoderImpl::normScale() const { return normScaleBuffer.item<double>(); }

std::vector<int64_t> AutoencoderImpl::inputShape(int64_t n) const
{
    if (config_.arch == Architecture::Frame1d)
        return {n, 1, config_.inputBins()};
    return {n, 1, config_.inputBins(), config_.sliceWidth()};
}

// ---------------------------------------------------------------------------------------------
// 2D slice autoencoder

SliceAutoencoderImpl::SliceAutoencoderImpl(const ModelConfig& config) : AutoencoderImpl(config)
{
    config_.validate();
    geometry = config_.encoderLayers();
    const int layers = static_cast<int>(geometry.size());
    for (int i = 0; i < layers; ++i) {
        const LayerGeometry& g = geometry[static_cast<std::size_t>(i)];
        auto conv = torch::nn::Conv2d(torch::nn::Conv2dOptions(g.inChannels, g.outChannels, g.kernel)
                                          .stride({g.stride, 1})
                                          .padding({g.padFreq, g.padTime}));
        enc.push_back(register_module("enc" + std::to_string(i + 1), conv));
        if (config_.positionBias)
            encPos.push_back(register_parameter("enc" + std::to_string(i + 1) + "_pos",
                                                torch::zeros({1, g.outChannels, g.outLength, g.outWidth})));
        if (i + 1 < layers)
            encBn.push_back(register_module("enc_bn" + std::to_string(i + 1),
                                            torch::nn::BatchNorm2d(g.outChannels)));
    }
    for (int j = 0; j < layers; ++j) {
        const LayerGeometry& g = geometry[static_cast<std::size_t>(layers - 1 - j)];
        auto deconv = torch::nn::ConvTranspose2d(
            torch::nn::ConvTranspose2dOptions(g.outChannels, g.inChannels, g.kernel)
                .stride({g.stride, 1})
                .padding({g.padFreq, g.padTime})
                .output_padding({g.outputPadding, 0}));
        dec.push_back(register_module("dec" + std::to_string(j + 1), deconv));
        if (config_.positionBias)
            decPos.push_back(register_parameter("dec" + std::to_string(j + 1) + "_pos",
                                                torch::zeros({1, g.inChannels, g.inLength, g.inWidth})));
        if (j + 1 < layers)
            decBn.push_back(register_module("dec_bn" + std::to_string(j + 1),
                                            torch::nn::BatchNorm2d(g.inChannels)));
    }
}

torch::Tensor SliceAutoencoderImpl::encode(torch::Tensor x)
{
    x = normalise(x.reshape({-1, 1, config_.inputBins(), config_.sliceWidth()}));
    for (std::size_t i = 0; i < enc.size(); ++i) {
        x = enc[i]->forward(x);
        if (!encPos.empty())
            x = x + encPos[i];
        if (i < encBn.size())
            x = encBn[i]->forward(torch::relu(x));
    }
    return x.reshape({x.size(0), -1});
}

namespace {

/// ConvTranspose2d computed as the equivalent Conv2d (same parameters, same result within float
/// rounding, gradients included): on the CPU LibTorch runs ConvTranspose through a slow GEMM
/// path, while Conv2d goes to oneDNN. A training step of the single 8-16-16-16 model took
/// 100-112 ms instead of 183-188 ms (batch 32, one thread). Stride s along frequency: insert s-1
/// zeros between input rows; output_padding: one more zero row at the end.
torch::Tensor transposedAsConv(const torch::nn::ConvTranspose2d& layer, const LayerGeometry& g, torch::Tensor z)
{
    const int64_t kh = layer->weight.size(2), kw = layer->weight.size(3);
    if (g.stride > 1) {
        const int64_t n = z.size(0), c = z.size(1), rows = z.size(2), cols = z.size(3);
        std::vector<torch::Tensor> phases{z};
        for (int r = 1; r < g.stride; ++r)
            phases.push_back(torch::zeros_like(z));
        z = torch::stack(phases, 3).reshape({n, c, rows * g.stride, cols}).narrow(2, 0, (rows - 1) * g.stride + 1);
    }
    const int64_t padFreq = kh - 1 - g.padFreq, padTime = kw - 1 - g.padTime;
    z = F::pad(z, F::PadFuncOptions({padTime, padTime, padFreq, padFreq + g.outputPadding}));
    return torch::conv2d(z, layer->weight.transpose(0, 1).flip({2, 3}), layer->bias);
}

/// ConvTranspose1d (stride 1, no padding) as the equivalent Conv1d; see transposedAsConv.
torch::Tensor transposedAsConv(const torch::nn::ConvTranspose1d& layer, torch::Tensor z)
{
    const int64_t k = layer->weight.size(2);
    z = F::pad(z, F::PadFuncOptions({k - 1, k - 1}));
    return torch::conv1d(z, layer->weight.transpose(0, 1).flip({2}), layer->bias);
}

} // namespace

torch::Tensor SliceAutoencoderImpl::decode(torch::Tensor z)
{
    z = z.reshape({-1, 1, geometry.back().outLength, 1});
    for (std::size_t j = 0; j < dec.size(); ++j) {
        z = transposedAsConv(dec[j], geometry[geometry.size() - 1 - j], z);
        if (!decPos.empty())
            z = z + decPos[j];
        if (j < decBn.size())
            z = decBn[j]->forward(torch::relu(z));
    }
    return denormalise(z);
}

// ---------------------------------------------------------------------------------------------
// 1D frame autoencoder

FrameAutoencoderImpl::FrameAutoencoderImpl(const ModelConfig& config) : AutoencoderImpl(config)
{
    config_.validate();
    geometry = config_.encoderLayers();
    const int layers = static_cast<int>(geometry.size());
    for (int i = 0; i < layers; ++i) {
        const LayerGeometry& g = geometry[static_cast<std::size_t>(i)];
        enc.push_back(register_module("enc" + std::to_string(i + 1),
                                      torch::nn::Conv1d(torch::nn::Conv1dOptions(g.inChannels, g.outChannels, g.kernel))));
        if (i + 1 < layers)
            encBn.push_back(register_module("enc_bn" + std::to_string(i + 1), torch::nn::BatchNorm1d(g.outChannels)));
    }
    for (int j = 0; j < layers; ++j) {
        const LayerGeometry& g = geometry[static_cast<std::size_t>(layers - 1 - j)];
        dec.push_back(register_module(
            "dec" + std::to_string(j + 1),
            torch::nn::ConvTranspose1d(torch::nn::ConvTranspose1dOptions(g.outChannels, g.inChannels, g.kernel))));
        if (j + 1 < layers)
            decBn.push_back(register_module("dec_bn" + std::to_string(j + 1), torch::nn::BatchNorm1d(g.inChannels)));
    }
}

torch::Tensor FrameAutoencoderImpl::encode(torch::Tensor x)
{
    x = normalise(x.reshape({-1, 1, config_.inputBins()}));
    for (std::size_t i = 0; i < enc.size(); ++i) {
        x = enc[i]->forward(x);
        if (i < encBn.size())
            x = encBn[i]->forward(torch::leaky_relu(x));
    }
    return x.reshape({x.size(0), -1});
}

torch::Tensor FrameAutoencoderImpl::decode(torch::Tensor z)
{
    z = z.reshape({-1, 1, geometry.back().outLength});
    for (std::size_t j = 0; j < dec.size(); ++j) {
        z = transposedAsConv(dec[j], z);
        if (j < decBn.size())
            z = decBn[j]->forward(torch::leaky_relu(z));
    }
    return denormalise(z);
}

std::shared_ptr<AutoencoderImpl> makeAutoencoder(const ModelConfig& config)
{
    config.validate();
    if (config.arch == Architecture::Frame1d)
        return std::make_shared<FrameAutoencoderImpl>(config);
    return std::make_shared<SliceAutoencoderImpl>(config);
}

// ---------------------------------------------------------------------------------------------
// Fast inference path

namespace {

/// A layer of the module described uniformly as 2D (1D layers get a time axis of width 1).
struct RawLayer {
    bool transposed = false;
    torch::Tensor weight;  // Conv: Cout x Cin x kh x kw; ConvTranspose: Cin x Cout x kh x kw
    torch::Tensor bias;    // Cout
    int stride = 1, padFreq = 0, padTime = 0, outputPadding = 0;
    int inChannels = 1, inLength = 0, inWidth = 1;
    int outChannels = 1, outLength = 0, outWidth = 1;
    bool act = false;
    torch::Tensor bnScale, bnShift;  // BatchNorm after the activation (undefined if none)
    torch::Tensor positionBias;      // Cout x outLength x outWidth (undefined if none)
};

template <typename Bn>
void setBatchNorm(RawLayer& l, Bn& bn)
{
    const auto& o = bn->options;
    torch::Tensor scale = torch::ones({o.num_features()}, l.weight.options());
    torch::Tensor shift = torch::zeros({o.num_features()}, l.weight.options());
    if (o.affine()) {
        scale = bn->weight.detach().clone();
        shift = bn->bias.detach().clone();
    }
    if (o.track_running_stats()) {
        const torch::Tensor inv = torch::rsqrt(bn->running_var.detach() + o.eps());
        scale = scale * inv;
        shift = shift - bn->running_mean.detach() * scale;
    }
    l.bnScale = scale;
    l.bnShift = shift;
}

torch::Tensor as4d(const torch::Tensor& w)
{
    return w.dim() == 3 ? w.unsqueeze(-1) : w;
}

template <typename Model>
std::pair<std::vector<RawLayer>, std::vector<RawLayer>> describe(Model& m)
{
    std::vector<RawLayer> enc, dec;
    const int layers = static_cast<int>(m.geometry.size());
    for (int i = 0; i < layers; ++i) {
        const LayerGeometry& g = m.geometry[static_cast<std::size_t>(i)];
        RawLayer l;
        l.weight = as4d(m.enc[static_cast<std::size_t>(i)]->weight.detach());
        l.bias = m.enc[static_cast<std::size_t>(i)]->bias.detach();
        l.stride = g.stride;
        l.padFreq = g.padFreq;
        l.padTime = g.padTime;
        l.inChannels = g.inChannels;
        l.inLength = g.inLength;
        l.inWidth = g.inWidth;
        l.outChannels = g.outChannels;
        l.outLength = g.outLength;
        l.outWidth = g.outWidth;
        l.act = i + 1 < layers;
        if (l.act)
            setBatchNorm(l, m.encBn[static_cast<std::size_t>(i)]);
        if constexpr (std::is_same_v<Model, SliceAutoencoderImpl>)
            if (!m.encPos.empty())
                l.positionBias = m.encPos[static_cast<std::size_t>(i)].detach()[0];
        enc.push_back(l);
    }
    for (int j = 0; j < layers; ++j) {
        const LayerGeometry& g = m.geometry[static_cast<std::size_t>(layers - 1 - j)];
        RawLayer l;
        l.transposed = true;
        l.weight = as4d(m.dec[static_cast<std::size_t>(j)]->weight.detach());
        l.bias = m.dec[static_cast<std::size_t>(j)]->bias.detach();
        l.stride = g.stride;
        l.padFreq = g.padFreq;
        l.padTime = g.padTime;
        l.outputPadding = g.outputPadding;
        l.inChannels = g.outChannels;
        l.inLength = g.outLength;
        l.inWidth = g.outWidth;
        l.outChannels = g.inChannels;
        l.outLength = g.inLength;
        l.outWidth = g.inWidth;
        l.act = j + 1 < layers;
        if (l.act)
            setBatchNorm(l, m.decBn[static_cast<std::size_t>(j)]);
        if constexpr (std::is_same_v<Model, SliceAutoencoderImpl>)
            if (!m.decPos.empty())
                l.positionBias = m.decPos[static_cast<std::size_t>(j)].detach()[0];
        dec.push_back(l);
    }
    return {enc, dec};
}

/// The layer's own linear map (no bias) applied to x, exactly as the module computes it.
torch::Tensor applyLinear(const RawLayer& l, const torch::Tensor& x, const torch::Tensor& weight)
{
    if (l.transposed)
        return at::conv_transpose2d(x, weight, {}, {l.stride, 1}, {l.padFreq, l.padTime}, {l.outputPadding, 0});
    return at::conv2d(x, weight, {}, {l.stride, 1}, {l.padFreq, l.padTime});
}

/// Turns raw layers into fast layers, folding each layer's trailing BatchNorm into the next.
/// inScale/inShift (optional): an affine map applied to the input before the first layer;
/// outScale/outShift: one applied after the last layer (the dB (de)normalisation).
std::vector<FastAutoencoder::Layer> buildFast(const std::vector<RawLayer>& raw, bool leaky, bool oneD,
                                              torch::Tensor inScale = {}, torch::Tensor inShift = {},
                                              double outScale = 1.0, double outShift = 0.0)
{
    std::vector<FastAutoencoder::Layer> out;
    torch::Tensor prevScale = inScale, prevShift = inShift;  // affine to fold into the next layer
    for (const RawLayer& l : raw) {
        FastAutoencoder::Layer f;
        f.transposed = l.transposed;
        f.oneD = oneD;
        f.stride = l.stride;
        f.outLength = l.outLength;
        f.outWidth = l.outWidth;
        f.outChannels = l.outChannels;
        f.relu = l.act;
        f.leaky = leaky;

        // Fold the previous BatchNorm: L(a*r + b) = L_scaled(r) + L(b), with L(b) a fixed map
        // because the padding (zeros after BatchNorm) is part of the geometry.
        torch::Tensor weight = l.weight;
        torch::Tensor map = l.bias.view({-1, 1, 1}).expand({l.outChannels, l.outLength, l.outWidth}).clone();
        if (l.positionBias.defined())
            map = map + l.positionBias;
        if (prevScale.defined()) {
            const auto ones = torch::ones({1, l.inChannels, l.inLength, l.inWidth}, weight.options());
            const auto constant = ones * prevShift.view({1, -1, 1, 1});
            map = map + applyLinear(l, constant, l.weight)[0];
            if (l.transposed)
                weight = weight * prevScale.view({-1, 1, 1, 1});  // Cin is dim 0
            else
                weight = weight * prevScale.view({1, -1, 1, 1});  // Cin is dim 1
        }
        f.biasMap = map.contiguous();

        const int kh = static_cast<int>(weight.size(2));
        const int kw = static_cast<int>(weight.size(3));
        if (!l.transposed) {
            f.weight = weight.contiguous();
            f.padFreq = l.padFreq;
            f.padTime = l.padTime;
        } else {
            // Conv-equivalent of ConvTranspose: swap in/out channels, flip both kernel axes.
            const torch::Tensor swapped = weight.transpose(0, 1);  // Cout x Cin x kh x kw
            f.padTime = kw - 1 - l.padTime;
            if (l.stride == 1) {
                f.weight = swapped.flip({2, 3}).contiguous();
                f.padFreq = kh - 1 - l.padFreq;
            } else {
                // Sub-pixel split: output row o with q = o + p = s*m + r takes taps j = r + s*t
                // from input rows m - t. One conv per phase r with the taps in reverse order.
                const int s = l.stride;
                for (int r = 0; r < s; ++r) {
                    FastAutoencoder::Phase ph;
                    ph.taps = r < kh ? (kh - r + s - 1) / s : 0;
                    ph.firstOut = ((r - l.padFreq) % s + s) % s;
                    ph.firstIn = (ph.firstOut + l.padFreq - r) / s;
                    ph.count = ph.firstOut < l.outLength ? (l.outLength - ph.firstOut + s - 1) / s : 0;
                    if (ph.taps > 0 && ph.count > 0) {
                        std::vector<torch::Tensor> rows;
                        for (int u = 0; u < ph.taps; ++u)
                            rows.push_back(swapped.narrow(2, r + s * (ph.taps - 1 - u), 1));
                        ph.weight = torch::cat(rows, 2).flip({3}).contiguous();
                    }
                    f.phases.push_back(ph);
                }
            }
        }
        out.push_back(std::move(f));
        prevScale = l.bnScale;
        prevShift = l.bnShift;
    }
    // Output affine: no activation follows the last layer, so scale its weights and bias map.
    if (!out.empty() && (outScale != 1.0 || outShift != 0.0)) {
        FastAutoencoder::Layer& last = out.back();
        if (last.weight.defined())
            last.weight = (last.weight * outScale).contiguous();
        for (auto& ph : last.phases)
            if (ph.weight.defined())
                ph.weight = (ph.weight * outScale).contiguous();
        last.biasMap = (last.biasMap * outScale + outShift).contiguous();
    }
    return out;
}

} // namespace

namespace {

/// Converts the hidden layers (all but the first of the encoder and the last of the decoder) to
/// `dtype` in channels-last layout; 1D layers stay as they are (conv1d has no channels-last path).
void convertHidden(std::vector<FastAutoencoder::Layer>& layers, torch::ScalarType dtype, bool keepFirst, bool keepLast)
{
    if (dtype == torch::kFloat32)
        return;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        if ((keepFirst && i == 0) || (keepLast && i + 1 == layers.size()))
            continue;
        FastAutoencoder::Layer& l = layers[i];
        if (l.oneD)
            continue;
        const auto cl = at::MemoryFormat::ChannelsLast;
        if (l.weight.defined())
            l.weight = l.weight.to(dtype).contiguous(cl);
        for (auto& ph : l.phases)
            if (ph.weight.defined())
                ph.weight = ph.weight.to(dtype).contiguous(cl);
        l.biasMap = l.biasMap.to(dtype);
        l.channelsLast = true;
    }
}

} // namespace

FastAutoencoder::FastAutoencoder(AutoencoderImpl& model, torch::ScalarType hiddenDtype) : config_(model.config())
{
    torch::NoGradGuard noGrad;
    const double mean = model.normMean(), scale = model.normScale();
    const auto opts = model.normScaleBuffer.options();
    const torch::Tensor inScale = torch::full({1}, 1.0 / scale, opts);
    const torch::Tensor inShift = torch::full({1}, -mean / scale, opts);
    if (auto* slice = dynamic_cast<SliceAutoencoderImpl*>(&model)) {
        auto [enc, dec] = describe(*slice);
        encoder_ = buildFast(enc, false, false, inScale, inShift);
        decoder_ = buildFast(dec, false, false, {}, {}, scale, mean);
    } else if (auto* frame = dynamic_cast<FrameAutoencoderImpl*>(&model)) {
        auto [enc, dec] = describe(*frame);
        encoder_ = buildFast(enc, true, true, inScale, inShift);
        decoder_ = buildFast(dec, true, true, {}, {}, scale, mean);
    } else {
        throw ConfigError("FastAutoencoder: unknown module type");
    }
    convertHidden(encoder_, hiddenDtype, true, false);
    convertHidden(decoder_, hiddenDtype, false, true);
}

torch::Tensor FastAutoencoder::run(const std::vector<Layer>& layers, torch::Tensor x) const
{
    const auto outType = x.scalar_type();
    for (const Layer& l : layers) {
        // Each layer runs in its weights' dtype and layout; converting here costs one copy.
        const auto type = l.biasMap.scalar_type();
        if (x.scalar_type() != type)
            x = x.to(type);
        x = x.contiguous(l.channelsLast ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous);
        torch::Tensor y;
        if (l.oneD) {
            // 1D layers (no strides): conv1d picks better kernels than a (3,1) conv2d.
            y = at::conv1d(x.squeeze(3), l.weight.squeeze(3), {}, 1, l.padFreq).unsqueeze(3);
        } else if (l.phases.empty()) {
            y = at::conv2d(x, l.weight, {}, {l.transposed ? 1 : l.stride, 1}, {l.padFreq, l.padTime});
        } else {
            y = torch::zeros({x.size(0), l.outChannels, l.outLength, l.outWidth},
                             x.options().memory_format(x.suggest_memory_format()));
            for (const Phase& ph : l.phases) {
                if (!ph.weight.defined())
                    continue;
                const torch::Tensor part = at::conv2d(x, ph.weight, {}, {1, 1}, {ph.taps - 1, l.padTime});
                const int avail = std::min<int>(ph.count, static_cast<int>(part.size(2)) - ph.firstIn);
                if (avail <= 0)
                    continue;
                y.slice(2, ph.firstOut, ph.firstOut + (avail - 1) * l.stride + 1, l.stride)
                    .copy_(part.narrow(2, ph.firstIn, avail));
            }
        }
        y.add_(l.biasMap);
        if (l.relu) {
            if (l.leaky)
                y = torch::leaky_relu_(y);
            else
                y = torch::relu_(y);
        }
        x = y;
    }
    return x.scalar_type() == outType ? x.contiguous() : x.to(outType).contiguous();
}

torch::Tensor FastAutoencoder::encode(const torch::Tensor& x) const
{
    const int64_t n = x.numel() / (config_.inputBins() * config_.sliceWidth());
    const torch::Tensor in = x.reshape({n, 1, config_.inputBins(), config_.sliceWidth()});
    return run(encoder_, in).reshape({n, -1});
}

torch::Tensor FastAutoencoder::decode(const torch::Tensor& z) const
{
    const int e = static_cast<int>(z.size(-1));
    const int64_t n = z.numel() / e;
    const torch::Tensor out = run(decoder_, z.reshape({n, 1, e, 1}));
    if (config_.arch == Architecture::Frame1d)
        return out.reshape({n, 1, config_.inputBins()});
    return out;
}

} // namespace morph::nn
