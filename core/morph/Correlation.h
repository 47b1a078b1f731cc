#pragma once
// Pearson correlation between notes' flattened embedding matrices, and the ranking of the
// least-correlated pairs (METHOD §6): they differ most and make the most interesting morphs.
// Thread contract: pure functions over caller-owned data; call from any non-real-time thread.
// computeCorrelation uses BLAS (OpenBLAS) and may use several cores.
#include <cstddef>
#include <string>
#include <vector>

namespace morph {

/// N x N symmetric matrix, row-major, unit diagonal.
struct CorrelationMatrix {
    std::size_t size = 0;
    std::vector<float> values;
    float at(std::size_t i, std::size_t j) const { return values[i * size + j]; }
};

/// Pearson r between every pair of vectors. Vectors of different lengths are compared over their
/// common prefix (all NSynth notes have the same length, so this only matters for user files).
/// A constant vector has no defined correlation: its row is 0 off the diagonal.
CorrelationMatrix computeCorrelation(const std::vector<const std::vector<float>*>& vectors);

struct PairFilter {
    bool skipSameInstrument = true;
    bool skipSameFamily = false;
};

/// What the ranking needs to know of each vector's note.
struct PairKey {
    int instrument = 0;
    int family = 0;
};

struct RankedPair {
    std::size_t a = 0;
    std::size_t b = 0;
    float r = 0.f;
};

/// Pairs i < j sorted by ascending r (ties by index), filtered, at most topK (0 = all).
std::vector<RankedPair> rankLowestPairs(const CorrelationMatrix& matrix,
                                        const std::vector<PairKey>& keys,
                                        const PairFilter& filter, std::size_t topK = 0);

/// Writes the matrix as CSV with a header row and column of labels (atomically).
void writeCorrelationCsv(const std::string& path, const CorrelationMatrix& matrix,
                         const std::vector<std::string>& labels);

} // namespace morph
