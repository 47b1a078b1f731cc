#include "train/PcaBaseline.h"

#include "train/FeatureCache.h"
#include "util/AtomicFile.h"
#include "util/Errors.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <numeric>
#include <random>
#include <unordered_set>

namespace morph {

namespace {

constexpr char kMagic[9] = {'M', 'O', 'R', 'P', 'H', 'P', 'C', 'A', '\n'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeaderSize = 24;
constexpr std::size_t kChunk = 2048;  // rows per covariance update

using RowReader = std::function<void(std::uint64_t row, float* out)>;

/// Mean and covariance (float64, two passes, chunked) of `count` rows of `dim` values.
std::pair<std::vector<double>, std::vector<double>> meanAndCovariance(std::uint64_t count, int dim,
                                                                      const RowReader& read,
                                                                      const CancelToken& cancel)
{
    const auto d = static_cast<std::size_t>(dim);
    std::vector<float> buf(kChunk * d);
    std::vector<double> mean(d, 0.0);
    for (std::uint64_t start = 0; start < count; start += kChunk) {
        if (cancel.isCancelled())
            throw CancelledError("PCA fit cancelled");
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, count - start));
        for (std::size_t r = 0; r < n; ++r)
            read(start + r, buf.data() + r * d);
        for (std::size_t r = 0; r < n; ++r)
            for (std::size_t c = 0; c < d; ++c)
                mean[c] += buf[r * d + c];
    }
    for (double& m : mean)
        m /= static_cast<double>(count);

    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    torch::NoGradGuard noGrad;
    torch::Tensor cov = torch::zeros({dim, dim}, f64);
    torch::Tensor mu = torch::from_blob(mean.data(), {1, dim}, f64);
    for (std::uint64_t start = 0; start < count; start += kChunk) {
        if (cancel.isCancelled())
            throw CancelledError("PCA fit cancelled");
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, count - start));
        for (std::size_t r = 0; r < n; ++r)
            read(start + r, buf.data() + r * d);
        torch::Tensor x =
            torch::from_blob(buf.data(), {static_cast<std::int64_t>(n), dim}, torch::kFloat32).to(torch::kFloat64) - mu;
        cov.addmm_(x.t(), x);
    }
    cov.div_(static_cast<double>(std::max<std::uint64_t>(1, count - 1)));
    cov = cov.contiguous();
    std::vector<double> covOut(cov.data_ptr<double>(), cov.data_ptr<double>() + d * d);
    return {std::move(mean), std::move(covOut)};
}

torch::Tensor asTensor(const std::vector<float>& v, std::int64_t rows, std::int64_t cols)
{
    return torch::from_blob(const_cast<float*>(v.data()), {rows, cols}, torch::kFloat32);
}

} // namespace

PcaBaseline PcaBaseline::fromCovariance(std::vector<double> mean, std::vector<double> covariance, int dim, int k)
{
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    torch::NoGradGuard noGrad;
    torch::Tensor cov = torch::from_blob(covariance.data(), {dim, dim}, f64);
    auto [values, vectors] = torch::linalg_eigh(cov, "L");  // ascending eigenvalues, vectors in columns
    values = values.contiguous();
    torch::Tensor top = vectors.index({torch::indexing::Slice(), torch::indexing::Slice(dim - k, dim)})
                            .flip({1})
                            .t()
                            .contiguous()
                            .to(torch::kFloat32);  // k x D, largest first
    PcaBaseline p;
    p.dim_ = dim;
    p.k_ = k;
    p.totalVariance_ = cov.trace().item<double>();
    p.mean_.assign(mean.begin(), mean.end());
    p.basis_.assign(top.data_ptr<float>(), top.data_ptr<float>() + static_cast<std::size_t>(k) * dim);
    const double* ev = values.data_ptr<double>();
    for (int r = 0; r < k; ++r)
        p.eigenvalues_.push_back(std::max(0.0, ev[dim - 1 - r]));
    return p;
}

