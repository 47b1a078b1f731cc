#include "morph/Correlation.h"
#include "util/AtomicFile.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

using namespace morph;

namespace {

std::vector<float> randomVector(std::mt19937& rng, std::size_t n)
{
    std::normal_distribution<float> dist;
    std::vector<float> v(n);
    for (auto& x : v)
        x = dist(rng);
    return v;
}

double naivePearson(const std::vector<float>& a, const std::vector<float>& b)
{
    const std::size_t n = a.size();
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        ma += a[i];
        mb += b[i];
    }
    ma /= n;
    mb /= n;
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / std::sqrt(saa * sbb);
}

} // namespace

TEST(Correlation, KnownAnswers)
{
    const std::vector<float> a = {1, 2, 3, 4, 5};
    const std::vector<float> b = {2, 4, 6, 8, 10};    // r = +1
    const std::vector<float> c = {5, 4, 3, 2, 1};     // r = -1
    const std::vector<float> d = {1, -1, 1, -1, 0};   // uncorrelated with a (r = -0.2357...)
    const auto m = computeCorrelation({&a, &b, &c, &d});
    ASSERT_EQ(m.size, 4u);
    EXPECT_NEAR(m.at(0, 1), 1.f, 1e-5);
    EXPECT_NEAR(m.at(0, 2), -1.f, 1e-5);
    EXPECT_NEAR(m.at(0, 3), naivePearson(a, d), 1e-5);
    EXPECT_NEAR(m.at(3, 0), naivePearson(a, d), 1e-5);
}

TEST(Correlation, SymmetricUnitDiagonalMatchesNaive)
{
    std::mt19937 rng(7);
    std::vector<std::vector<float>> data;
    for (int i = 0; i < 12; ++i)
        data.push_back(randomVector(rng, 3000));
    // make two of them correlated
    for (std::size_t k = 0; k < data[1].size(); ++k)
        data[1][k] = 0.7f * data[0][k] + 0.3f * data[1][k];
    std::vector<const std::vector<float>*> ptrs;
    for (auto& v : data)
        ptrs.push_back(&v);
    const auto m = computeCorrelation(ptrs);
    for (std::size_t i = 0; i < m.size; ++i) {
        EXPECT_FLOAT_EQ(m.at(i, i), 1.f);
        for (std::size_t j = 0; j < m.size; ++j) {
            EXPECT_FLOAT_EQ(m.at(i, j), m.at(j, i));
            EXPECT_NEAR(m.at(i, j), naivePearson(data[i], data[j]), 1e-4);
        }
    }
    EXPECT_GT(m.at(0, 1), 0.8f);
}

TEST(Correlation, ConstantVectorIsZeroOffDiagonal)
{
    const std::vector<float> a = {1, 2, 3};
    const std::vector<float> flat = {4, 4, 4};
    const auto m = computeCorrelation({&a, &flat});
    EXPECT_FLOAT_EQ(m.at(0, 1), 0.f);
    EXPECT_FLOAT_EQ(m.at(1, 1), 1.f);
}

TEST(Correlation, RankingSortedAndFiltered)
{
    std::mt19937 rng(3);
    std::vector<std::vector<float>> data;
    for (int i = 0; i < 8; ++i)
        data.push_back(randomVector(rng, 200));
    std::vector<const std::vector<float>*> ptrs;
    for (auto& v : data)
        ptrs.push_back(&v);
    const auto m = computeCorrelation(ptrs);
    // instruments: pairs (0,1), (2,3) share one; families: 0-3 family 0, 4-7 family 1
    std::vector<PairKey> keys = {{10, 0}, {10, 0}, {11, 0}, {11, 0}, {12, 1}, {13, 1}, {14, 1}, {15, 1}};

    PairFilter all{false, false};
    const auto ranked = rankLowestPairs(m, keys, all);
    ASSERT_EQ(ranked.size(), 28u);
    for (std::size_t i = 1; i < ranked.size(); ++i)
        EXPECT_LE(ranked[i - 1].r, ranked[i].r);
    for (const auto& p : ranked) {
        EXPECT_LT(p.a, p.b);
        EXPECT_FLOAT_EQ(p.r, m.at(p.a, p.b));
    }

    const auto noSameInstrument = rankLowestPairs(m, keys, PairFilter{true, false});
    EXPECT_EQ(noSameInstrument.size(), 26u);
    for (const auto& p : noSameInstrument)
        EXPECT_NE(keys[p.a].instrument, keys[p.b].instrument);

    const auto crossFamily = rankLowestPairs(m, keys, PairFilter{true, true}, 5);
    EXPECT_EQ(crossFamily.size(), 5u);
    for (const auto& p : crossFamily)
        EXPECT_NE(keys[p.a].family, keys[p.b].family);
    EXPECT_FLOAT_EQ(crossFamily.front().r, rankLowestPairs(m, keys, PairFilter{true, true}).front().r);
}

TEST(Correlation, CsvHasLabelsAndValues)
{
    const std::vector<float> a = {1, 2, 3}, b = {3, 2, 1};
    const auto m = computeCorrelation({&a, &b});
    const auto path = std::filesystem::temp_directory_path() / "morph_corr_test.csv";
    writeCorrelationCsv(path.string(), m, {"x", "y"});
    const std::string text = readWholeFile(path);
    EXPECT_EQ(text, "note,x,y\nx,1,-1\ny,-1,1\n");
    std::filesystem::remove(path);
}
