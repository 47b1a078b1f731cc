// Mel filterbank (Slaney scale + Slaney area normalisation, librosa defaults) and its inverses.
#include "dataset/AudioFile.h"
#include "dsp/MelFilterbank.h"
#include "dsp/Stft.h"
#include "util/Errors.h"

#include "support/RealNotes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <cstdio>
#include <random>

using namespace morph::dsp;

namespace {
constexpr double kPi = 3.14159265358979323846;
}

TEST(MelScale, SlaneyFormula)
{
    EXPECT_DOUBLE_EQ(hzToMelSlaney(0.0), 0.0);
    EXPECT_NEAR(hzToMelSlaney(500.0), 7.5, 1e-12);      // linear part: 200/3 Hz per mel
    EXPECT_NEAR(hzToMelSlaney(1000.0), 15.0, 1e-12);
    EXPECT_NEAR(hzToMelSlaney(6400.0), 42.0, 1e-9);      // log part: 27 mels per factor 6.4
    EXPECT_NEAR(hzToMelSlaney(8000.0), 15.0 + 27.0 * std::log(8.0) / std::log(6.4), 1e-9);
    for (double hz : {10.0, 999.0, 1000.0, 1234.5, 7999.0})
        EXPECT_NEAR(melToHzSlaney(hzToMelSlaney(hz)), hz, 1e-9 * hz);
}

TEST(MelScale, BandEdgesAndWeights)
{
    MelFilterbank fb(16000, 1024, 128);
    EXPECT_EQ(fb.mels(), 128);
    EXPECT_EQ(fb.bins(), 513);
    const auto& f = fb.melFrequencies();
    ASSERT_EQ(f.size(), 130u);
    EXPECT_NEAR(f.front(), 0.0, 1e-9);
    EXPECT_NEAR(f.back(), 8000.0, 1e-6);
    const double melMax = hzToMelSlaney(8000.0);
    for (int i = 0; i < 130; ++i)  // evenly spaced on the Slaney mel scale
        EXPECT_NEAR(hzToMelSlaney(f[i]), melMax * i / 129.0, 1e-9) << i;
    // every weight is the Slaney-normalised triangle evaluated at the bin frequency
    for (int m : {0, 5, 40, 90, 127}) {
        const double lo = f[m], mid = f[m + 1], hi = f[m + 2];
        for (int b = 0; b < 513; ++b) {
            const double hz = b * 15.625;
            const double tri = std::max(0.0, std::min((hz - lo) / (mid - lo), (hi - hz) / (hi - mid)));
            EXPECT_NEAR(fb.weight(m, b), tri * 2.0 / (hi - lo), 1e-7) << m << " " << b;
        }
        EXPECT_GE(fb.bandStart(m) * 15.625, lo);
        EXPECT_LE((fb.bandEnd(m) - 1) * 15.625, hi);
    }
    // no empty band at these settings
    for (int m = 0; m < 128; ++m)
        EXPECT_GT(fb.bandEnd(m), fb.bandStart(m)) << m;
}

TEST(MelScale, AreaNormalisation)
{
    // Slaney normalisation gives every triangle unit area in Hz: sum(weights) * bin spacing ~ 1
    // wherever the triangle spans enough bins to be sampled well.
    MelFilterbank fb(16000, 1024, 128);
    const auto& f = fb.melFrequencies();
    int checked = 0;
    for (int m = 0; m < 128; ++m) {
        if (f[m + 2] - f[m] < 8 * 15.625)
            continue;
        double sum = 0.0;
        for (int b = 0; b < 513; ++b)
            sum += fb.weight(m, b);
        EXPECT_NEAR(sum * 15.625, 1.0, 0.03) << m;
        ++checked;
    }
    EXPECT_GT(checked, 40);  // the 8 kHz top has ~60 bands this wide
    // low bands are narrow: their peak height is 2 / width
    EXPECT_NEAR(2.0 / (f[2] - f[0]), 2.0 / (2 * (f[1] - f[0])), 1e-12);
}

TEST(MelScale, ToneLandsInItsBand)
{
    Stft stft;
    MelFilterbank fb;
    const auto& f = fb.melFrequencies();
    for (double hz : {250.0, 1000.0, 3000.0, 6000.0}) {
        std::vector<float> x(16000);
        for (std::size_t i = 0; i < x.size(); ++i)
            x[i] = static_cast<float>(std::sin(2 * kPi * hz * i / 16000.0));
        const auto mel = fb.toMel(magnitude(stft.forward(x)));
        EXPECT_EQ(mel.bins, 128);
        const float* fr = mel.frame(10);
        const int best = static_cast<int>(std::max_element(fr, fr + 128) - fr);
        // the loudest band's range contains the tone, and its centre is the nearest one or two
        EXPECT_LE(f[best], hz);
        EXPECT_GE(f[best + 2], hz);
        EXPECT_LT(std::abs(f[best + 1] - hz), 2.0 * (f[best + 2] - f[best])) << hz;
    }
}

