#include "morph/Correlation.h"

#include "util/AtomicFile.h"
#include "util/Errors.h"

#include <algorithm>
#include <cblas.h>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace morph {

CorrelationMatrix computeCorrelation(const std::vector<const std::vector<float>*>& vectors)
{
    CorrelationMatrix out;
    out.size = vectors.size();
    out.values.assign(out.size * out.size, 0.f);
    if (vectors.empty())
        return out;
    std::size_t length = vectors.front()->size();
    for (const auto* v : vectors)
        length = std::min(length, v->size());

    // Standardise each vector (zero mean, unit norm): r = <z_i, z_j>, one SYRK for all pairs.
    std::vector<float> z(out.size * length);
    std::vector<bool> constant(out.size, false);
    for (std::size_t i = 0; i < out.size; ++i) {
        const float* src = vectors[i]->data();
        double mean = 0.0;
        for (std::size_t k = 0; k < length; ++k)
            mean += src[k];
        mean /= double(std::max<std::size_t>(length, 1));
        double norm = 0.0;
        float* dst = &z[i * length];
        for (std::size_t k = 0; k < length; ++k) {
            const double d = src[k] - mean;
            dst[k] = float(d);
            norm += d * d;
        }
        norm = std::sqrt(norm);
        if (norm < 1e-12) {
            constant[i] = true;
            std::fill(dst, dst + length, 0.f);
        } else {
            const float inv = float(1.0 / norm);
            for (std::size_t k = 0; k < length; ++k)
                dst[k] *= inv;
        }
    }
    const int n = int(out.size);
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, n, int(length), 1.f, z.data(), int(length),
                0.f, out.values.data(), n);
    for (std::size_t i = 0; i < out.size; ++i) {
        for (std::size_t j = i + 1; j < out.size; ++j) {
            const float r = std::clamp(out.values[i * out.size + j], -1.f, 1.f);
            out.values[i * out.size + j] = r;
            out.values[j * out.size + i] = r;
        }
        out.values[i * out.size + i] = 1.f;  // by definition, also for a constant vector
    }
    return out;
}

std::vector<RankedPair> rankLowestPairs(const CorrelationMatrix& matrix,
                                        const std::vector<PairKey>& keys,
                                        const PairFilter& filter, std::size_t topK)
{
    if (keys.size() != matrix.size)
        throw ConfigError("rankLowestPairs: " + std::to_string(keys.size()) + " keys for a "
                          + std::to_string(matrix.size) + "x" + std::to_string(matrix.size) + " matrix");
    std::vector<RankedPair> pairs;
    for (std::size_t i = 0; i < matrix.size; ++i) {
        for (std::size_t j = i + 1; j < matrix.size; ++j) {
            if (filter.skipSameInstrument && keys[i].instrument == keys[j].instrument)
                continue;
            if (filter.skipSameFamily && keys[i].family == keys[j].family)
                continue;
            pairs.push_back({i, j, matrix.at(i, j)});
        }
    }
    const auto less = [](const RankedPair& x, const RankedPair& y) {
        if (x.r != y.r)
            return x.r < y.r;
        return x.a != y.a ? x.a < y.a : x.b < y.b;
    };
    if (topK > 0 && topK < pairs.size()) {
        std::partial_sort(pairs.begin(), pairs.begin() + long(topK), pairs.end(), less);
        pairs.resize(topK);
    } else {
        std::sort(pairs.begin(), pairs.end(), less);
    }
    return pairs;
}

void writeCorrelationCsv(const std::string& path, const CorrelationMatrix& matrix,
                         const std::vector<std::string>& labels)
{
    if (labels.size() != matrix.size)
        throw ConfigError("writeCorrelationCsv: label count does not match the matrix");
    std::ostringstream csv;
    csv << "note";
    for (const auto& l : labels)
        csv << ',' << l;
    csv << '\n' << std::setprecision(6);
    for (std::size_t i = 0; i < matrix.size; ++i) {
        csv << labels[i];
        for (std::size_t j = 0; j < matrix.size; ++j)
            csv << ',' << matrix.at(i, j);
        csv << '\n';
    }
    writeFileAtomically(path, csv.str());
}

} // namespace morph
