#include "morph/EncodingService.h"

#include "dataset/AudioFile.h"
#include "dataset/NSynthDataset.h"
#include "dsp/Slicing.h"
#include "model/ModelRunner.h"
#include "util/AtomicFile.h"
#include "util/Errors.h"
#include "util/ThreadPool.h"

#include <cstdlib>
#include <cstring>
#include <fstream>

namespace morph {
namespace {

constexpr char kEmbeddingMagic[8] = {'M', 'O', 'R', 'P', 'H', 'E', 'M', '1'};
constexpr std::size_t kBatchNotes = 16;  // notes analysed in parallel, then encoded in one call

} // namespace

EmbeddingDiskCache::EmbeddingDiskCache(std::filesystem::path root, std::string modelHash)
    : folder_(std::move(root) / modelHash)
{
}

std::filesystem::path EmbeddingDiskCache::defaultRoot()
{
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        return std::filesystem::path(xdg) / "morphstation" / "embeddings";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::filesystem::path(home) / ".cache" / "morphstation" / "embeddings";
    return std::filesystem::temp_directory_path() / "morphstation-embeddings";
}

std::filesystem::path EmbeddingDiskCache::pathOf(const std::string& note) const
{
    std::string safe = note;
    for (char& c : safe)
        if (c == '/' || c == '\\')
            c = '_';
    return folder_ / (safe + ".emb");
}

std::shared_ptr<const NoteEmbedding> EmbeddingDiskCache::load(const std::string& note) const
{
    std::ifstream in(pathOf(note), std::ios::binary);
    if (!in)
        return nullptr;
    char magic[8];
    int32_t shape[2];
    if (!in.read(magic, 8) || std::memcmp(magic, kEmbeddingMagic, 8) != 0
        || !in.read(reinterpret_cast<char*>(shape), sizeof shape) || shape[0] <= 0 || shape[1] <= 0
        || shape[0] > 100000 || shape[1] > 100000)
        return nullptr;  // corrupt or foreign: re-encode
    auto e = std::make_shared<NoteEmbedding>();
    e->slices = shape[0];
    e->dims = shape[1];
    e->values.resize(std::size_t(shape[0]) * std::size_t(shape[1]));
    if (!in.read(reinterpret_cast<char*>(e->values.data()), std::streamsize(e->values.size() * sizeof(float))))
        return nullptr;
    return e;
}

void EmbeddingDiskCache::store(const std::string& note, const NoteEmbedding& embedding) const
{
    std::error_code ec;
    std::filesystem::create_directories(folder_, ec);
    if (ec)
        throw IoError("cannot create the embedding cache '" + folder_.string() + "': " + ec.message());
    AtomicFileWriter writer(pathOf(note));
    const int32_t shape[2] = {embedding.slices, embedding.dims};
    writer.write(kEmbeddingMagic, 8);
    writer.write(shape, sizeof shape);
    writer.write(embedding.values.data(), embedding.values.size() * sizeof(float));
    writer.commit();
}

EncodingService::EncodingService(std::shared_ptr<const ModelRunner> model,
                                 std::shared_ptr<const NSynthDataset> dataset,
                                 std::filesystem::path cacheRoot)
    : model_(std::move(model)), dataset_(std::move(dataset)),
      disk_(std::move(cacheRoot), model_->checkpointHash()), worker_([this] { workerLoop(); })
{
}

EncodingService::~EncodingService()
{
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
        running_.cancel();
    }
    wake_.notify_all();
    worker_.join();
}

void EncodingService::start(std::vector<std::size_t> notes, ProgressCallback progress, FinishedCallback finished)
{
    auto job = std::make_unique<Job>();
    job->notes = std::move(notes);
    job->progress = std::move(progress);
    job->finished = std::move(finished);
    {
        std::lock_guard lock(mutex_);
        running_.cancel();  // the newer job replaces the running one
        next_ = std::move(job);
        busy_ = true;
    }
    wake_.notify_all();
}

void EncodingService::cancel()
{
    std::lock_guard lock(mutex_);
    running_.cancel();
    if (next_)
        next_->cancel.cancel();
}

bool EncodingService::busy() const
{
    std::lock_guard lock(mutex_);
    return busy_;
}

std::shared_ptr<const NoteEmbedding> EncodingService::embedding(std::size_t note) const
{
    std::lock_guard lock(mutex_);
    auto it = memory_.find(note);
    return it == memory_.end() ? nullptr : it->second;
}

void EncodingService::remember(std::size_t note, std::shared_ptr<const NoteEmbedding> embedding)
{
    std::lock_guard lock(mutex_);
    memory_[note] = std::move(embedding);
}

std::shared_ptr<const NoteEmbedding> EncodingService::encodeNow(std::size_t note)
{
    if (auto e = embedding(note))
        return e;
    const std::string& name = dataset_->note(note).noteStr;
    if (auto e = disk_.load(name)) {
        remember(note, e);
        return e;
    }
    const LoadedAudio audio = loadNoteAudio(dataset_->audioPath(note), model_->config().sampleRate);
    auto e = std::make_shared<const NoteEmbedding>(embedAudio(*model_, audio.samples));
    std::string cacheError;
    try {
        disk_.store(name, *e);
    } catch (const IoError& ex) {
        cacheError = ex.what();  // the encoding itself succeeded: keep it in memory
    }
    {
        std::lock_guard lock(mutex_);
        cacheError_ = std::move(cacheError);
    }
    remember(note, e);
    return e;
}

