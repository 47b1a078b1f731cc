#pragma once
// Inference facade of a trained autoencoder (plain C++, pimpl; LibTorch stays inside the .cpp).
// load() does all the work (read + verify the file, rebuild the model from its metadata, load
// the weights, build the fast CPU path) into a new object before returning, so a caller can
// load aside and swap the pointer in afterwards; a failed load leaves nothing half-built.
//
// Thread contract: load() from any non-real-time thread. encode()/decode() are const, share no
// mutable state and may run concurrently from several worker threads (never the audio thread:
// they allocate and take milliseconds). setFastPath()/setPrecision() only before the runner is
// shared.
//
// Tensor layouts are those of dsp/Slicing.h: a slice is bins x width floats with
//   slices[s * bins * width + bin * width + t]; an embedding is embeddingSize() floats.
#include "model/ModelConfig.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace morph {

/// Arithmetic of the fast CPU path's hidden layers. The dB-facing first and last layers always
/// run in float, and so does the whole 1D frame model (conv1d has no channels-last kernels);
/// bfloat16 moved the shipped models' decoded dB by 0.04-0.07 dB RMS (docs/MODELS.md).
enum class InferencePrecision { Float32, BFloat16 };

/// "float32", "bfloat16", or "auto" = nativeInferencePrecision(). Throws ConfigError otherwise.
InferencePrecision parseInferencePrecision(const std::string& name);
const char* inferencePrecisionName(InferencePrecision p);
/// BFloat16 where this CPU computes it natively (AVX512-BF16 / AMX: the 16-32-32-32 decode ran
/// 2.4x faster, docs/MODELS.md), else Float32 (emulated bfloat16 would be slower than float).
InferencePrecision nativeInferencePrecision();

class ModelRunner {
public:
    /// device: "auto" (CUDA when available, else CPU), "cpu", "cuda", "cuda:N".
    /// With `expected`, a checkpoint of another architecture/pre-processing is refused.
    /// Throws CheckpointError (file problems, mismatch) or ConfigError (bad device).
    static std::unique_ptr<ModelRunner> load(const std::filesystem::path& checkpoint,
                                             const std::string& device = "auto",
                                             const ModelConfig* expected = nullptr);
    ~ModelRunner();
    ModelRunner(const ModelRunner&) = delete;
    ModelRunner& operator=(const ModelRunner&) = delete;

    const ModelConfig& config() const;
    std::string checkpointHash() const;   // FNV-1a 64 of the file bytes, 16 hex digits
    std::string describe() const;         // arch, widths, pre-processing, training, metrics
    const std::filesystem::path& checkpointPath() const;
    std::string device() const;           // "cpu" or "cuda:0"
    const std::string& metadataJson() const;

    /// slices: count x inputBins x sliceWidth -> count x embeddingSize.
    std::vector<float> encode(const float* slices, int count) const;
    /// embeddings: count x embeddingSize -> count x inputBins x sliceWidth.
    std::vector<float> decode(const float* embeddings, int count) const;

    /// The conv-only CPU path (default on for CPU). Off = the plain LibTorch modules.
    void setFastPath(bool on);
    bool fastPath() const;
    /// Precision of the fast CPU path (default Float32; no effect on CUDA or the plain path).
    void setPrecision(InferencePrecision p);
    InferencePrecision precision() const;
    /// One encode and one decode of `slices` silent slices, so that the first real call does not
    /// pay for oneDNN's kernel set-up (~20 ms for a 124-slice bfloat16 decode). Optional.
    void warmUp(int slices) const;

private:
    ModelRunner();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace morph
