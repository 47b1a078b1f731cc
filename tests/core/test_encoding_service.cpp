#include "support/TinyModel.h"  // torch first

#include "dataset/NSynthDataset.h"
#include "model/ModelRunner.h"
#include "morph/EncodingService.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

using namespace morph;
namespace fs = std::filesystem;

namespace {

struct Fixture {
    fs::path cacheRoot = fs::temp_directory_path() / "morph_encoding_test_cache";
    std::shared_ptr<const ModelRunner> model;
    std::shared_ptr<const NSynthDataset> dataset;
    Fixture()
    {
        fs::remove_all(cacheRoot);
        const auto path = fs::temp_directory_path() / "morph_encoding_test_model.mpt";
        test::writeTinyModel(path, {"guitar_acoustic_010-060-100"}, 0);  // untrained is enough here
        model = ModelRunner::load(path, "cpu");
        dataset = std::make_shared<const NSynthDataset>(
            NSynthDataset::open(std::string(MORPH_SHARED_DATA_DIR) + "/nsynth-test-pitch60"));
    }
    ~Fixture() { fs::remove_all(cacheRoot); }
    std::vector<std::size_t> firstNotes(std::size_t n) const
    {
        std::vector<std::size_t> notes;
        for (std::size_t i = 0; i < n && i < dataset->size(); ++i)
            notes.push_back(i);
        return notes;
    }
};

} // namespace

TEST(EncodingService, EncodesCachesOnDiskAndMatchesDirectEncoding)
{
    Fixture f;
    const auto notes = f.firstNotes(20);
    EncodingProgress progress;
    {
        EncodingService service(f.model, f.dataset, f.cacheRoot);
        const auto embeddings = service.encodeAllNow(notes, &progress);
        EXPECT_EQ(progress.done, notes.size());
        EXPECT_EQ(progress.fromCache, 0u);
        EXPECT_EQ(progress.failed, 0u);
        ASSERT_EQ(embeddings.size(), notes.size());
        for (const auto& e : embeddings) {
            ASSERT_NE(e, nullptr);
            EXPECT_EQ(e->slices, 124);
            EXPECT_EQ(e->dims, f.model->config().embeddingSize());
        }
        // Batched encoding equals encoding one note on its own.
        const auto audio = loadNoteAudio(f.dataset->audioPath(notes[3]));
        const NoteEmbedding direct = embedAudio(*f.model, audio.samples);
        ASSERT_EQ(direct.values.size(), embeddings[3]->values.size());
        for (std::size_t k = 0; k < direct.values.size(); ++k)
            ASSERT_NEAR(direct.values[k], embeddings[3]->values[k], 1e-3f);
    }
    // A new service (re-opening the dataset with the same model) reads everything from disk.
    EncodingService again(f.model, f.dataset, f.cacheRoot);
    const auto cached = again.encodeAllNow(notes, &progress);
    EXPECT_EQ(progress.fromCache, notes.size());
    EXPECT_NE(cached[5], nullptr);
}

TEST(EncodingService, BackgroundJobReportsProgressAndFillsIn)
{
    Fixture f;
    EncodingService service(f.model, f.dataset, f.cacheRoot);
    const auto notes = f.firstNotes(40);
    std::mutex mutex;
    std::condition_variable done;
    bool finished = false, wasCancelled = true;
    std::atomic<int> progressCalls{0};
    service.start(notes, [&](const EncodingProgress&) { ++progressCalls; },
                  [&](const EncodingProgress& p, bool cancelled) {
                      std::lock_guard lock(mutex);
                      finished = true;
                      wasCancelled = cancelled;
                      EXPECT_EQ(p.done, notes.size());
                      done.notify_all();
                  });
    std::unique_lock lock(mutex);
    ASSERT_TRUE(done.wait_for(lock, std::chrono::seconds(300), [&] { return finished; }));
    EXPECT_FALSE(wasCancelled);
    EXPECT_GE(progressCalls.load(), 1);
    EXPECT_LE(progressCalls.load(), 5);  // batched, not one per note
    for (auto n : notes)
        EXPECT_NE(service.embedding(n), nullptr);
}

TEST(EncodingService, CancelStopsEarly)
{
    Fixture f;
    EncodingService service(f.model, f.dataset, f.cacheRoot);
    std::mutex mutex;
    bool finished = false, wasCancelled = false;
    std::condition_variable done;
    service.start(f.firstNotes(60), {}, [&](const EncodingProgress&, bool cancelled) {
        std::lock_guard lock(mutex);
        finished = true;
        wasCancelled = cancelled;
        done.notify_all();
    });
    service.cancel();
    std::unique_lock lock(mutex);
    done.wait_for(lock, std::chrono::seconds(300), [&] { return finished; });
    EXPECT_TRUE(finished);
    EXPECT_TRUE(wasCancelled);
}
