#pragma once
// Self-describing checkpoint files, torch-free side: the file layout, a fast header+metadata
// reader for the GUI (no LibTorch needed to show what a checkpoint is), and the raw read/write
// used by the torch loader.
//
// File layout (little-endian):
//   0  char[10]  "MORPHCKPT\n"
//  10  u32       format version (1)
//  14  u32       flags (0)
//  18  u64       metadata length J (UTF-8 JSON)
//  26  u64       payload length P (torch::serialize archive bytes)
//  34  u64       FNV-1a 64 of the payload
//  42  J bytes   JSON metadata: model, preprocessing, dataset, training, state, metrics
//  42+J P bytes  payload: archive with sub-archive "model" (+ "optimizer", "rng" for resume)
// Files are written atomically (temp + rename).
// Thread contract: free functions, safe from any thread (they share no state).
#include "model/ModelConfig.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace morph {

inline constexpr char kCheckpointMagic[10] = {'M', 'O', 'R', 'P', 'H', 'C', 'K', 'P', 'T', '\n'};
inline constexpr std::uint32_t kCheckpointVersion = 1;
inline constexpr std::size_t kCheckpointHeaderSize = 42;

/// What a checkpoint says about itself (read without LibTorch).
struct CheckpointInfo {
    std::filesystem::path path;
    ModelConfig config;
    std::string metadataJson;          // the whole metadata, pretty-printed
    int epoch = 0;                     // completed epochs
    std::optional<double> trainLoss, validLoss, bestValidLoss;
    std::string dataset, trainSplit;   // as recorded by the trainer ("" if unknown)
    std::string device;                // device it was trained on
    std::uint64_t fileBytes = 0, payloadBytes = 0;
    /// One-paragraph human description (architecture, pre-processing, training, metrics).
    std::string describe() const;
};

/// Reads the header and metadata only (fast, no payload check). Throws CheckpointError naming the
/// file and the reason (missing, wrong magic, newer version, truncated, malformed metadata).
CheckpointInfo readCheckpointInfo(const std::filesystem::path& path);

/// A whole checkpoint file, verified (lengths and payload checksum).
struct RawCheckpoint {
    std::string metadataJson;
    std::string payload;
    std::string fileHash;  // FNV-1a 64 of the whole file, 16 hex digits
};
RawCheckpoint readCheckpointFile(const std::filesystem::path& path);      // throws CheckpointError
void writeCheckpointFile(const std::filesystem::path& path, const std::string& metadataJson,
                         const std::string& payload);                     // atomic; throws IoError

/// FNV-1a 64 of a byte range, and as 16 lowercase hex digits.
std::uint64_t fnv1a64(const void* data, std::size_t size, std::uint64_t seed = 0xcbf29ce484222325ULL);
std::string hashHex(std::uint64_t h);

/// ModelConfig <-> JSON text (the "model" + "preprocessing" objects of the metadata).
/// modelConfigFromJson throws CheckpointError with `context` (e.g. the file) in the message.
std::string modelConfigToJson(const ModelConfig& config);
ModelConfig modelConfigFromJson(const std::string& metadataJson, const std::string& context);

/// "a 'double' log-mag model with 513 bins (channels 16-32-32-32, n_fft 1024, hop 512)".
std::string describeModelShort(const ModelConfig& config);

/// Throws CheckpointError "checkpoint X is a ... but ... was expected" when the architecture,
/// widths or pre-processing differ.
void requireSameModel(const std::filesystem::path& path, const ModelConfig& found, const ModelConfig& expected);

} // namespace morph
