// PCA baseline (issue 7): exact reconstruction of data in a k-dimensional affine subspace with k
// components and not with k-1, basis file round trip, fitting from a feature cache, and the
// Evaluator's per-split / per-pitch-class / per-family aggregation against a direct computation.
#include "dataset/NSynthDataset.h"
#include "train/Evaluator.h"
#include "train/FeatureCache.h"
#include "train/PcaBaseline.h"
#include "util/Errors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <unistd.h>

#include "support/TempDir.h"

using namespace morph;
namespace fs = std::filesystem;

namespace {

/// `count` rows of `dim` values: offset + sum_j c_j * v_j with k random directions v_j.
std::vector<float> subspaceRows(std::size_t count, int dim, int k, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> n01(0.f, 1.f);
    std::vector<float> offset(dim), dirs(static_cast<std::size_t>(k) * dim);
    for (auto& v : offset)
        v = -40.f + 10.f * n01(rng);  // dB-like level
    for (auto& v : dirs)
        v = n01(rng);
    std::vector<float> rows(count * dim);
    for (std::size_t r = 0; r < count; ++r) {
        for (int j = 0; j < k; ++j) {
            const float c = 5.f * n01(rng) / static_cast<float>(j + 1);  // distinct variances
            for (int d = 0; d < dim; ++d)
                rows[r * dim + d] += c * dirs[static_cast<std::size_t>(j) * dim + d];
        }
        for (int d = 0; d < dim; ++d)
            rows[r * dim + d] += offset[d];
    }
    return rows;
}

double mse(const std::vector<float>& a, const std::vector<float>& b)
{
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    return s / static_cast<double>(a.size());
}

constexpr int kBins = 128;  // mel settings: the cache's bins

/// A tiny feature cache: notes with given pitches/families, random dB frames.
fs::path tinyCache(const fs::path& dir, const std::vector<std::pair<int, int>>& pitchFamily, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-80.f, 0.f);
    std::vector<FeatureNote> notes;
    std::vector<std::vector<float>> frames;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < pitchFamily.size(); ++i) {
        FeatureNote n;
        n.frames = static_cast<std::uint32_t>(4 + i % 3);  // 2..4 slices of width 3
        n.totalFrames = n.frames;
        n.datasetIndex = static_cast<std::uint32_t>(i);
        n.pitch = static_cast<std::uint8_t>(pitchFamily[i].first);
        n.family = static_cast<std::uint8_t>(pitchFamily[i].second);
        n.velocity = 100;
        std::vector<float> db(static_cast<std::size_t>(n.frames) * kBins);
        for (auto& v : db)
            v = u(rng);
        notes.push_back(n);
        frames.push_back(std::move(db));
        names.push_back("note_" + std::to_string(i));
    }
    FeatureSettings s;
    s.mel = true;
    const fs::path file = dir / "tiny.feat";
    FeatureCache::write(file, s, "test", notes, frames, names);
    return file;
}

} // namespace

TEST(PcaBaseline, ExactOnSubspaceWithKComponentsNotWithFewer)
{
    const int dim = 40, k = 6;
    const auto rows = subspaceRows(500, dim, k, 7);
    const PcaBaseline full = PcaBaseline::fitRows(rows.data(), 500, dim, k);
    const auto recon = full.reconstruct(rows.data(), 500);
    EXPECT_LT(mse(recon, rows), 1e-6);
    EXPECT_NEAR(full.explainedVariance(), 1.0, 1e-6);

    const PcaBaseline fewer = PcaBaseline::fitRows(rows.data(), 500, dim, k - 1);
    const double err = mse(fewer.reconstruct(rows.data(), 500), rows);
    EXPECT_GT(err, 0.01);
    EXPECT_LT(fewer.explainedVariance(), 0.999);
    // The error of the best rank-(k-1) fit is the discarded eigenvalue (per value: / dim).
    EXPECT_NEAR(err, full.eigenvalues()[k - 1] * (500 - 1) / 500.0 / dim, 1e-3 * err + 1e-6);

    // Eigenvalues sorted, basis orthonormal.
    for (int r = 1; r < k; ++r)
        EXPECT_GE(full.eigenvalues()[r - 1], full.eigenvalues()[r]);
    const auto& P = full.basis();
    for (int a = 0; a < k; ++a)
        for (int b = 0; b < k; ++b) {
            double dot = 0;
            for (int d = 0; d < dim; ++d)
                dot += double(P[a * dim + d]) * P[b * dim + d];
            EXPECT_NEAR(dot, a == b ? 1.0 : 0.0, 1e-5);
        }
    // New points of the same subspace (same seed => same directions/offset) are exact too.
    const auto more = subspaceRows(50, dim, k, 7);
    EXPECT_LT(mse(full.reconstruct(more.data(), 50), more), 1e-6);
}

