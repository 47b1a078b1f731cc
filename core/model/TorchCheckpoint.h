#pragma once
// Torch side of the self-describing checkpoints (layout in CheckpointInfo.h). INTERNAL, torch
// header: include only from .cpp files under core/model, core/train and from tests.
// Thread contract: free functions; a module/optimizer passed in must not be used by another
// thread during the call.
#include "model/CheckpointInfo.h"
#include "model/ConfigJson.h"
#include "model/Networks.h"

#include <torch/torch.h>

#include <filesystem>
#include <optional>

namespace morph::nn {

/// A verified checkpoint file with its parsed metadata.
struct LoadedCheckpoint {
    std::filesystem::path path;
    nlohmann::json meta;
    ModelConfig config;
    std::string fileHash;
    std::string payload;
};

/// Reads and verifies the whole file (magic, version, lengths, checksum, metadata, config).
LoadedCheckpoint readCheckpoint(const std::filesystem::path& path);

/// Rebuilds the model the metadata describes and loads its weights, checking every parameter and
/// buffer's shape. With `expected`, refuses a checkpoint of another model/pre-processing.
/// The module is returned in eval mode on `device`. Throws CheckpointError.
std::shared_ptr<AutoencoderImpl> loadModel(const LoadedCheckpoint& ckpt, const torch::Device& device,
                                           const ModelConfig* expected = nullptr);
/// Restores the optimizer state saved with the weights. Throws CheckpointError if absent.
void loadOptimizer(const LoadedCheckpoint& ckpt, torch::optim::Optimizer& optimizer);
/// The CPU generator state saved for resume, if any.
std::optional<torch::Tensor> loadRngState(const LoadedCheckpoint& ckpt);

/// format, version, software, creation time, model and preprocessing sections.
nlohmann::json baseMetadata(const ModelConfig& config);
/// Serialises the model (+ optimizer, + CPU RNG state) and writes the file atomically.
void saveCheckpoint(const std::filesystem::path& path, const nlohmann::json& meta, AutoencoderImpl& model,
                    torch::optim::Optimizer* optimizer = nullptr, bool withRngState = false);

/// "cpu", "cuda", "cuda:1" or "auto" (CUDA when available). Throws ConfigError when CUDA is
/// asked for but not available.
torch::Device resolveDevice(const std::string& name);

} // namespace morph::nn
