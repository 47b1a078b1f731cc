#include "util/ThreadPool.h"

#include <algorithm>

namespace morph {
namespace {
thread_local bool tInsidePool = false;
}

ThreadPool::ThreadPool(unsigned threads)
{
    if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 1; i < threads; ++i)
        workers_.emplace_back([this, i] { workerLoop(i); });
}

ThreadPool::~ThreadPool()
{
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_)
        w.join();
}

ThreadPool& ThreadPool::shared()
{
    static ThreadPool pool;
    return pool;
}

void ThreadPool::parallelFor(std::size_t n, const std::function<void(std::size_t, std::size_t)>& body)
{
    if (n == 0)
        return;
    if (workers_.empty() || n == 1 || tInsidePool) {
        body(0, n);
        return;
    }
    std::lock_guard callLock(callMutex_);
    const unsigned chunks = static_cast<unsigned>(std::min<std::size_t>(n, threadCount()));
    {
        std::lock_guard lock(mutex_);
        body_ = &body;
        n_ = n;
        chunks_ = chunks;
        pending_ = chunks - 1;  // chunk 0 runs here
        error_ = nullptr;
        ++generation_;
    }
    wake_.notify_all();
    tInsidePool = true;
    try {
        body(0, n / chunks);
    } catch (...) {
        std::lock_guard lock(mutex_);
        if (!error_)
            error_ = std::current_exception();
    }
    tInsidePool = false;
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    body_ = nullptr;
    if (error_)
        std::rethrow_exception(error_);
}

void ThreadPool::workerLoop(unsigned index)
{
    tInsidePool = true;
    unsigned long seen = 0;
    for (;;) {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_)
            return;
        seen = generation_;
        if (index >= chunks_)
            continue;
        const auto* body = body_;
        const std::size_t begin = n_ * index / chunks_;
        const std::size_t end = n_ * (index + 1) / chunks_;
        lock.unlock();
        try {
            (*body)(begin, end);
        } catch (...) {
            std::lock_guard errLock(mutex_);
            if (!error_)
                error_ = std::current_exception();
        }
        lock.lock();
        if (--pending_ == 0)
            done_.notify_all();
    }
}

} // namespace morph