TEST(MelScale, InversesReconstruct)
{
    Stft stft;
    MelFilterbank fb;
    // harmonic tone + noise floor
    std::mt19937 rng(3);
    std::normal_distribution<float> nd(0.f, 0.01f);
    std::vector<float> x(32000);
    for (std::size_t i = 0; i < x.size(); ++i) {
        double v = 0.0;
        for (int h = 1; h < 8; ++h)
            v += std::sin(2 * kPi * 220.0 * h * i / 16000.0) / h;
        x[i] = static_cast<float>(v) + nd(rng);
    }
    const auto lin = magnitude(stft.forward(x));
    const auto mel = fb.toMel(lin);
    const auto relMelErr = [&](const Spectrogram& rec) {
        const auto back = fb.toMel(rec);
        double e = 0.0, n = 0.0;
        for (std::size_t i = 0; i < mel.values.size(); ++i) {
            e += std::pow(back.values[i] - mel.values[i], 2);
            n += std::pow(mel.values[i], 2);
        }
        return std::sqrt(e / n);
    };
    const auto relLinErr = [&](const Spectrogram& rec) {
        double e = 0.0, n = 0.0;
        for (std::size_t i = 0; i < lin.values.size(); ++i) {
            e += std::pow(rec.values[i] - lin.values[i], 2);
            n += std::pow(lin.values[i], 2);
        }
        return std::sqrt(e / n);
    };
    const auto nnls = fb.toLinear(mel, MelFilterbank::Inverse::Nnls);
    const auto pinv = fb.toLinear(mel, MelFilterbank::Inverse::PseudoInverse);
    for (float v : nnls.values)
        ASSERT_GE(v, 0.f);
    for (float v : pinv.values)
        ASSERT_GE(v, 0.f);
    const double nm = relMelErr(nnls), pm = relMelErr(pinv), nl = relLinErr(nnls), pl = relLinErr(pinv);
    std::printf("mel->linear on a harmonic tone: NNLS mel err %.4f lin err %.4f | pinv mel err %.4f lin err %.4f\n",
                nm, nl, pm, pl);
    EXPECT_LT(nm, pm);     // NNLS fits the mel spectrum better than the clamped pseudo-inverse
    EXPECT_LT(nm, 0.05);
    EXPECT_LT(nl, 1.0);    // the linear detail inside a band is not recoverable, but bounded
    for (int its : {10, 25, 50, 100, 400}) {
        const auto r = fb.toLinear(mel, MelFilterbank::Inverse::Nnls, its);
        std::printf("  NNLS %3d iterations: mel err %.5f lin err %.4f\n", its, relMelErr(r), relLinErr(r));
    }
    EXPECT_THROW(fb.toLinear(lin), morph::ConfigError);
    EXPECT_THROW(fb.toMel(mel), morph::ConfigError);
}

TEST(MelScale, InversesOnRealNotes)
{
    const auto files = morph::test::pitch60WavFiles();
    if (files.empty())
        GTEST_SKIP() << "real notes not found in " << morph::test::pitch60AudioDir();
    Stft stft;
    MelFilterbank fb;
    double sums[4] = {0, 0, 0, 0};
    int used = 0;
    for (std::size_t i = 0; i < files.size(); i += 6) {  // 10 notes across the families
        const auto lin = magnitude(stft.forward(morph::loadNoteAudio(files[i]).samples));
        const auto mel = fb.toMel(lin);
        const Spectrogram rec[2] = {fb.toLinear(mel, MelFilterbank::Inverse::Nnls),
                                    fb.toLinear(mel, MelFilterbank::Inverse::PseudoInverse)};
        for (int m = 0; m < 2; ++m) {
            const auto back = fb.toMel(rec[m]);
            double em = 0, nm = 0, el = 0, nl = 0;
            for (std::size_t k = 0; k < mel.values.size(); ++k) {
                em += std::pow(back.values[k] - mel.values[k], 2);
                nm += std::pow(mel.values[k], 2);
            }
            for (std::size_t k = 0; k < lin.values.size(); ++k) {
                el += std::pow(rec[m].values[k] - lin.values[k], 2);
                nl += std::pow(lin.values[k], 2);
            }
            sums[2 * m] += std::sqrt(em / nm);
            sums[2 * m + 1] += std::sqrt(el / nl);
        }
        ++used;
    }
    for (double& v : sums)
        v /= used;
    std::printf("mel->linear on %d real notes (mean relative Frobenius errors): NNLS mel %.5f linear %.4f | "
                "pinv mel %.5f linear %.4f\n", used, sums[0], sums[1], sums[2], sums[3]);
    EXPECT_LT(sums[0], 0.01);      // NNLS reproduces the mel spectrum
    EXPECT_LT(sums[0], sums[2]);
    EXPECT_LT(sums[1], sums[3]);   // and is closer to the true linear magnitudes
}