PcaBaseline PcaBaseline::fitRows(const float* rows, std::size_t count, int dim, int components)
{
    if (dim < 1 || components < 1 || components > dim)
        throw ConfigError("PCA: " + std::to_string(components) + " components of " + std::to_string(dim) +
                          "-dimensional data is impossible (1 .. dimension)");
    if (count < 2)
        throw ConfigError("PCA: at least 2 rows are needed, got " + std::to_string(count));
    auto [mean, cov] = meanAndCovariance(count, dim, [&](std::uint64_t r, float* out) {
        std::memcpy(out, rows + r * static_cast<std::size_t>(dim), sizeof(float) * static_cast<std::size_t>(dim));
    }, {});
    PcaBaseline p = fromCovariance(std::move(mean), std::move(cov), dim, components);
    p.bins_ = dim;
    p.width_ = 1;
    p.fitSlices_ = count;
    p.source_ = "in-memory rows";
    return p;
}

PcaBaseline PcaBaseline::fit(const FeatureCache& train, const PcaFitOptions& o, const CancelToken& cancel)
{
    const int dim = train.bins() * o.width;
    if (o.width < 1 || o.components < 1 || o.components > dim)
        throw ConfigError("PCA: " + std::to_string(o.components) + " components of " + std::to_string(train.bins()) +
                          "x" + std::to_string(o.width) + " slices is impossible (choose 1 .. " + std::to_string(dim) +
                          ")");
    const SliceIndex index(train, o.width);
    const std::uint64_t total = index.size();
    std::vector<std::uint64_t> chosen;
    if (o.maxSlices == 0 || total <= o.maxSlices) {
        chosen.resize(total);
        std::iota(chosen.begin(), chosen.end(), std::uint64_t{0});
    } else {
        // Floyd's sampling: maxSlices distinct slices, uniformly, in O(maxSlices) memory.
        std::mt19937_64 rng(o.seed);
        std::unordered_set<std::uint64_t> picked;
        picked.reserve(o.maxSlices * 2);
        for (std::uint64_t j = total - o.maxSlices; j < total; ++j) {
            const std::uint64_t t = rng() % (j + 1);
            picked.insert(picked.count(t) ? j : t);
        }
        chosen.assign(picked.begin(), picked.end());
        std::sort(chosen.begin(), chosen.end());  // reading order = file order
    }
    if (chosen.size() <= static_cast<std::size_t>(o.components))
        throw ConfigError("PCA: " + train.path().string() + " has " + std::to_string(chosen.size()) +
                          " slices, fewer than the " + std::to_string(o.components) + " components + 1 asked for");
    auto [mean, cov] = meanAndCovariance(chosen.size(), dim, [&](std::uint64_t r, float* out) {
        const auto [note, first] = index.locate(chosen[r]);
        train.readSlice(note, first, o.width, out);
    }, cancel);
    PcaBaseline p = fromCovariance(std::move(mean), std::move(cov), dim, o.components);
    p.bins_ = train.bins();
    p.width_ = o.width;
    p.mel_ = train.settings().mel;
    p.fitSlices_ = chosen.size();
    p.source_ = train.path().string() + " (" + std::to_string(chosen.size()) + " of " + std::to_string(total) +
                " slices, seed " + std::to_string(o.seed) + ")";
    return p;
}

double PcaBaseline::keptVariance() const
{
    return std::accumulate(eigenvalues_.begin(), eigenvalues_.end(), 0.0);
}

std::string PcaBaseline::summary() const
{
    char buf[256];
    std::snprintf(buf, sizeof(buf), "pca k=%d on %llu %s slices (%dx%d), %.2f%% of the variance", k_,
                  static_cast<unsigned long long>(fitSlices_), mel_ ? "mel" : "log-mag", bins_, width_,
                  100.0 * explainedVariance());
    return buf;
}

std::vector<float> PcaBaseline::encode(const float* x, int count) const
{
    std::vector<float> out(static_cast<std::size_t>(count) * k_);
    if (count <= 0)
        return out;
    torch::NoGradGuard noGrad;
    torch::Tensor in = torch::from_blob(const_cast<float*>(x), {count, dim_}, torch::kFloat32);
    torch::Tensor z = torch::mm(in - asTensor(mean_, 1, dim_), asTensor(basis_, k_, dim_).t()).contiguous();
    std::memcpy(out.data(), z.data_ptr<float>(), out.size() * sizeof(float));
    return out;
}

std::vector<float> PcaBaseline::decode(const float* z, int count) const
{
    std::vector<float> out(static_cast<std::size_t>(count) * dim_);
    if (count <= 0)
        return out;
    torch::NoGradGuard noGrad;
    torch::Tensor in = torch::from_blob(const_cast<float*>(z), {count, k_}, torch::kFloat32);
    torch::Tensor y = torch::addmm(asTensor(mean_, 1, dim_), in, asTensor(basis_, k_, dim_)).contiguous();
    std::memcpy(out.data(), y.data_ptr<float>(), out.size() * sizeof(float));
    return out;
}

