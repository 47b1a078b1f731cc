#pragma once
// Hands functors from worker threads (core callbacks: LiveMorph, EncodingService, Trainer) to the
// thread of a QObject, safely even while that object is being destroyed: the owner calls
// detach() first thing in its destructor, after which post() does nothing; functors already
// queued are dropped by Qt when the object is deleted.
//
// Thread contract: post() from any thread; detach() from the target's thread. Share it as a
// std::shared_ptr captured by the worker-side callbacks.
#include <QMetaObject>
#include <QObject>

#include <memory>
#include <mutex>
#include <utility>

namespace morph::ui {

class GuiRelay {
public:
    explicit GuiRelay(QObject* target) : target_(target) {}

    static std::shared_ptr<GuiRelay> create(QObject* target) { return std::make_shared<GuiRelay>(target); }

    template <typename Fn>
    void post(Fn&& fn)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (target_) QMetaObject::invokeMethod(target_, std::forward<Fn>(fn), Qt::QueuedConnection);
    }

    void detach()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        target_ = nullptr;
    }

private:
    std::mutex mutex_;
    QObject* target_;
};

} // namespace morph::ui
