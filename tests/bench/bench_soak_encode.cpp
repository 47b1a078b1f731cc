// Soak benchmark (figures, not pass/fail): a long encode loop through EncodingService must keep a
// flat resident set. Each round builds a service over the 60 real notes with an empty disk cache,
// runs a background job to completion (worker thread, progress callbacks, disk writes), re-opens
// it from the disk cache, and destroys it. Prints RSS per interval and the growth after warm-up.
// Model: $MORPH_BENCH_MODEL, else models/default/model.pt. Rounds: $MORPH_SOAK_ROUNDS (50).
#include "SoakSupport.h"

#include "morph/EncodingService.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <unistd.h>

using namespace morph;
namespace fs = std::filesystem;

int main()
{
    const test::SoakSetup setup = test::openSoakSetup();
    const std::size_t rounds = test::envCount("MORPH_SOAK_ROUNDS", 50);
    const std::shared_ptr<const ModelRunner>& model = setup.model;
    const std::shared_ptr<const NSynthDataset>& dataset = setup.dataset;
    std::vector<std::size_t> all(dataset->size());
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = i;
    const fs::path cache = fs::temp_directory_path() / ("morph_soak_encode_" + std::to_string(::getpid()));
    std::printf("soak encode: %s, %zu rounds x %zu notes\n", setup.modelPath.c_str(), rounds, all.size());

    const std::size_t warmup = std::max<std::size_t>(1, rounds / 10);
    test::RssProbe probe;
    probe.sample(0, false);
    std::printf("%8s %10s %10s\n", "round", "encoded", "RSS MiB");
    const auto t0 = std::chrono::steady_clock::now();
    std::size_t encoded = 0, failed = 0;
    for (std::size_t round = 1; round <= rounds; ++round) {
        fs::remove_all(cache);
        {
            EncodingService service(model, dataset, cache);
            std::mutex m;
            std::condition_variable cv;
            bool done = false;
            service.start(all, {}, [&](const EncodingProgress& p, bool) {
                std::lock_guard<std::mutex> lock(m);
                encoded += p.done - p.fromCache;
                failed += p.failed;
                done = true;
                cv.notify_all();
            });
            std::unique_lock<std::mutex> lock(m);
            cv.wait(lock, [&] { return done; });
        }
        {
            EncodingService reopened(model, dataset, cache);  // from disk this time
            reopened.encodeAllNow(all);
        }
        probe.sample(round, round == warmup);
        std::printf("%8zu %10zu %10.1f\n", round, encoded, test::toMiB(probe.lastBytes));
    }
    fs::remove_all(cache);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("encoded %zu notes (%zu failed) in %.1f s\n", encoded, failed, seconds);
    test::printRssSummary("round", warmup, probe);
    return 0;
}