std::vector<float> PcaBaseline::reconstruct(const float* x, int count) const
{
    const std::vector<float> z = encode(x, count);
    return decode(z.data(), count);
}

void PcaBaseline::save(const std::filesystem::path& file) const
{
    const nlohmann::json meta = {{"kind", "pca-baseline"},
                                 {"dimension", dim_},
                                 {"components", k_},
                                 {"bins", bins_},
                                 {"width", width_},
                                 {"scale", mel_ ? "mel" : "log-mag"},
                                 {"fit_slices", fitSlices_},
                                 {"total_variance", totalVariance_},
                                 {"explained_variance", explainedVariance()},
                                 {"source", source_}};
    const std::string json = meta.dump(2);
    char header[kHeaderSize] = {};
    std::memcpy(header, kMagic, sizeof(kMagic));
    std::memcpy(header + 12, &kVersion, 4);
    const std::uint64_t jsonBytes = json.size();
    std::memcpy(header + 16, &jsonBytes, 8);
    AtomicFileWriter w(file);
    w.write(header, kHeaderSize);
    w.write(json);
    w.write(mean_.data(), mean_.size() * sizeof(float));
    w.write(basis_.data(), basis_.size() * sizeof(float));
    w.write(eigenvalues_.data(), eigenvalues_.size() * sizeof(double));
    w.commit();
}

PcaBaseline PcaBaseline::load(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw IoError("cannot open PCA basis " + file.string());
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string where = "PCA basis " + file.string();
    if (bytes.size() < kHeaderSize || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
        throw DatasetError(where + " is not a Morphstation PCA basis (bad magic)");
    std::uint32_t version = 0;
    std::uint64_t jsonBytes = 0;
    std::memcpy(&version, bytes.data() + 12, 4);
    std::memcpy(&jsonBytes, bytes.data() + 16, 8);
    if (version != kVersion)
        throw DatasetError(where + " has format version " + std::to_string(version) + "; this build reads " +
                           std::to_string(kVersion));
    if (jsonBytes > bytes.size() - kHeaderSize)
        throw DatasetError(where + " is truncated (metadata)");
    PcaBaseline p;
    try {
        const auto meta = nlohmann::json::parse(bytes.substr(kHeaderSize, jsonBytes));
        p.dim_ = meta.at("dimension").get<int>();
        p.k_ = meta.at("components").get<int>();
        p.bins_ = meta.at("bins").get<int>();
        p.width_ = meta.at("width").get<int>();
        p.mel_ = meta.at("scale").get<std::string>() == "mel";
        p.fitSlices_ = meta.at("fit_slices").get<std::uint64_t>();
        p.totalVariance_ = meta.at("total_variance").get<double>();
        p.source_ = meta.value("source", std::string());
    } catch (const nlohmann::json::exception& e) {
        throw DatasetError(where + ": malformed metadata (" + e.what() + ")");
    }
    if (p.dim_ < 1 || p.k_ < 1 || p.k_ > p.dim_ || p.bins_ * p.width_ != p.dim_)
        throw DatasetError(where + ": inconsistent sizes (dimension " + std::to_string(p.dim_) + ", components " +
                           std::to_string(p.k_) + ", bins " + std::to_string(p.bins_) + " x width " +
                           std::to_string(p.width_) + ")");
    const std::size_t d = static_cast<std::size_t>(p.dim_), k = static_cast<std::size_t>(p.k_);
    const std::size_t need = kHeaderSize + jsonBytes + (d + k * d) * sizeof(float) + k * sizeof(double);
    if (bytes.size() != need)
        throw DatasetError(where + " has " + std::to_string(bytes.size()) + " bytes, expected " + std::to_string(need) +
                           " (truncated or corrupt)");
    const char* at = bytes.data() + kHeaderSize + jsonBytes;
    p.mean_.resize(d);
    std::memcpy(p.mean_.data(), at, d * sizeof(float));
    at += d * sizeof(float);
    p.basis_.resize(k * d);
    std::memcpy(p.basis_.data(), at, k * d * sizeof(float));
    at += k * d * sizeof(float);
    p.eigenvalues_.resize(k);
    std::memcpy(p.eigenvalues_.data(), at, k * sizeof(double));
    return p;
}

} // namespace morph
