#pragma once
// Lock-free single-producer / single-consumer ring buffer of trivially copyable values.
//
// Thread contract:
//  - Exactly ONE producer thread may call write() / writeSpace() / totalWritten().
//  - Exactly ONE consumer thread may call read() / readAvailable() / skip() / skipTo() /
//    totalRead(). The consumer side never locks, allocates, waits or throws, so it is safe in a
//    real-time audio callback.
//  - capacity(), totalWritten() and totalRead() may additionally be read from any thread
//    (monitoring only; the values may be stale by the time they are used).
//  - Construction and destruction happen while neither side is running.
// The read and write counters are monotonic 64-bit frame counts (they never wrap in practice:
// 2^64 samples at 192 kHz is millions of years), so "discard everything written before absolute
// position P" (skipTo) is a consumer-only operation that needs no handshake with the producer.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

namespace morph::audio {

template <typename T>
class SpscRingBuffer {
    static_assert(std::is_trivially_copyable_v<T>, "SpscRingBuffer holds trivially copyable values");
    static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "64-bit atomics must be lock-free");

public:
    /// Capacity is rounded up to a power of two (at least 2).
    explicit SpscRingBuffer(std::size_t minCapacity)
    {
        std::size_t cap = 2;
        while (cap < minCapacity) cap <<= 1;
        capacity_ = cap;
        mask_ = cap - 1;
        data_ = std::make_unique<T[]>(cap);
    }
    SpscRingBuffer(const SpscRingBuffer&) = delete;
    SpscRingBuffer& operator=(const SpscRingBuffer&) = delete;

    std::size_t capacity() const { return capacity_; }

    // ---- producer side -------------------------------------------------------------------
    /// Free space the producer may fill now.
    std::size_t writeSpace() const
    {
        const std::uint64_t w = written_.load(std::memory_order_relaxed);
        const std::uint64_t r = read_.load(std::memory_order_acquire);
        return capacity_ - static_cast<std::size_t>(w - r);
    }

    /// Copies up to n values in; returns how many fitted (never blocks).
    std::size_t write(const T* src, std::size_t n)
    {
        const std::uint64_t w = written_.load(std::memory_order_relaxed);
        const std::uint64_t r = read_.load(std::memory_order_acquire);
        const std::size_t space = capacity_ - static_cast<std::size_t>(w - r);
        const std::size_t count = std::min(n, space);
        if (count == 0) return 0;
        const std::size_t start = static_cast<std::size_t>(w) & mask_;
        const std::size_t first = std::min(count, capacity_ - start);
        std::memcpy(data_.get() + start, src, first * sizeof(T));
        if (count > first) std::memcpy(data_.get(), src + first, (count - first) * sizeof(T));
        written_.store(w + count, std::memory_order_release);
        return count;
    }

    /// Absolute number of values ever written.
    std::uint64_t totalWritten() const { return written_.load(std::memory_order_acquire); }

    // ---- consumer side -------------------------------------------------------------------
    std::size_t readAvailable() const
    {
        const std::uint64_t w = written_.load(std::memory_order_acquire);
        const std::uint64_t r = read_.load(std::memory_order_relaxed);
        return static_cast<std::size_t>(w - r);
    }

    /// Copies up to n values out; returns how many were available (never blocks).
    std::size_t read(T* dst, std::size_t n)
    {
        const std::uint64_t w = written_.load(std::memory_order_acquire);
        const std::uint64_t r = read_.load(std::memory_order_relaxed);
        const std::size_t count = std::min(n, static_cast<std::size_t>(w - r));
        if (count == 0) return 0;
        const std::size_t start = static_cast<std::size_t>(r) & mask_;
        const std::size_t first = std::min(count, capacity_ - start);
        std::memcpy(dst, data_.get() + start, first * sizeof(T));
        if (count > first) std::memcpy(dst + first, data_.get(), (count - first) * sizeof(T));
        read_.store(r + count, std::memory_order_release);
        return count;
    }

    /// Drops up to n values; returns how many were dropped.
    std::size_t skip(std::size_t n)
    {
        const std::uint64_t w = written_.load(std::memory_order_acquire);
        const std::uint64_t r = read_.load(std::memory_order_relaxed);
        const std::size_t count = std::min(n, static_cast<std::size_t>(w - r));
        read_.store(r + count, std::memory_order_release);
        return count;
    }

    /// Drops everything before absolute position `position` (clamped to what was written).
    void skipTo(std::uint64_t position)
    {
        const std::uint64_t w = written_.load(std::memory_order_acquire);
        const std::uint64_t r = read_.load(std::memory_order_relaxed);
        const std::uint64_t target = std::min(position, w);
        if (target > r) read_.store(target, std::memory_order_release);
    }

    /// Absolute number of values ever consumed (read or skipped).
    std::uint64_t totalRead() const { return read_.load(std::memory_order_acquire); }

private:
    std::size_t capacity_ = 0;
    std::size_t mask_ = 0;
    std::unique_ptr<T[]> data_;
    alignas(64) std::atomic<std::uint64_t> written_{0}; // producer-owned
    alignas(64) std::atomic<std::uint64_t> read_{0};    // consumer-owned
};

} // namespace morph::audio
