#pragma once
// A small persistent pool for data-parallel loops (FFT frames, notes, slices). Threads are made
// once, so a parallelFor costs a few microseconds, not a thread start per call.
// Thread contract: parallelFor may be called from any non-real-time thread; calls from several
// threads at once are serialised (one loop runs at a time); the caller's thread takes a share
// of the work, so a pool of N workers uses N+1 threads. Never call from the audio callback.
// A parallelFor called from inside a pool task runs inline (no deadlock).
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace morph {

class ThreadPool {
public:
    /// threads = total threads used by a loop, caller included (0: hardware concurrency).
    explicit ThreadPool(unsigned threads = 0);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    unsigned threadCount() const { return static_cast<unsigned>(workers_.size()) + 1; }

    /// Calls body(begin, end) on disjoint chunks covering [0, n); returns when all are done.
    /// The first exception thrown by a chunk is rethrown here after all chunks finish.
    void parallelFor(std::size_t n, const std::function<void(std::size_t, std::size_t)>& body);

    /// The process-wide pool sized to the machine's cores.
    static ThreadPool& shared();

private:
    void workerLoop(unsigned index);

    std::vector<std::thread> workers_;
    std::mutex callMutex_;  // one loop at a time
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    const std::function<void(std::size_t, std::size_t)>* body_ = nullptr;
    std::size_t n_ = 0;
    unsigned chunks_ = 0;
    unsigned pending_ = 0;
    unsigned long generation_ = 0;
    bool stop_ = false;
    std::exception_ptr error_;
};

} // namespace morph
