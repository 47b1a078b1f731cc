#pragma once
// Test support: the process's resident set size (Linux /proc/self/statm), and a probe that
// records it at intervals of a long loop, for the soak benchmarks and the memory soak test.
// After a warm-up, a loop that does not leak or grow caches without bound keeps a flat RSS
// (glibc keeps freed blocks for reuse, so RSS never returns to the start, but it stops rising).
#include <cstddef>
#include <cstdio>
#include <malloc.h>
#include <unistd.h>
#include <vector>

namespace morph::test {

/// Resident set size in bytes (0 when /proc is unavailable).
inline std::size_t residentBytes()
{
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    unsigned long size = 0, resident = 0;
    const int n = std::fscanf(f, "%lu %lu", &size, &resident);
    std::fclose(f);
    return n == 2 ? std::size_t(resident) * std::size_t(::sysconf(_SC_PAGESIZE)) : 0;
}

inline double toMiB(std::size_t bytes) { return double(bytes) / (1024.0 * 1024.0); }

/// RSS samples of a loop: sample(i) after iteration i; growth measured from the warm-up sample.
struct RssProbe {
    std::vector<std::pair<std::size_t, std::size_t>> samples;  // (iteration, bytes)
    std::size_t warmupBytes = 0, peakAfterWarmup = 0, lastBytes = 0;

    /// trim: return free heap pages to the system first (glibc malloc_trim), so the figure follows
    /// live memory rather than how much free memory each thread's arena happens to keep; a
    /// pass/fail check needs that, a figure of what a user sees does not.
    void sample(std::size_t iteration, bool isWarmupEnd, bool trim = false)
    {
        if (trim)
            ::malloc_trim(0);
        const std::size_t rss = residentBytes();
        samples.emplace_back(iteration, rss);
        lastBytes = rss;
        if (isWarmupEnd)
            warmupBytes = peakAfterWarmup = rss;
        else if (warmupBytes && rss > peakAfterWarmup)
            peakAfterWarmup = rss;
    }
    /// Peak RSS after the warm-up minus RSS at the end of the warm-up.
    double growthMiB() const
    {
        return peakAfterWarmup > warmupBytes ? toMiB(peakAfterWarmup - warmupBytes) : 0.0;
    }
};

} // namespace morph::test
