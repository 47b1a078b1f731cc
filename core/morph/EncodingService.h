#pragma once
// Encodes dataset notes with a model in the background and caches the embeddings in memory and
// on disk per (checkpoint hash, note), so re-opening a dataset with the same model costs nothing.
// Results fill in over time (Sonic Visualiser style): embedding() answers null until a note is
// ready; progress is reported in batches, not per note.
//
// Thread contract:
//  - embedding(), isReady(), start(), cancel(), busy(): any non-real-time thread, never block on
//    encoding (short mutex only).
//  - encodeNow(): blocking; call it off the GUI thread (CLI, tests, workers).
//  - Progress and finished callbacks run on the service's worker thread.
//  - The destructor cancels the running job and joins the worker.
#include "morph/NoteEncoding.h"
#include "util/CancelToken.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <condition_variable>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace morph {

class NSynthDataset;

/// Embeddings on disk: <root>/<model hash>/<note_str>.emb (small header + float32), atomic.
class EmbeddingDiskCache {
public:
    EmbeddingDiskCache(std::filesystem::path root, std::string modelHash);
    std::shared_ptr<const NoteEmbedding> load(const std::string& note) const;  // null if absent/corrupt
    void store(const std::string& note, const NoteEmbedding& embedding) const; // throws IoError
    const std::filesystem::path& folder() const { return folder_; }
    static std::filesystem::path defaultRoot();  // $XDG_CACHE_HOME/morphstation/embeddings

private:
    std::filesystem::path pathOf(const std::string& note) const;
    std::filesystem::path folder_;
};

struct EncodingProgress {
    std::size_t done = 0;
    std::size_t total = 0;
    std::size_t fromCache = 0;
    std::size_t failed = 0;
    std::string lastError;  // e.g. a corrupt WAV: that note is skipped, the rest still encodes
};

class EncodingService {
public:
    using ProgressCallback = std::function<void(const EncodingProgress&)>;
    using FinishedCallback = std::function<void(const EncodingProgress&, bool cancelled)>;

    EncodingService(std::shared_ptr<const ModelRunner> model, std::shared_ptr<const NSynthDataset> dataset,
                    std::filesystem::path cacheRoot = EmbeddingDiskCache::defaultRoot());
    ~EncodingService();
    EncodingService(const EncodingService&) = delete;
    EncodingService& operator=(const EncodingService&) = delete;

    /// Starts encoding these dataset notes in the background, replacing (cancelling) a running job.
    void start(std::vector<std::size_t> notes, ProgressCallback progress = {}, FinishedCallback finished = {});
    void cancel();
    bool busy() const;

    std::shared_ptr<const NoteEmbedding> embedding(std::size_t note) const;  // null until ready
    /// Encodes now on the calling thread (memory, then disk, then the model). Throws on bad audio.
    /// A disk cache that cannot be written (full disk, read-only) does not fail the encoding: the
    /// embedding stays in memory and the reason is kept for lastCacheError().
    std::shared_ptr<const NoteEmbedding> encodeNow(std::size_t note);
    /// Why the last embedding could not be written to the disk cache ("" when it could).
    std::string lastCacheError() const;
    /// Blocking batch: every note, in parallel; failed notes are null. For CLI and benchmarks.
    std::vector<std::shared_ptr<const NoteEmbedding>> encodeAllNow(const std::vector<std::size_t>& notes,
                                                                   EncodingProgress* progress = nullptr,
                                                                   const CancelToken& cancel = {});

    const ModelRunner& model() const { return *model_; }
    const NSynthDataset& dataset() const { return *dataset_; }

private:
    struct Job {
        std::vector<std::size_t> notes;
        ProgressCallback progress;
        FinishedCallback finished;
        CancelToken cancel;
    };
    void workerLoop();
    void remember(std::size_t note, std::shared_ptr<const NoteEmbedding> embedding);

    std::shared_ptr<const ModelRunner> model_;
    std::shared_ptr<const NSynthDataset> dataset_;
    EmbeddingDiskCache disk_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::unordered_map<std::size_t, std::shared_ptr<const NoteEmbedding>> memory_;
    std::unique_ptr<Job> next_;
    CancelToken running_;
    std::string cacheError_;
    bool busy_ = false;
    bool stop_ = false;
    std::thread worker_;
};

} // namespace morph
