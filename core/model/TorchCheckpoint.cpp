#include "model/TorchCheckpoint.h"

#include "util/Errors.h"
#include "util/Timestamp.h"

#include <map>
#include <sstream>

namespace morph::nn {

namespace {

std::string quoted(const std::filesystem::path& p)
{
    return "'" + p.string() + "'";
}

std::string shapeText(const at::IntArrayRef& s)
{
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i)
        out += (i ? "x" : "") + std::to_string(s[i]);
    return out + "]";
}

torch::serialize::InputArchive openPayload(const LoadedCheckpoint& ckpt)
{
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(ckpt.payload.data(), ckpt.payload.size(), torch::Device(torch::kCPU));
    } catch (const c10::Error& e) {
        throw CheckpointError("checkpoint " + quoted(ckpt.path) + " has unreadable weights: " + e.what_without_backtrace());
    }
    return archive;
}

} // namespace

torch::Device resolveDevice(const std::string& name)
{
    if (name.empty() || name == "auto")
        return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    if (name == "cpu")
        return torch::Device(torch::kCPU);
    if (name.rfind("cuda", 0) == 0) {
        if (!torch::cuda::is_available())
            throw ConfigError("device '" + name + "' was asked for but LibTorch sees no CUDA device (use --device cpu)");
        try {
            return torch::Device(name);
        } catch (const c10::Error&) {
            throw ConfigError("invalid device '" + name + "' (use cpu, cuda or cuda:N)");
        }
    }
    throw ConfigError("invalid device '" + name + "' (use auto, cpu, cuda or cuda:N)");
}

LoadedCheckpoint readCheckpoint(const std::filesystem::path& path)
{
    RawCheckpoint raw = readCheckpointFile(path);
    LoadedCheckpoint c;
    c.path = path;
    c.meta = nlohmann::json::parse(raw.metadataJson);
    c.config = modelConfigFromMeta(c.meta, "checkpoint " + quoted(path));
    c.fileHash = raw.fileHash;
    c.payload = std::move(raw.payload);
    return c;
}

std::shared_ptr<AutoencoderImpl> loadModel(const LoadedCheckpoint& ckpt, const torch::Device& device,
                                           const ModelConfig* expected)
{
    if (expected)
        requireSameModel(ckpt.path, ckpt.config, *expected);
    auto model = makeAutoencoder(ckpt.config);
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto& p : model->named_parameters())
        shapes[p.key()] = p.value().sizes().vec();
    for (const auto& b : model->named_buffers())
        shapes[b.key()] = b.value().sizes().vec();

    torch::serialize::InputArchive archive = openPayload(ckpt);
    torch::serialize::InputArchive modelArchive;
    if (!archive.try_read("model", modelArchive))
        throw CheckpointError("checkpoint " + quoted(ckpt.path) + " holds no model weights");
    try {
        model->load(modelArchive);
    } catch (const c10::Error& e) {
        std::string what = e.what_without_backtrace();
        throw CheckpointError("checkpoint " + quoted(ckpt.path) + " does not fit " + describeModelShort(ckpt.config) +
                              ": " + what.substr(0, what.find('\n')));
    }
    for (const auto& p : model->named_parameters()) {
        const auto& want = shapes[p.key()];
        if (p.value().sizes().vec() != want)
            throw CheckpointError("checkpoint " + quoted(ckpt.path) + ": weight '" + p.key() + "' has shape " +
                                  shapeText(p.value().sizes()) + " but " + describeModelShort(ckpt.config) +
                                  " needs " + shapeText(want) + " (metadata and weights disagree)");
    }
    for (const auto& b : model->named_buffers()) {
        const auto& want = shapes[b.key()];
        if (b.value().sizes().vec() != want)
            throw CheckpointError("checkpoint " + quoted(ckpt.path) + ": buffer '" + b.key() + "' has shape " +
                                  shapeText(b.value().sizes()) + " but the model needs " + shapeText(want));
    }
    // NaN/Inf weights (a diverged run saved by an older version, or a corrupted tensor whose
    // checksum was recomputed) would decode every note to NaN: refuse them by name.
    auto requireFinite = [&](const std::string& kind, const std::string& name, const torch::Tensor& t) {
        if (!t.is_floating_point() || t.numel() == 0)
            return;
        const torch::Tensor bad = t.isfinite().logical_not();
        const std::int64_t count = bad.sum().item<std::int64_t>();
        if (count > 0)
            throw CheckpointError("checkpoint " + quoted(ckpt.path) + ": " + kind + " '" + name + "' holds " +
                                  std::to_string(count) + " NaN or infinite value" + (count > 1 ? "s" : "") +
                                  " of " + std::to_string(t.numel()) +
                                  " (the run diverged or the file is corrupt); use an earlier checkpoint "
                                  "(best.pt or checkpoints/epoch-NNN.pt) or retrain with a lower learning rate");
    };
    for (const auto& p : model->named_parameters())
        requireFinite("weight", p.key(), p.value());
    for (const auto& b : model->named_buffers())
        requireFinite("buffer", b.key(), b.value());
    model->to(device);
    model->eval();
    return model;
}

void loadOptimizer(const LoadedCheckpoint& ckpt, torch::optim::Optimizer& optimizer)
{
    torch::serialize::InputArchive archive = openPayload(ckpt);
    torch::serialize::InputArchive optArchive;
    if (!archive.try_read("optimizer", optArchive))
        throw CheckpointError("checkpoint " + quoted(ckpt.path) +
                              " holds no optimizer state (it is an exported model, not a training checkpoint)");
    try {
        optimizer.load(optArchive);
    } catch (const c10::Error& e) {
        std::string what = e.what_without_backtrace();
        throw CheckpointError("checkpoint " + quoted(ckpt.path) + " has an optimizer state that does not fit: " +
                              what.substr(0, what.find('\n')));
    }
}

std::optional<torch::Tensor> loadRngState(const LoadedCheckpoint& ckpt)
{
    torch::serialize::InputArchive archive = openPayload(ckpt);
    torch::Tensor state;
    if (!archive.try_read("rng_cpu", state))
        return std::nullopt;
    return state;
}

nlohmann::json baseMetadata(const ModelConfig& config)
{
    return {{"format", "morphstation-checkpoint"},
            {"version", kCheckpointVersion},
            {"software", std::string("morphstation 0.1, libtorch ") + TORCH_VERSION},
            {"created", utcTimestamp()},
            {"model", modelSection(config)},
            {"preprocessing", preprocessingSection(config)}};
}

void saveCheckpoint(const std::filesystem::path& path, const nlohmann::json& meta, AutoencoderImpl& model,
                    torch::optim::Optimizer* optimizer, bool withRngState)
{
    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive modelArchive;
    {
        torch::NoGradGuard noGrad;
        model.save(modelArchive);  // loadModel maps every tensor to the CPU first
    }
    archive.write("model", modelArchive);
    if (optimizer) {
        torch::serialize::OutputArchive optArchive;
        optimizer->save(optArchive);
        archive.write("optimizer", optArchive);
    }
    if (withRngState) {
        auto gen = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        archive.write("rng_cpu", gen.get_state());
    }
    std::ostringstream bytes;
    archive.save_to(bytes);
    writeCheckpointFile(path, meta.dump(2), bytes.str());
}

} // namespace morph::nn
