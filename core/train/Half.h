#pragma once
// IEEE 754 binary16 <-> float conversion for the feature cache (dB values in [-80, 0] keep
// 1/16 dB resolution or better, far below the model's reconstruction error).
// Thread contract: pure functions; the decode table is built once, thread-safely.
#include <array>
#include <cstdint>
#include <cstring>

namespace morph {

/// Round-to-nearest-even float -> half (overflow -> inf, NaN kept).
inline std::uint16_t floatToHalf(float value)
{
    std::uint32_t f;
    std::memcpy(&f, &value, 4);
    const std::uint32_t sign = (f >> 16) & 0x8000u;
    std::uint32_t absf = f & 0x7fffffffu;
    if (absf >= 0x7f800000u)  // inf or NaN
        return static_cast<std::uint16_t>(sign | 0x7c00u | (absf > 0x7f800000u ? 0x200u : 0u));
    if (absf >= 0x477ff000u)  // rounds to >= 65520: overflow
        return static_cast<std::uint16_t>(sign | 0x7c00u);
    if (absf < 0x38800000u) {  // subnormal half (or zero)
        if (absf < 0x33000000u)
            return static_cast<std::uint16_t>(sign);
        const std::uint32_t mant = (absf & 0x007fffffu) | 0x00800000u;
        const int shift = 126 - static_cast<int>(absf >> 23);
        const std::uint32_t rounded = mant >> shift;
        const std::uint32_t rem = mant & ((1u << shift) - 1);
        const std::uint32_t half = 1u << (shift - 1);
        std::uint32_t h = rounded + ((rem > half || (rem == half && (rounded & 1u))) ? 1u : 0u);
        return static_cast<std::uint16_t>(sign | h);
    }
    // normal: rebias exponent 127 -> 15, round mantissa 23 -> 10 bits (nearest even)
    std::uint32_t h = ((absf - 0x38000000u) >> 13);
    const std::uint32_t rem = absf & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u)))
        ++h;
    return static_cast<std::uint16_t>(sign | h);
}

inline float halfToFloatSlow(std::uint16_t h)
{
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exp = (h >> 10) & 0x1fu;
    std::uint32_t mant = h & 0x3ffu;
    std::uint32_t f;
    if (exp == 0) {
        if (mant == 0) {
            f = sign;
        } else {  // subnormal: normalise
            int e = -1;
            do {
                ++e;
                mant <<= 1;
            } while ((mant & 0x400u) == 0);
            f = sign | (static_cast<std::uint32_t>(127 - 15 - e) << 23) | ((mant & 0x3ffu) << 13);
        }
    } else if (exp == 31) {
        f = sign | 0x7f800000u | (mant << 13);
    } else {
        f = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float out;
    std::memcpy(&out, &f, 4);
    return out;
}

/// Table-driven half -> float (256 KiB table, built on first use).
inline float halfToFloat(std::uint16_t h)
{
    static const std::array<float, 65536> table = [] {
        std::array<float, 65536> t{};
        for (std::uint32_t i = 0; i < 65536; ++i)
            t[i] = halfToFloatSlow(static_cast<std::uint16_t>(i));
        return t;
    }();
    return table[h];
}

} // namespace morph
