#include "model/ModelRunner.h"

#include "model/Networks.h"
#include "model/TorchCheckpoint.h"
#include "util/Errors.h"

#include <cstring>
#include <sstream>

namespace morph {

namespace {
constexpr int kChunk = 512;  // slices per forward pass (bounds memory for long inputs)
}

struct ModelRunner::Impl {
    std::filesystem::path path;
    ModelConfig config;
    std::string hash;
    std::string metaJson;
    std::string description;
    torch::Device device{torch::kCPU};
    std::shared_ptr<nn::AutoencoderImpl> model;
    std::unique_ptr<nn::FastAutoencoder> fast;
    bool useFast = true;
    InferencePrecision precision = InferencePrecision::Float32;

    std::vector<float> run(const float* in, int count, int inValues, int outValues, bool encode) const
    {
        if (count < 0)
            throw ConfigError("ModelRunner: negative count");
        std::vector<float> out(static_cast<std::size_t>(count) * static_cast<std::size_t>(outValues));
        if (count == 0)
            return out;
        c10::InferenceMode guard;
        for (int start = 0; start < count; start += kChunk) {
            const int n = std::min(kChunk, count - start);
            // from_blob does not copy: the input is only read.
            torch::Tensor x = torch::from_blob(const_cast<float*>(in) + static_cast<std::size_t>(start) * inValues,
                                               {n, inValues}, torch::kFloat32);
            torch::Tensor y;
            if (fast && useFast && device.is_cpu()) {
                y = encode ? fast->encode(x) : fast->decode(x);
            } else {
                x = x.to(device);
                y = encode ? model->encode(x) : model->decode(x);
            }
            y = y.reshape({n, outValues}).to(torch::kCPU).contiguous();
            std::memcpy(out.data() + static_cast<std::size_t>(start) * outValues, y.data_ptr<float>(),
                        sizeof(float) * static_cast<std::size_t>(n) * outValues);
        }
        return out;
    }
};

InferencePrecision parseInferencePrecision(const std::string& name)
{
    if (name == "float32")
        return InferencePrecision::Float32;
    if (name == "bfloat16")
        return InferencePrecision::BFloat16;
    if (name == "auto")
        return nativeInferencePrecision();
    throw ConfigError("unknown precision '" + name + "' (use auto, float32 or bfloat16)");
}

const char* inferencePrecisionName(InferencePrecision p)
{
    return p == InferencePrecision::BFloat16 ? "bfloat16" : "float32";
}

InferencePrecision nativeInferencePrecision()
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("avx512bf16"))
        return InferencePrecision::BFloat16;
#endif
    return InferencePrecision::Float32;
}

ModelRunner::ModelRunner() : impl_(std::make_unique<Impl>()) {}
ModelRunner::~ModelRunner() = default;

std::unique_ptr<ModelRunner> ModelRunner::load(const std::filesystem::path& checkpoint, const std::string& device,
                                               const ModelConfig* expected)
{
    const torch::Device dev = nn::resolveDevice(device);
    nn::LoadedCheckpoint ckpt = nn::readCheckpoint(checkpoint);
    std::unique_ptr<ModelRunner> runner(new ModelRunner());
    Impl& d = *runner->impl_;
    d.path = checkpoint;
    d.config = ckpt.config;
    d.hash = ckpt.fileHash;
    d.metaJson = ckpt.meta.dump(2);
    d.device = dev;
    d.model = nn::loadModel(ckpt, dev, expected);
    if (dev.is_cpu())
        d.fast = std::make_unique<nn::FastAutoencoder>(*d.model);
    d.description = readCheckpointInfo(checkpoint).describe();
    return runner;
}

const ModelConfig& ModelRunner::config() const { return impl_->config; }
std::string ModelRunner::checkpointHash() const { return impl_->hash; }
const std::filesystem::path& ModelRunner::checkpointPath() const { return impl_->path; }
std::string ModelRunner::device() const { return impl_->device.str(); }
const std::string& ModelRunner::metadataJson() const { return impl_->metaJson; }
void ModelRunner::setFastPath(bool on) { impl_->useFast = on; }
bool ModelRunner::fastPath() const { return impl_->useFast && impl_->fast != nullptr; }
InferencePrecision ModelRunner::precision() const { return impl_->precision; }

void ModelRunner::setPrecision(InferencePrecision p)
{
    if (p == impl_->precision || !impl_->device.is_cpu())
        return;
    // Rebuilt from the module's float weights, so switching back and forth loses nothing.
    impl_->fast = std::make_unique<nn::FastAutoencoder>(
        *impl_->model, p == InferencePrecision::BFloat16 ? torch::kBFloat16 : torch::kFloat32);
    impl_->precision = p;
}

void ModelRunner::warmUp(int slices) const
{
    const ModelConfig& c = impl_->config;
    const std::vector<float> silence(static_cast<std::size_t>(slices) * c.sliceValues(), -80.f);
    const std::vector<float> codes = encode(silence.data(), slices);
    decode(codes.data(), slices);
}

std::string ModelRunner::describe() const
{
    std::ostringstream s;
    s << impl_->description << "file: " << impl_->path.string() << " (hash " << impl_->hash << "), device "
      << device() << (fastPath() ? std::string(", fast CPU path (") + inferencePrecisionName(precision()) + ")" : "") << "\n";
    return s.str();
}

std::vector<float> ModelRunner::encode(const float* slices, int count) const
{
    const ModelConfig& c = impl_->config;
    return impl_->run(slices, count, c.sliceValues(), c.embeddingSize(), true);
}

std::vector<float> ModelRunner::decode(const float* embeddings, int count) const
{
    const ModelConfig& c = impl_->config;
    return impl_->run(embeddings, count, c.embeddingSize(), c.sliceValues(), false);
}

} // namespace morph
