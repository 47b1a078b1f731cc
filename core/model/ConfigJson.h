#pragma once
// ModelConfig <-> nlohmann::json for checkpoint metadata and run folders. Internal to
// core/model and core/train (no torch, but keeps nlohmann out of the public facades).
// Thread contract: free functions, any thread.
#include "model/ModelConfig.h"

#include <nlohmann/json.hpp>

#include <string>

namespace morph {

/// {"arch":"double","channels":[16,32,32,32],"input_bins":513,"slice_width":3,"embedding":124}
nlohmann::json modelSection(const ModelConfig& config);
/// {"sample_rate":16000,"n_fft":1024,"hop":512,"window":"hann","center":true,
///  "scale":"log-mag"|"mel","mel_bands":128,"amin":1e-5,"top_db":80,"ref":"note max magnitude"}
nlohmann::json preprocessingSection(const ModelConfig& config);
/// Reads meta["model"] and meta["preprocessing"]; throws CheckpointError naming `context` and the
/// missing/invalid field; verifies the recorded embedding size against the arithmetic.
ModelConfig modelConfigFromMeta(const nlohmann::json& meta, const std::string& context);

} // namespace morph
