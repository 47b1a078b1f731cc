#include "morph/LiveMorph.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace morph {

LiveMorph::LiveMorph(std::shared_ptr<const MorphEngine> engine, int ladderSteps)
    : engine_(std::move(engine)), ladderSteps_(std::max(1, ladderSteps)), worker_([this] { workerLoop(); })
{
}

LiveMorph::~LiveMorph()
{
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    worker_.join();
}

void LiveMorph::setReadyCallback(ReadyCallback callback)
{
    std::lock_guard lock(mutex_);
    callback_ = std::move(callback);
}

void LiveMorph::setPair(std::shared_ptr<const EncodedNote> a, std::shared_ptr<const EncodedNote> b, float sliderT)
{
    {
        std::lock_guard lock(mutex_);
        a_ = std::move(a);
        b_ = std::move(b);
        ready_.clear();
        failed_.clear();
        pending_.reset();
        sliderT_ = std::clamp(sliderT, 0.f, 1.f);
        ++generation_;
    }
    wake_.notify_all();
}

void LiveMorph::setOptions(const MorphOptions& options)
{
    {
        std::lock_guard lock(mutex_);
        options_ = options;
        ready_.clear();
        failed_.clear();
        ++generation_;
    }
    wake_.notify_all();
}

std::pair<float, std::shared_ptr<const MorphRender>> LiveMorph::nearestReady(float t) const
{
    std::lock_guard lock(mutex_);
    std::pair<float, std::shared_ptr<const MorphRender>> best{0.f, nullptr};
    int bestDistance = 0;
    const int key = keyOf(t);
    for (const auto& [k, render] : ready_) {
        const int distance = std::abs(k - key);
        if (!best.second || distance < bestDistance) {
            best = {float(k) / 10000.f, render};
            bestDistance = distance;
        }
    }
    return best;
}

std::shared_ptr<const MorphRender> LiveMorph::request(float t)
{
    t = std::clamp(t, 0.f, 1.f);
    auto nearest = nearestReady(t);
    {
        std::lock_guard lock(mutex_);
        sliderT_ = t;
        if (ready_.count(keyOf(t))) {
            ++stats_.cacheHits;
            return ready_[keyOf(t)];
        }
        if (pending_ && keyOf(*pending_) != keyOf(t))
            ++stats_.droppedStale;  // the older position will never be rendered on its own
        pending_ = t;
    }
    wake_.notify_all();
    return nearest.second;
}

std::shared_ptr<const MorphRender> LiveMorph::waitFor(float t, double timeoutSeconds)
{
    const int key = keyOf(std::clamp(t, 0.f, 1.f));
    std::unique_lock lock(mutex_);
    renderDone_.wait_for(lock, std::chrono::duration<double>(timeoutSeconds),
                         [&] { return ready_.count(key) > 0 || failed_.count(key) > 0 || stop_; });
    auto it = ready_.find(key);
    return it == ready_.end() ? nullptr : it->second;
}

void LiveMorph::setPaused(bool paused)
{
    {
        std::lock_guard lock(mutex_);
        paused_ = paused;
    }
    wake_.notify_all();
}

std::size_t LiveMorph::readyCount() const
{
    std::lock_guard lock(mutex_);
    return ready_.size();
}

bool LiveMorph::isRung(int key) const
{
    // Rung i sits at keyOf(i / ladderSteps_).
    const long long i = std::llround(double(key) * ladderSteps_ / 10000.0);
    return keyOf(float(i) / float(ladderSteps_)) == key;
}

void LiveMorph::evictFarRenders()
{
    std::size_t offLadder = 0;
    for (const auto& [k, r] : ready_)
        offLadder += isRung(k) ? 0 : 1;
    while (offLadder > kMaxOffLadderRenders) {
        auto victim = ready_.end();
        int worst = -1;
        for (auto it = ready_.begin(); it != ready_.end(); ++it) {
            const int d = std::abs(it->first - keyOf(sliderT_));
            if (!isRung(it->first) && d > worst) {
                worst = d;
                victim = it;
            }
        }
        ready_.erase(victim);
        --offLadder;
    }
}

LiveMorphStats LiveMorph::stats() const
{
    std::lock_guard lock(mutex_);
    return stats_;
}

std::optional<float> LiveMorph::nextLadderT() const
{
    // Nearest-first from the slider among the ladder rungs not yet rendered.
    std::optional<float> best;
    for (int i = 0; i <= ladderSteps_; ++i) {
        const float t = float(i) / float(ladderSteps_);
        if (ready_.count(keyOf(t)) || failed_.count(keyOf(t)))
            continue;
        if (!best || std::abs(t - sliderT_) < std::abs(*best - sliderT_))
            best = t;
    }
    return best;
}

void LiveMorph::workerLoop()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] {
            return stop_ || (!paused_ && a_ && b_ && (pending_ || nextLadderT()));
        });
        if (stop_)
            return;
        bool exact = false;
        float t = 0.f;
        if (pending_) {
            t = *pending_;
            pending_.reset();
            exact = true;
        } else {
            t = *nextLadderT();
        }
        if (ready_.count(keyOf(t)) || failed_.count(keyOf(t)))
            continue;
        // Warm start from the phase of the nearest ready render.
        std::shared_ptr<const MorphRender> warm;
        int warmDistance = 0;
        for (const auto& [k, render] : ready_) {
            const int distance = std::abs(k - keyOf(t));
            if (!warm || distance < warmDistance) {
                warm = render;
                warmDistance = distance;
            }
        }
        auto a = a_;
        auto b = b_;
        const MorphOptions options = options_;
        const unsigned long generation = generation_;
        lock.unlock();

        std::shared_ptr<const MorphRender> render;
        std::string error;
        try {
            render = std::make_shared<const MorphRender>(
                engine_->renderPair(*a, *b, t, options, warm ? &warm->phase : nullptr));
        } catch (const std::exception& e) {
            error = e.what();
        }

        lock.lock();
        if (generation != generation_)
            continue;  // the pair or the options changed meanwhile: the render is stale
        if (!render) {
            failed_.insert(keyOf(t));
            ++stats_.failed;
            stats_.lastError = error;
            renderDone_.notify_all();
            continue;
        }
        ready_[keyOf(t)] = render;
        ++stats_.rendered;
        evictFarRenders();
        const bool isLatest = exact && keyOf(t) == keyOf(sliderT_);
        ReadyCallback callback = callback_;
        renderDone_.notify_all();
        lock.unlock();
        if (callback)
            callback(t, render, isLatest);
        lock.lock();
    }
}

} // namespace morph
