#pragma once
// Internal to core/dsp: process-wide cache of FFTW single-precision real FFT plans, one pair
// (r2c, c2r) per size, made once with FFTW_MEASURE on fftwf_malloc'ed (SIMD-aligned) arrays, and
// an owning aligned buffer type. FFTW wisdom is loaded from / saved to
// $MORPH_FFTW_WISDOM, else $XDG_CACHE_HOME/morphstation/fftw3f.wisdom, else
// ~/.cache/morphstation/fftw3f.wisdom, so later processes skip the measuring; MORPH_FFTW_ESTIMATE=1
// plans with FFTW_ESTIMATE instead (no measuring at all).
// Thread contract: plansFor() may be called from any thread (a mutex guards FFTW's planner,
// which is not thread-safe). Executing the returned plans with the new-array functions is
// thread-safe, provided the arrays are aligned like fftwf_malloc's (use AlignedBuffer).
#include <fftw3.h>

#include <complex>
#include <cstddef>

namespace morph::dsp::detail {

struct RealFftPlans {
    int n = 0;
    fftwf_plan forward = nullptr;   // n reals -> n/2+1 complex
    fftwf_plan backward = nullptr;  // n/2+1 complex -> n reals (destroys its input), unnormalised

    void r2c(float* in, std::complex<float>* out) const
    {
        fftwf_execute_dft_r2c(forward, in, reinterpret_cast<fftwf_complex*>(out));
    }
    void c2r(std::complex<float>* in, float* out) const
    {
        fftwf_execute_dft_c2r(backward, reinterpret_cast<fftwf_complex*>(in), out);
    }
};

/// The plans for size n (made on first use; never freed before exit).
const RealFftPlans& plansFor(int n);

/// fftwf_malloc'ed array of T, zero-initialised; move-only.
template <typename T>
class AlignedBuffer {
public:
    AlignedBuffer() = default;
    explicit AlignedBuffer(std::size_t count) { reset(count); }
    ~AlignedBuffer() { release(); }
    AlignedBuffer(const AlignedBuffer&) = delete;
    AlignedBuffer& operator=(const AlignedBuffer&) = delete;
    AlignedBuffer(AlignedBuffer&& o) noexcept : data_(o.data_), size_(o.size_) { o.data_ = nullptr; o.size_ = 0; }
    AlignedBuffer& operator=(AlignedBuffer&& o) noexcept
    {
        if (this != &o) {
            release();
            data_ = o.data_; size_ = o.size_;
            o.data_ = nullptr; o.size_ = 0;
        }
        return *this;
    }
    void reset(std::size_t count);
    T* data() { return data_; }
    const T* data() const { return data_; }
    std::size_t size() const { return size_; }
    T& operator[](std::size_t i) { return data_[i]; }
    const T& operator[](std::size_t i) const { return data_[i]; }

private:
    void release()
    {
        if (data_)
            fftwf_free(data_);
        data_ = nullptr;
        size_ = 0;
    }
    T* data_ = nullptr;
    std::size_t size_ = 0;
};

/// Rounds a count of T up so that consecutive rows stay 64-byte aligned.
template <typename T>
constexpr std::size_t alignedStride(std::size_t count)
{
    constexpr std::size_t perLine = 64 / sizeof(T);
    return (count + perLine - 1) / perLine * perLine;
}

} // namespace morph::dsp::detail

#include <cstring>
#include <new>

template <typename T>
void morph::dsp::detail::AlignedBuffer<T>::reset(std::size_t count)
{
    release();
    if (count == 0)
        return;
    data_ = static_cast<T*>(fftwf_malloc(count * sizeof(T)));
    if (!data_)
        throw std::bad_alloc();
    std::memset(static_cast<void*>(data_), 0, count * sizeof(T));
    size_ = count;
}