std::string EncodingService::lastCacheError() const
{
    std::lock_guard lock(mutex_);
    return cacheError_;
}

std::vector<std::shared_ptr<const NoteEmbedding>>
EncodingService::encodeAllNow(const std::vector<std::size_t>& notes, EncodingProgress* progressOut,
                              const CancelToken& cancel)
{
    EncodingProgress progress;
    progress.total = notes.size();
    std::vector<std::shared_ptr<const NoteEmbedding>> out(notes.size());
    const ModelConfig& config = model_->config();
    dsp::StftConfig stft;
    stft.nFft = config.nFft;
    stft.hop = config.hop;

    for (std::size_t begin = 0; begin < notes.size(); begin += kBatchNotes) {
        if (cancel.isCancelled())
            break;
        const std::size_t end = std::min(notes.size(), begin + kBatchNotes);
        // Cache hits first; the rest are loaded and analysed in parallel, then encoded in one call.
        std::vector<std::size_t> todo;
        for (std::size_t i = begin; i < end; ++i) {
            if ((out[i] = embedding(notes[i])))
                ++progress.fromCache;
            else if ((out[i] = disk_.load(dataset_->note(notes[i]).noteStr))) {
                remember(notes[i], out[i]);
                ++progress.fromCache;
            } else {
                todo.push_back(i);
            }
        }
        std::vector<dsp::NoteSpectra> spectra(todo.size());
        std::vector<std::string> errors(todo.size());
        ThreadPool::shared().parallelFor(todo.size(), [&](std::size_t b, std::size_t e) {
            for (std::size_t k = b; k < e; ++k) {
                try {
                    const LoadedAudio audio = loadNoteAudio(dataset_->audioPath(notes[todo[k]]), config.sampleRate);
                    spectra[k] = dsp::analyseNote(audio.samples, stft, config.mel, config.sampleRate);
                } catch (const std::exception& ex) {
                    errors[k] = ex.what();
                }
            }
        });
        // One encode call over all slices of the batch (bigger GEMMs, fewer dispatches).
        const int width = config.sliceWidth();
        std::vector<float> slices;
        std::vector<std::pair<std::size_t, int>> counts;  // (k, slices)
        for (std::size_t k = 0; k < todo.size(); ++k) {
            if (!errors[k].empty())
                continue;
            const std::vector<float> s = dsp::toSlices(spectra[k].db, width);
            counts.emplace_back(k, spectra[k].db.frames - width + 1);
            slices.insert(slices.end(), s.begin(), s.end());
        }
        int total = 0;
        for (const auto& c : counts)
            total += c.second;
        if (total > 0) {
            const std::vector<float> embedded = model_->encode(slices.data(), total);
            const int dims = config.embeddingSize();
            std::size_t offset = 0;
            for (const auto& [k, count] : counts) {
                auto e = std::make_shared<NoteEmbedding>();
                e->slices = count;
                e->dims = dims;
                e->values.assign(embedded.begin() + long(offset), embedded.begin() + long(offset + std::size_t(count) * dims));
                offset += std::size_t(count) * dims;
                const std::size_t i = todo[k];
                try {
                    disk_.store(dataset_->note(notes[i]).noteStr, *e);
                } catch (const IoError& ex) {
                    progress.lastError = ex.what();  // still usable from memory
                }
                remember(notes[i], e);
                out[i] = std::move(e);
            }
        }
        for (std::size_t k = 0; k < todo.size(); ++k) {
            if (!errors[k].empty()) {
                ++progress.failed;
                progress.lastError = errors[k];
            }
        }
        progress.done = end;
        if (progressOut)
            *progressOut = progress;
    }
    if (progressOut)
        *progressOut = progress;
    return out;
}

void EncodingService::workerLoop()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stop_ || next_; });
        if (stop_)
            return;
        std::unique_ptr<Job> job = std::move(next_);
        running_ = job->cancel;
        lock.unlock();

        EncodingProgress progress;
        progress.total = job->notes.size();
        // Encode in chunks so progress arrives in batches and cancel is honoured between them.
        constexpr std::size_t kChunk = kBatchNotes * 2;
        for (std::size_t begin = 0; begin < job->notes.size() && !job->cancel.isCancelled(); begin += kChunk) {
            const std::size_t end = std::min(job->notes.size(), begin + kChunk);
            std::vector<std::size_t> chunk(job->notes.begin() + long(begin), job->notes.begin() + long(end));
            EncodingProgress part;
            try {
                encodeAllNow(chunk, &part, job->cancel);
            } catch (const std::exception& e) {
                part.failed = chunk.size();
                part.lastError = e.what();
            }
            progress.done = end;
            progress.fromCache += part.fromCache;
            progress.failed += part.failed;
            if (!part.lastError.empty())
                progress.lastError = part.lastError;
            if (job->progress)
                job->progress(progress);
        }
        const bool cancelled = job->cancel.isCancelled();
        if (job->finished)
            job->finished(progress, cancelled);

        lock.lock();
        if (!next_)
            busy_ = false;
    }
}

} // namespace morph
