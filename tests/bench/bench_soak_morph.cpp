// Soak benchmark (figures, not pass/fail): thousands of slider moves through LiveMorph and
// MorphEngine must keep a flat resident set. Prints RSS at intervals and the growth after the
// warm-up. The pass/fail counterpart is tests/core/test_soak_memory.cpp (a short loop, bounded).
// Model: $MORPH_BENCH_MODEL, else models/default/model.pt. Moves: $MORPH_SOAK_MOVES (3000).
// For a heap profile: heaptrack build/tests/bench_soak_morph (see docs/HARDENING.md).
#include "SoakSupport.h"

#include "dataset/AudioFile.h"
#include "morph/LiveMorph.h"
#include "morph/MorphEngine.h"

#include <chrono>
#include <cstdio>
#include <random>

using namespace morph;

int main()
{
    const test::SoakSetup setup = test::openSoakSetup();
    const std::size_t moves = test::envCount("MORPH_SOAK_MOVES", 3000);
    const std::shared_ptr<const ModelRunner>& model = setup.model;
    const NSynthDataset& dataset = *setup.dataset;
    std::printf("soak morph: %s, %zu slider moves\n", setup.modelPath.c_str(), moves);

    // Six notes, paired in turn: every 250 moves the pair changes (drops all renders).
    std::vector<std::shared_ptr<const EncodedNote>> notes;
    for (std::size_t i = 0; i < 6 && i < dataset.size(); ++i) {
        notes.push_back(std::make_shared<const EncodedNote>(
            encodeNote(*model, loadNoteAudio(dataset.audioPath(i)).samples, dataset.note(i).noteStr)));
    }
    auto engine = std::make_shared<const MorphEngine>(model);
    MorphOptions options;
    options.griffinLimIterations = 8;  // the loop exercises allocation, not quality
    LiveMorph live(engine, 10);
    live.setOptions(options);

    std::mt19937 rng(3);
    std::uniform_real_distribution<float> uniform(0.f, 1.f);
    const std::size_t warmup = moves / 10, every = std::max<std::size_t>(1, moves / 20);
    test::RssProbe probe;
    probe.sample(0, false);
    std::printf("%8s %10s\n", "move", "RSS MiB");
    const auto t0 = std::chrono::steady_clock::now();
    std::size_t direct = 0;
    for (std::size_t move = 1; move <= moves; ++move) {
        if (move % 250 == 1) {
            const std::size_t k = (move / 250) % notes.size();
            live.setPair(notes[k], notes[(k + 1) % notes.size()], uniform(rng));
        }
        const float t = uniform(rng);
        live.request(t);
        if (move % 10 == 0)
            live.waitFor(t, 120.0);  // a pause in the drag: the exact render completes
        if (move % 50 == 0) {        // and a direct engine render (the CLI / export path)
            const MorphRender r = engine->renderPair(*notes[0], *notes[1], t, options);
            direct += r.audio.size() > 0;
        }
        if (move % every == 0 || move == warmup)
            probe.sample(move, move == warmup);
        if (move % every == 0)
            std::printf("%8zu %10.1f\n", move, test::toMiB(probe.lastBytes));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const LiveMorphStats stats = live.stats();
    std::printf("moves %zu in %.1f s; renders %zu (stale dropped %zu, cache hits %zu, failed %zu), direct %zu, "
                "held now %zu\n",
                moves, seconds, stats.rendered, stats.droppedStale, stats.cacheHits, stats.failed, direct,
                live.readyCount());
    test::printRssSummary("move", warmup, probe);
    return 0;
}
