#pragma once
// Live slider playback: keeps the pair's encodings resident, renders a ladder of t values in the
// background nearest-first from the slider, answers a slider move at once with the nearest ready
// render, and renders the exact t next (warm-started from the nearest rendered phase). A newer
// slider position replaces an older pending request: stale work is never queued.
//
// Thread contract:
//  - setPair(), setOptions(), request(), nearestReady(), setPaused() and stats(): any non-real-time
//    thread (the GUI thread included); none of them waits on a render (short mutex only).
//  - The ready callback runs on the worker thread: hand the result to your own thread (e.g. a
//    queued Qt signal) and return quickly. It must not call back into LiveMorph's destructor.
//  - The destructor stops the worker after its current render and joins it.
#include "morph/MorphEngine.h"

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

namespace morph {

struct LiveMorphStats {
    std::size_t rendered = 0;       // renders completed
    std::size_t droppedStale = 0;   // pending exact requests replaced by a newer one
    std::size_t cacheHits = 0;      // requests answered by an exact ready render
    std::size_t failed = 0;         // renders that threw (see lastError)
    std::string lastError;
};

class LiveMorph {
public:
    /// t, the render, and whether it is the exact render of the latest request.
    using ReadyCallback =
        std::function<void(float t, const std::shared_ptr<const MorphRender>&, bool exactRequest)>;

    /// Renders kept besides the ladder rungs (each holds ~1.4 MB: audio, spectra, phase); the
    /// ones farthest from the slider go first, so a long drag does not grow memory without bound.
    static constexpr std::size_t kMaxOffLadderRenders = 24;

    explicit LiveMorph(std::shared_ptr<const MorphEngine> engine, int ladderSteps = 10);
    ~LiveMorph();
    LiveMorph(const LiveMorph&) = delete;
    LiveMorph& operator=(const LiveMorph&) = delete;

    void setReadyCallback(ReadyCallback callback);

    /// New pair: drops every render and pending request and starts the ladder from sliderT.
    void setPair(std::shared_ptr<const EncodedNote> a, std::shared_ptr<const EncodedNote> b,
                 float sliderT = 0.f);
    /// New options (iterations, energy correction, ...): invalidates the renders.
    void setOptions(const MorphOptions& options);

    /// Slider moved: returns the nearest ready render at once (null if none yet) and schedules
    /// the exact render of t unless it is ready already.
    std::shared_ptr<const MorphRender> request(float t);

    /// The ready render nearest to t and its t, without scheduling anything.
    std::pair<float, std::shared_ptr<const MorphRender>> nearestReady(float t) const;

    /// Blocks until the exact render of t is ready or the timeout passes (CLI, tests).
    std::shared_ptr<const MorphRender> waitFor(float t, double timeoutSeconds);

    /// Holds the worker between renders (tests, and to keep the CPU free during training).
    void setPaused(bool paused);

    LiveMorphStats stats() const;
    /// Renders held now (ladder rungs + at most kMaxOffLadderRenders others).
    std::size_t readyCount() const;

private:
    static int keyOf(float t) { return int(std::lround(double(t) * 10000.0)); }
    void workerLoop();
    std::optional<float> nextLadderT() const;  // needs mutex_
    bool isRung(int key) const;                // needs nothing
    void evictFarRenders();                    // needs mutex_

    std::shared_ptr<const MorphEngine> engine_;
    const int ladderSteps_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable renderDone_;
    std::shared_ptr<const EncodedNote> a_, b_;
    MorphOptions options_;
    std::map<int, std::shared_ptr<const MorphRender>> ready_;  // key: t * 10000
    std::set<int> failed_;                                     // never retried for this pair
    std::optional<float> pending_;                             // latest exact request
    float sliderT_ = 0.f;
    unsigned long generation_ = 0;  // bumps on setPair/setOptions: late renders are discarded
    bool paused_ = false;
    bool stop_ = false;
    LiveMorphStats stats_;
    ReadyCallback callback_;
    std::thread worker_;  // last: starts after every member above exists
};

} // namespace morph
