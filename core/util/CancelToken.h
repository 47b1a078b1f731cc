#pragma once
// A cancel flag shared between the thread that asks for work to stop and the worker that checks
// it between steps. Thread contract: cancel() and isCancelled() from any thread, lock-free.
#include <atomic>
#include <memory>

namespace morph {

class CancelToken {
public:
    CancelToken() : flag_(std::make_shared<std::atomic_bool>(false)) {}
    void cancel() const { flag_->store(true, std::memory_order_relaxed); }
    void reset() const { flag_->store(false, std::memory_order_relaxed); }
    bool isCancelled() const { return flag_->load(std::memory_order_relaxed); }

private:
    std::shared_ptr<std::atomic_bool> flag_; // copies share one flag
};

} // namespace morph
