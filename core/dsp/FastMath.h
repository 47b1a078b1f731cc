#pragma once
// Internal to core/dsp: branch-free logf/expf (Cephes polynomials; measured max abs error of ln
// 5e-7 over [1e-6, 1e4], relative error of exp 8e-8 over [-87, 88]) that GCC can vectorise
// (fastLn does; fastExp's clamps keep GCC 12 from it), unlike the libm calls. fastLn needs a
// positive normal float (the dB code clamps at amin first); fastExp clamps to [-87, 88].
// Thread contract: pure functions.
#include <cstdint>
#include <cstring>

// MORPH_DSP_HOT marks the few hot loop functions: on GCC/x86-64 they are compiled twice, for
// x86-64-v3 (AVX2 + FMA) and for the baseline, and the loader picks one per process (ifunc), so
// the binary stays portable. MORPH_DSP_INLINE forces helpers into them (so they get the clone's
// instruction set too).
// Sanitizer builds get no clones: the ifunc resolvers run before the sanitizer runtime is up.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(MORPH_NO_TARGET_CLONES) && \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define MORPH_DSP_HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define MORPH_DSP_HOT
#endif
#define MORPH_DSP_INLINE inline __attribute__((always_inline))

namespace morph::dsp::detail {

MORPH_DSP_INLINE float fastLn(float x)
{
    // x = z * 2^k with z in [sqrt(0.5), sqrt(2)) by integer arithmetic only (no branches, so
    // the loops calling this vectorise): subtract the bits of sqrt(0.5), the exponent field of
    // the difference is k.
    std::uint32_t ix;
    std::memcpy(&ix, &x, sizeof ix);
    const std::uint32_t tmp = ix - 0x3F3504F3u;
    const int k = static_cast<int>(tmp) >> 23;
    const std::uint32_t iz = ix - (tmp & 0xFF800000u);
    float m;
    std::memcpy(&m, &iz, sizeof m);
    m -= 1.f;
    const float e = static_cast<float>(k);
    const float z = m * m;
    float y = 7.0376836292e-2f;
    y = y * m - 1.1514610310e-1f;
    y = y * m + 1.1676998740e-1f;
    y = y * m - 1.2420140846e-1f;
    y = y * m + 1.4249322787e-1f;
    y = y * m - 1.6668057665e-1f;
    y = y * m + 2.0000714765e-1f;
    y = y * m - 2.4999993993e-1f;
    y = y * m + 3.3333331174e-1f;
    y = y * m * z;
    y += -2.12194440e-4f * e;
    y += -0.5f * z;
    return m + y + 0.693359375f * e;
}

MORPH_DSP_INLINE float fastExp(float x)
{
    x = x < -87.f ? -87.f : x;
    x = x > 88.f ? 88.f : x;
    // round(x / ln 2) by the 1.5 * 2^23 trick: the float sum's low mantissa bits are the integer
    const float shifted = x * 1.44269504088896341f + 12582912.f;
    const float fx = shifted - 12582912.f;
    std::uint32_t sb;
    std::memcpy(&sb, &shifted, sizeof sb);
    const std::uint32_t n = sb - 0x4B400000u;  // two's complement of round(x / ln 2)
    x -= fx * 0.693359375f;
    x -= fx * -2.12194440e-4f;
    const float z = x * x;
    float y = 1.9875691500e-4f;
    y = y * x + 1.3981999507e-3f;
    y = y * x + 8.3334519073e-3f;
    y = y * x + 4.1665795894e-2f;
    y = y * x + 1.6666665459e-1f;
    y = y * x + 5.0000001201e-1f;
    y = y * z + x + 1.f;
    const std::uint32_t bits = (n + 127u) << 23;
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return y * scale;
}

} // namespace morph::dsp::detail
