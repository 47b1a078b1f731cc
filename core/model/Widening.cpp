// Net2WiderNet warm start (see Widening.h). Works on the modules' named tensors: encoder layers
// enc1..encL (Conv: weight Cout x Cin x ...), decoder layers dec1..decL (ConvTranspose: weight
// Cin x Cout x ...), BatchNorms enc_bnK / dec_bnK after every hidden layer, buffers
// norm_mean / norm_scale, and with position biases encK_pos / decK_pos (1 x Cout x H x W). The layers form one chain enc1 -> ... -> encL -> dec1 -> ... -> decL.
#include "model/Widening.h"

#include "util/Errors.h"

#include <map>
#include <string>

namespace morph::nn {

namespace {

using TensorMap = std::map<std::string, torch::Tensor>;

TensorMap tensorsOf(AutoencoderImpl& model)
{
    TensorMap m;
    for (const auto& p : model.named_parameters())
        m[p.key()] = p.value();
    for (const auto& b : model.named_buffers())
        m[b.key()] = b.value();
    return m;
}

const torch::Tensor& tensorNamed(const TensorMap& m, const std::string& name, const char* which)
{
    const auto it = m.find(name);
    if (it == m.end())
        throw ConfigError(std::string(which) + " model has no tensor '" + name + "'");
    return it->second;
}

/// Expands `w` along `dim` from the source's channels to the target's: channel j of the result
/// is channel map[j] of `w`.
torch::Tensor replicate(const torch::Tensor& w, int64_t dim, const torch::Tensor& map)
{
    return w.index_select(dim, map);
}

/// Expands a consumer weight along its input dimension and splits each source channel's weights
/// among its copies in random positive proportions (0.5..1.5 before normalising) summing to one.
torch::Tensor replicateAndSplit(const torch::Tensor& w, int64_t dim, const torch::Tensor& map)
{
    torch::Tensor expanded = w.index_select(dim, map);
    torch::Tensor share = torch::rand(expanded.sizes(), expanded.options()) + 0.5;
    torch::Tensor total = torch::zeros_like(w).index_add_(dim, map, share);
    return expanded * share / total.index_select(dim, map);
}

} // namespace

void initialiseFrom(AutoencoderImpl& source, AutoencoderImpl& target)
{
    ModelConfig s = source.config(), t = target.config();
    const std::vector<int> sw = s.effectiveChannels(), tw = t.effectiveChannels();
    s.channels = tw;
    t.channels = tw;
    if (s.positionBias && !t.positionBias)
        throw ConfigError("cannot initialise a " + target.config().summary() + " model from a " +
                          source.config().summary() + " model: the source's position biases would be lost "
                          "(train with --position-bias)");
    s.positionBias = t.positionBias;  // plain -> position biases: they start at zero
    if (s != t)
        throw ConfigError("cannot initialise a " + target.config().summary() + " model from a " +
                          source.config().summary() + " model: architecture or pre-processing differ");
    for (std::size_t i = 0; i < sw.size(); ++i)
        if (tw[i] < sw[i])
            throw ConfigError("cannot initialise channels " + channelsText(tw) + " from a wider model (" +
                              channelsText(sw) + "): every width must be at least the source's");

    torch::NoGradGuard noGrad;
    const TensorMap src = tensorsOf(source), dst = tensorsOf(target);
    const int layers = encoderLayerCount(s.arch);
    struct Link {
        std::string name, bn;  // layer and the BatchNorm after it ("" for the last of each side)
        int64_t outDim, inDim;
    };
    std::vector<Link> chain;
    for (int i = 1; i <= layers; ++i)
        chain.push_back({"enc" + std::to_string(i), i < layers ? "enc_bn" + std::to_string(i) : "", 0, 1});
    for (int j = 1; j <= layers; ++j)
        chain.push_back({"dec" + std::to_string(j), j < layers ? "dec_bn" + std::to_string(j) : "", 1, 0});

    auto assign = [&](const std::string& name, const torch::Tensor& value) {
        const torch::Tensor& d = tensorNamed(dst, name, "target");
        if (d.sizes() != value.sizes())
            throw ConfigError("cannot initialise '" + name + "': shapes differ after widening");
        d.copy_(value.to(d.device(), d.scalar_type()));
    };

    torch::Tensor inputMap;  // channel map of the previous layer's output (undefined: unchanged)
    for (const Link& l : chain) {
        torch::Tensor w = tensorNamed(src, l.name + ".weight", "source").detach().cpu();
        torch::Tensor b = tensorNamed(src, l.name + ".bias", "source").detach().cpu();
        if (inputMap.defined())
            w = replicateAndSplit(w, l.inDim, inputMap);
        const int64_t from = w.size(l.outDim);
        const int64_t to = tensorNamed(dst, l.name + ".weight", "target").size(l.outDim);
        torch::Tensor outputMap;
        if (to > from) {
            outputMap = torch::cat({torch::arange(from, torch::kLong), torch::randint(from, {to - from}, torch::kLong)});
            w = replicate(w, l.outDim, outputMap);
            b = replicate(b, 0, outputMap);
        }
        assign(l.name + ".weight", w);
        assign(l.name + ".bias", b);
        if (source.config().positionBias) {
            torch::Tensor pos = tensorNamed(src, l.name + "_pos", "source").detach().cpu();
            assign(l.name + "_pos", outputMap.defined() ? replicate(pos, 1, outputMap) : pos);
        }
        if (!l.bn.empty()) {
            for (const char* part : {"weight", "bias", "running_mean", "running_var"}) {
                torch::Tensor v = tensorNamed(src, l.bn + "." + part, "source").detach().cpu();
                assign(l.bn + "." + part, outputMap.defined() ? replicate(v, 0, outputMap) : v);
            }
            assign(l.bn + ".num_batches_tracked", tensorNamed(src, l.bn + ".num_batches_tracked", "source").detach().cpu());
        }
        inputMap = outputMap;
    }
    assign("norm_mean", source.normMeanBuffer.detach().cpu());
    assign("norm_scale", source.normScaleBuffer.detach().cpu());
}

} // namespace morph::nn
