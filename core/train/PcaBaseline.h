#pragma once
// PCA baseline (GitHub issue 7): a linear model that does not learn by gradient descent, with the
// same embedding size as an autoencoder, fitted on the same training slices and evaluated by the
// same Evaluator, so the quality report can say how much the autoencoder gains over it.
//
// Fit: a seeded random subset (up to maxSlices) of the training slices of a FeatureCache, each
// flattened to bins x width dB values (1539 for log-mag slices, layout of dsp/Slicing.h); the mean
// is subtracted, the covariance accumulated in float64 (two passes, chunked, torch::mm), and its
// eigenvectors (torch::linalg_eigh) with the k largest eigenvalues kept.
// Reconstruction: x' = mean + P^T P (x - mean), P = the k x D orthonormal basis.
//
// Basis file (little-endian), written atomically:
//   0  char[9] "MORPHPCA\n", u8 0, u16 0, u32 version (1)
//  16  u64 J: length of the UTF-8 JSON metadata that follows (dims, bins, width, mel, fit info)
//  24  J bytes JSON, then float32 mean[D], float32 basis[k * D] (row r = component r, largest
//      eigenvalue first), float64 eigenvalues[k]
//
// Thread contract: fit()/load() on any one thread; a PcaBaseline is then immutable and its const
// members (reconstruct, encode, decode) may be used from any number of threads.
#include "util/CancelToken.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace morph {

class FeatureCache;

struct PcaFitOptions {
    int components = 250;             // k, the embedding size to match (250 single, 124 double log-mag)
    int width = 3;                    // frames per slice (3, or 1 for the frame model)
    std::uint64_t maxSlices = 50000;  // 0 = every training slice
    std::uint64_t seed = 1;           // which random subset
};

class PcaBaseline {
public:
    /// Fits on slices of `train`. Throws ConfigError (k < 1, k > D, fewer slices than k + 1),
    /// CancelledError.
    static PcaBaseline fit(const FeatureCache& train, const PcaFitOptions& options, const CancelToken& cancel = {});
    /// Fits on `rows` row vectors of `dim` values (tests, in-memory data).
    static PcaBaseline fitRows(const float* rows, std::size_t count, int dim, int components);

    /// Writes the basis file atomically (IoError) / reads it back (IoError, DatasetError naming the file).
    void save(const std::filesystem::path& file) const;
    static PcaBaseline load(const std::filesystem::path& file);

    int dimension() const { return dim_; }
    int components() const { return k_; }
    int bins() const { return bins_; }
    int width() const { return width_; }
    bool mel() const { return mel_; }
    std::uint64_t fitSlices() const { return fitSlices_; }
    /// Sum of the kept eigenvalues / trace of the covariance (fraction of variance explained).
    double explainedVariance() const { return totalVariance_ > 0 ? keptVariance() / totalVariance_ : 0; }
    double keptVariance() const;
    double totalVariance() const { return totalVariance_; }
    const std::vector<double>& eigenvalues() const { return eigenvalues_; }
    const std::vector<float>& mean() const { return mean_; }
    const std::vector<float>& basis() const { return basis_; }  // k x D, row-major
    /// Free-form description of what it was fitted on (feature file, seed).
    const std::string& source() const { return source_; }
    /// "pca k=250 on 50000 log-mag slices (513x3), 97.1% of the variance".
    std::string summary() const;

    /// count x D values -> count x k coefficients, and back; reconstruct = decode(encode(x)).
    std::vector<float> encode(const float* x, int count) const;
    std::vector<float> decode(const float* z, int count) const;
    std::vector<float> reconstruct(const float* x, int count) const;

private:
    int dim_ = 0, k_ = 0, bins_ = 0, width_ = 1;
    bool mel_ = false;
    std::uint64_t fitSlices_ = 0;
    double totalVariance_ = 0;
    std::string source_;
    std::vector<float> mean_, basis_;
    std::vector<double> eigenvalues_;

    static PcaBaseline fromCovariance(std::vector<double> mean, std::vector<double> covariance, int dim, int k);
};

} // namespace morph