TEST(PcaBaseline, RejectsImpossibleSizes)
{
    const auto rows = subspaceRows(10, 8, 2, 1);
    EXPECT_THROW(PcaBaseline::fitRows(rows.data(), 10, 8, 9), ConfigError);
    EXPECT_THROW(PcaBaseline::fitRows(rows.data(), 10, 8, 0), ConfigError);
    EXPECT_THROW(PcaBaseline::fitRows(rows.data(), 1, 8, 2), ConfigError);
}

TEST(PcaBaseline, SavedBasisRoundTrips)
{
    test::TempDir tmp("morph_pca_test");
    const int dim = 30, k = 5;
    const auto rows = subspaceRows(200, dim, 8, 3);
    const PcaBaseline p = PcaBaseline::fitRows(rows.data(), 200, dim, k);
    const fs::path file = tmp.path / "b.basis";
    p.save(file);
    const PcaBaseline q = PcaBaseline::load(file);
    EXPECT_EQ(q.dimension(), dim);
    EXPECT_EQ(q.components(), k);
    EXPECT_EQ(q.fitSlices(), 200u);
    EXPECT_EQ(q.mean(), p.mean());
    EXPECT_EQ(q.basis(), p.basis());
    EXPECT_EQ(q.eigenvalues(), p.eigenvalues());
    EXPECT_DOUBLE_EQ(q.explainedVariance(), p.explainedVariance());
    EXPECT_EQ(q.reconstruct(rows.data(), 200), p.reconstruct(rows.data(), 200));

    // Truncated and foreign files are refused with a typed error.
    std::string bytes;
    {
        std::ifstream in(file, std::ios::binary);
        bytes.assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    std::ofstream(tmp.path / "cut.basis", std::ios::binary) << bytes.substr(0, bytes.size() - 9);
    EXPECT_THROW(PcaBaseline::load(tmp.path / "cut.basis"), DatasetError);
    std::ofstream(tmp.path / "junk.basis", std::ios::binary) << "not a basis at all, really not";
    EXPECT_THROW(PcaBaseline::load(tmp.path / "junk.basis"), DatasetError);
    EXPECT_THROW(PcaBaseline::load(tmp.path / "missing.basis"), IoError);
}

TEST(PcaBaseline, FitsFeatureCacheSlicesWithFullRankExactly)
{
    test::TempDir tmp("morph_pca_test");
    const fs::path file = tinyCache(tmp.path, {{60, 0}, {61, 3}, {62, 3}, {72, 5}, {48, 0}, {50, 8}}, 11);
    const FeatureCache cache = FeatureCache::open(file);
    const int dim = kBins * 3;
    PcaFitOptions o;
    o.components = 4;
    o.maxSlices = 0;
    const PcaBaseline p = PcaBaseline::fit(cache, o);
    EXPECT_EQ(p.bins(), kBins);
    EXPECT_EQ(p.width(), 3);
    EXPECT_EQ(p.fitSlices(), SliceIndex(cache, 3).size());
    // A subset of 5 slices (seeded) fits too and is deterministic.
    o.maxSlices = 5;
    o.seed = 3;
    EXPECT_EQ(PcaBaseline::fit(cache, o).fitSlices(), 5u);
    EXPECT_EQ(PcaBaseline::fit(cache, o).basis(), PcaBaseline::fit(cache, o).basis());
    // With as many components as slices - 1 the fitted slices lie in the span: exact.
    o.maxSlices = 0;
    o.components = static_cast<int>(SliceIndex(cache, 3).size()) - 1;
    ASSERT_LT(o.components, dim);
    const PcaBaseline exact = PcaBaseline::fit(cache, o);
    std::vector<float> slice(dim);
    for (std::size_t n = 0; n < cache.noteCount(); ++n)
        for (std::size_t s = 0; s < cache.slicesOfNote(n, 3); ++s) {
            cache.readSlice(n, static_cast<int>(s), 3, slice.data());
            EXPECT_LT(mse(exact.reconstruct(slice.data(), 1), slice), 1e-4);
        }
}

TEST(Evaluator, AggregationMatchesDirectComputation)
{
    test::TempDir tmp("morph_pca_test");
    const std::vector<std::pair<int, int>> pf = {{60, 0}, {61, 3}, {72, 3}, {73, 5}, {48, 0}, {50, 8}, {62, 3}};
    const fs::path file = tinyCache(tmp.path, pf, 5);
    const FeatureCache cache = FeatureCache::open(file);
    const int values = kBins * 3;

    // A reconstruction with a known, slice-dependent error: y = 0.9 x + 1.
    SliceReconstructor rec;
    rec.bins = kBins;
    rec.width = 3;
    rec.mel = true;
    int calls = 0;
    rec.reconstruct = [&](const float* x, int count) {
        ++calls;
        std::vector<float> y(static_cast<std::size_t>(count) * values);
        for (std::size_t i = 0; i < y.size(); ++i)
            y[i] = 0.9f * x[i] + 1.f;
        return y;
    };
    const SplitEvaluation e = evaluateSplit(rec, cache, "test");
    EXPECT_GE(calls, 1);

    // Direct computation, note by note.
    struct Sum { double sse = 0, n = 0; std::size_t notes = 0; std::uint64_t slices = 0; };
    Sum total;
    std::map<int, Sum> byPc, byFam;
    std::vector<float> slice(values);
    for (std::size_t n = 0; n < cache.noteCount(); ++n) {
        const std::size_t slices = cache.slicesOfNote(n, 3);
        double sse = 0;
        for (std::size_t s = 0; s < slices; ++s) {
            cache.readSlice(n, static_cast<int>(s), 3, slice.data());
            for (float x : slice) {
                const double d = double(0.9f * x + 1.f) - x;
                sse += d * d;
            }
        }
        for (Sum* a : {&total, &byPc[cache.note(n).pitch % 12], &byFam[cache.note(n).family]}) {
            a->sse += sse;
            a->n += double(slices * values);
            a->notes += 1;
            a->slices += slices;
        }
    }
    EXPECT_EQ(e.split, "test");
    EXPECT_EQ(e.notes, pf.size());
    EXPECT_EQ(e.slices, total.slices);
    EXPECT_NEAR(e.mse, total.sse / total.n, 1e-9 * total.sse / total.n);
    ASSERT_EQ(e.byPitchClass.size(), byPc.size());
    std::size_t i = 0;
    for (const auto& [pc, s] : byPc) {
        EXPECT_EQ(e.byPitchClass[i].name, pitchClassName(pc));
        EXPECT_EQ(e.byPitchClass[i].notes, s.notes);
        EXPECT_EQ(e.byPitchClass[i].slices, s.slices);
        EXPECT_NEAR(e.byPitchClass[i].mse, s.sse / s.n, 1e-9 * s.sse / s.n);
        ++i;
    }
    ASSERT_EQ(e.byFamily.size(), byFam.size());
    i = 0;
    for (const auto& [f, s] : byFam) {
        EXPECT_EQ(e.byFamily[i].name, familyName(f));
        EXPECT_EQ(e.byFamily[i].notes, s.notes);
        EXPECT_NEAR(e.byFamily[i].mse, s.sse / s.n, 1e-9 * s.sse / s.n);
        ++i;
    }

    // evaluateSets goes through the same function and the PCA baseline plugs in the same way.
    PcaFitOptions o;
    o.components = 3;
    o.maxSlices = 0;
    const PcaBaseline p = PcaBaseline::fit(cache, o);
    SliceReconstructor pr{kBins, 3, true, [&](const float* x, int count) { return p.reconstruct(x, count); }};
    const EvalReport r = evaluateSets(pr, {{"train", file}, {"test", file}});
    ASSERT_EQ(r.splits.size(), 2u);
    EXPECT_EQ(r.splits[0].split, "train");
    EXPECT_DOUBLE_EQ(r.splits[0].mse, r.splits[1].mse);
    EXPECT_GT(r.splits[0].mse, 0.0);
    // PCA error on the fitted slices = sum of the discarded eigenvalues * (n-1)/n / dim.
    const double n = double(p.fitSlices());
    EXPECT_NEAR(r.splits[0].mse, (p.totalVariance() - p.keptVariance()) * (n - 1) / n / values,
                1e-3 * r.splits[0].mse);
    // A mismatched scale is refused.
    SliceReconstructor wrong = pr;
    wrong.mel = false;
    EXPECT_THROW(evaluateSplit(wrong, cache, "test"), ConfigError);
}
