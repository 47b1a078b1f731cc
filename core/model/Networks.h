#pragma once
// LibTorch modules of the autoencoders (METHOD §3). INTERNAL, torch header: include only from
// .cpp files under core/model, core/train, core/style and from tests/benchmarks; everything else
// uses the plain facade ModelRunner.h / Trainer.h.
// Thread contract: a module is used by one thread at a time while training; in eval mode under
// torch::InferenceMode its forward passes are read-only and may run on several threads at once.
#include "model/ModelConfig.h"

#include <torch/torch.h>

#include <memory>
#include <vector>

namespace morph::nn {

/// Common interface of the slice (2D) and frame (1D) autoencoders.
/// Tensors: input/output N x 1 x bins x 3 (2D) or N x 1 x bins (1D); embedding N x E.
struct AutoencoderImpl : torch::nn::Module {
    explicit AutoencoderImpl(ModelConfig config);
    virtual torch::Tensor encode(torch::Tensor x) = 0;
    virtual torch::Tensor decode(torch::Tensor z) = 0;
    torch::Tensor forward(torch::Tensor x) { return decode(encode(x)); }
    const ModelConfig& config() const { return config_; }
    /// Shape of a batch of `n` inputs: {n,1,bins,3} or {n,1,bins}.
    std::vector<int64_t> inputShape(int64_t n) const;

    /// Fixed dB normalisation (buffers, saved with the weights): the network sees
    /// (x - mean) / scale and its output is mapped back to dB by y * scale + mean, so the loss
    /// stays MSE in dB while the layers work at unit scale. Identity until setNormalisation().
    void setNormalisation(double mean, double scale);
    double normMean() const;
    double normScale() const;
    torch::Tensor normMeanBuffer, normScaleBuffer;

protected:
    torch::Tensor normalise(const torch::Tensor& x) const { return (x - normMeanBuffer) / normScaleBuffer; }
    torch::Tensor denormalise(const torch::Tensor& y) const { return y * normScaleBuffer + normMeanBuffer; }
    ModelConfig config_;
};

/// 2D slice autoencoder: 5 Conv2d 3x3 per side, stride (2,1) on the layers of the variant,
/// Conv -> ReLU -> BatchNorm2d except the last layer of each side; 1-channel embedding.
struct SliceAutoencoderImpl : AutoencoderImpl {
    explicit SliceAutoencoderImpl(const ModelConfig& config);
    torch::Tensor encode(torch::Tensor x) override;
    torch::Tensor decode(torch::Tensor z) override;

    std::vector<LayerGeometry> geometry;          // encoder layers
    std::vector<torch::nn::Conv2d> enc;
    std::vector<torch::nn::BatchNorm2d> encBn;    // one per encoder layer but the last
    std::vector<torch::nn::ConvTranspose2d> dec;  // dec[j] mirrors geometry[L-1-j]
    std::vector<torch::nn::BatchNorm2d> decBn;    // one per decoder layer but the last
    /// ModelConfig::positionBias only (else empty): "encK_pos" / "decK_pos", 1 x Cout x H x W,
    /// added to the layer's output before its activation; zero at the start.
    std::vector<torch::Tensor> encPos, decPos;
};
TORCH_MODULE(SliceAutoencoder);

/// 1D frame autoencoder: 9 Conv1d (kernel 3, no padding) per side, LeakyReLU + BatchNorm1d.
struct FrameAutoencoderImpl : AutoencoderImpl {
    explicit FrameAutoencoderImpl(const ModelConfig& config);
    torch::Tensor encode(torch::Tensor x) override;
    torch::Tensor decode(torch::Tensor z) override;

    std::vector<LayerGeometry> geometry;
    std::vector<torch::nn::Conv1d> enc;
    std::vector<torch::nn::BatchNorm1d> encBn;
    std::vector<torch::nn::ConvTranspose1d> dec;
    std::vector<torch::nn::BatchNorm1d> decBn;
};
TORCH_MODULE(FrameAutoencoder);

/// Builds the module the config describes (validates it first; throws ConfigError).
std::shared_ptr<AutoencoderImpl> makeAutoencoder(const ModelConfig& config);

/// Fast CPU inference path of a trained module in eval mode: every ConvTranspose is computed as
/// an equivalent Conv (flipped, in/out-swapped weights; stride-2 layers by a sub-pixel split into
/// one small conv per output phase), and every BatchNorm (eval statistics) is folded exactly into
/// the following layer (scaled weights + a precomputed per-position bias map, which keeps the
/// zero padding exact). Numerically equal to the module up to float rounding.
///
/// With dtype kBFloat16 the hidden layers run in bfloat16, channels-last (oneDNN's AMX/AVX512-BF16
/// kernels: the 16-32-32-32 decode 2.4x faster where the CPU has them, slower where it must
/// emulate them); the first encoder layer and the last decoder layer stay in float because their
/// inputs/outputs are dB values, which bfloat16's 8-bit mantissa would round to 0.5 dB steps
/// near -80 dB.
class FastAutoencoder {
public:
    /// Snapshot of `model`'s current weights (model must be in eval mode semantics: BN uses
    /// running statistics). Works in the model's dtype on CPU, or bfloat16 for the hidden layers.
    explicit FastAutoencoder(AutoencoderImpl& model, torch::ScalarType hiddenDtype = torch::kFloat32);
    torch::Tensor encode(const torch::Tensor& x) const;   // like AutoencoderImpl::encode
    torch::Tensor decode(const torch::Tensor& z) const;   // like AutoencoderImpl::decode

    struct Phase {            // one output phase of a strided transposed layer
        torch::Tensor weight;  // conv weight Cout x Cin x T x kW (T taps along frequency)
        int taps = 0;
        int firstOut = 0;      // first output row of this phase
        int firstIn = 0;       // first row of the conv result it takes
        int count = 0;         // rows
    };
    struct Layer {
        bool transposed = false;
        bool oneD = false;
        int stride = 1;
        int padFreq = 0, padTime = 0;  // conv padding actually used
        int outLength = 0, outWidth = 1, outChannels = 1;
        torch::Tensor weight;   // conv weight (stride-1 and plain conv layers)
        std::vector<Phase> phases;  // stride > 1 transposed layers
        torch::Tensor biasMap;  // Cout x H x W (or Cout x H): bias + folded previous BatchNorm
        bool relu = false, leaky = false;
        bool channelsLast = false;  // weights (and so the input) in channels-last memory format
    };

private:
    torch::Tensor run(const std::vector<Layer>& layers, torch::Tensor x) const;
    ModelConfig config_;
    std::vector<Layer> encoder_, decoder_;
};

} // namespace morph::nn
