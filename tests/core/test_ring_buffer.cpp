// SpscRingBuffer: single-thread semantics (capacity, wrap-around, partial reads/writes, skip)
// and a two-thread stress test that checks every value arrives once, in order.
#include "audio/RingBuffer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <thread>
#include <vector>

using morph::audio::SpscRingBuffer;

TEST(RingBuffer, CapacityRoundsUpToPowerOfTwo)
{
    EXPECT_EQ(SpscRingBuffer<float>(1).capacity(), 2u);
    EXPECT_EQ(SpscRingBuffer<float>(1000).capacity(), 1024u);
    EXPECT_EQ(SpscRingBuffer<float>(1024).capacity(), 1024u);
}

TEST(RingBuffer, WriteReadAndFullEmpty)
{
    SpscRingBuffer<int> ring(8);
    EXPECT_EQ(ring.readAvailable(), 0u);
    EXPECT_EQ(ring.writeSpace(), 8u);
    std::vector<int> in(10);
    std::iota(in.begin(), in.end(), 1);
    EXPECT_EQ(ring.write(in.data(), 10), 8u); // only 8 fit
    EXPECT_EQ(ring.writeSpace(), 0u);
    EXPECT_EQ(ring.write(in.data(), 1), 0u);
    std::vector<int> out(10, 0);
    EXPECT_EQ(ring.read(out.data(), 3), 3u);
    EXPECT_EQ(out[0], 1);
    EXPECT_EQ(out[2], 3);
    EXPECT_EQ(ring.readAvailable(), 5u);
    EXPECT_EQ(ring.totalWritten(), 8u);
    EXPECT_EQ(ring.totalRead(), 3u);
}

TEST(RingBuffer, WrapsAroundPreservingOrder)
{
    SpscRingBuffer<int> ring(8);
    int next = 0, expect = 0;
    std::vector<int> buf(8);
    for (int round = 0; round < 50; ++round) {
        const std::size_t n = 1 + round % 7;
        for (std::size_t i = 0; i < n; ++i) buf[i] = next + static_cast<int>(i);
        const std::size_t w = ring.write(buf.data(), n);
        next += static_cast<int>(w);
        std::vector<int> out(8);
        const std::size_t r = ring.read(out.data(), 5);
        for (std::size_t i = 0; i < r; ++i) ASSERT_EQ(out[i], expect++) << "round " << round;
    }
    EXPECT_GT(ring.totalWritten(), 100u); // wrapped many times
}

TEST(RingBuffer, SkipAndSkipTo)
{
    SpscRingBuffer<int> ring(16);
    std::vector<int> in(12);
    std::iota(in.begin(), in.end(), 0);
    ring.write(in.data(), 12);
    EXPECT_EQ(ring.skip(2), 2u);
    int v = -1;
    ring.read(&v, 1);
    EXPECT_EQ(v, 2);
    ring.skipTo(10);
    ring.read(&v, 1);
    EXPECT_EQ(v, 10);
    ring.skipTo(5); // backwards is a no-op
    ring.read(&v, 1);
    EXPECT_EQ(v, 11);
    ring.skipTo(1000); // clamped to what was written
    EXPECT_EQ(ring.totalRead(), 12u);
    EXPECT_EQ(ring.readAvailable(), 0u);
    EXPECT_EQ(ring.skip(5), 0u);
}

TEST(RingBuffer, TwoThreadStressKeepsEveryValueInOrder)
{
    constexpr std::uint32_t kCount = 4'000'000;
    SpscRingBuffer<std::uint32_t> ring(1024);
    std::thread producer([&] {
        std::vector<std::uint32_t> chunk(333);
        std::uint32_t next = 0;
        std::size_t size = 1;
        while (next < kCount) {
            size = size % 333 + 1; // varying chunk sizes 1..333
            const std::size_t n = std::min<std::size_t>(size, kCount - next);
            for (std::size_t i = 0; i < n; ++i) chunk[i] = next + static_cast<std::uint32_t>(i);
            std::size_t done = 0;
            while (done < n) {
                const std::size_t w = ring.write(chunk.data() + done, n - done);
                if (w == 0) std::this_thread::yield();
                done += w;
            }
            next += static_cast<std::uint32_t>(n);
        }
    });
    std::vector<std::uint32_t> out(257);
    std::uint32_t expect = 0;
    std::size_t mismatches = 0;
    std::size_t size = 1;
    while (expect < kCount) {
        size = size % 257 + 1;
        const std::size_t r = ring.read(out.data(), size);
        if (r == 0) std::this_thread::yield();
        for (std::size_t i = 0; i < r; ++i)
            if (out[i] != expect++) ++mismatches;
    }
    producer.join();
    EXPECT_EQ(mismatches, 0u);
    EXPECT_EQ(ring.totalWritten(), kCount);
    EXPECT_EQ(ring.totalRead(), kCount);
    EXPECT_EQ(ring.readAvailable(), 0u);
}
