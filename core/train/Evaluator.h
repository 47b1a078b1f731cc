#pragma once
// Reconstruction error of a trained model (METHOD §4): MSE in dB^2 over all slices of a set of
// notes, overall, per pitch class (pitch % 12) and per instrument family, as JSON (eval.json) and
// as a console table. Plain C++; inference goes through ModelRunner (fast CPU path or CUDA), or
// through any SliceReconstructor (e.g. the PCA baseline of PcaBaseline.h), so every model is
// measured by the same code.
// Thread contract: evaluate() on one worker thread; it uses LibTorch's intra-op threads.
#include "util/CancelToken.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace morph {

class ModelRunner;
class FeatureCache;

struct EvalGroup {
    std::string name;
    std::size_t notes = 0;
    std::uint64_t slices = 0;
    double mse = 0;  // dB^2, mean over every value of every slice of the group
};

struct SplitEvaluation {
    std::string split;
    std::size_t notes = 0;
    std::uint64_t slices = 0;
    double mse = 0;
    double seconds = 0;
    std::vector<EvalGroup> byPitchClass;  // C .. B, only classes with notes
    std::vector<EvalGroup> byFamily;      // bass .. vocal, only families with notes
};

struct EvalReport {
    std::string checkpoint, checkpointHash, model;
    std::vector<SplitEvaluation> splits;
    std::vector<std::string> notes;  // remarks (skipped splits, ...)
    std::string toJson() const;      // pretty JSON
    std::string table() const;       // readable console table
};

/// What is evaluated: slices of `bins` x `width` dB values (layout of dsp/Slicing.h) on the given
/// scale, and a function that reconstructs `count` of them (count x bins x width values in, the
/// same number out). The function is called from the evaluating thread only.
struct SliceReconstructor {
    int bins = 513, width = 3;
    bool mel = false;
    std::function<std::vector<float>(const float* slices, int count)> reconstruct;
    int sliceValues() const { return bins * width; }
};

/// The autoencoder as a reconstructor: decode(encode(x)). `model` must outlive the result.
SliceReconstructor modelReconstructor(const ModelRunner& model);

/// Evaluates every slice of every note in `features` (label `split`). Throws CancelledError, or
/// ConfigError when the features do not have the reconstructor's bins/scale.
SplitEvaluation evaluateSplit(const SliceReconstructor& model, const FeatureCache& features, const std::string& split,
                              const CancelToken& cancel = {},
                              const std::function<void(std::size_t done, std::size_t total)>& progress = {});
SplitEvaluation evaluateSplit(const ModelRunner& model, const FeatureCache& features, const std::string& split,
                              const CancelToken& cancel = {},
                              const std::function<void(std::size_t done, std::size_t total)>& progress = {});

/// Evaluates several feature caches (label, file) into one report (checkpoint fields left empty).
EvalReport evaluateSets(const SliceReconstructor& model,
                        const std::vector<std::pair<std::string, std::filesystem::path>>& sets,
                        const CancelToken& cancel = {},
                        const std::function<void(const std::string& split, std::size_t done, std::size_t total)>&
                            progress = {});
/// The same for a trained model (checkpoint fields filled in).
EvalReport evaluateSets(const ModelRunner& model,
                        const std::vector<std::pair<std::string, std::filesystem::path>>& sets,
                        const CancelToken& cancel = {},
                        const std::function<void(const std::string& split, std::size_t done, std::size_t total)>&
                            progress = {});

/// "C", "C#", ... "B".
const char* pitchClassName(int pitchClass);

} // namespace morph
