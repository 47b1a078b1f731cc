// morphstation-cli index DIR: indexes an NSynth-layout dataset (builds or reuses the index cache)
// and prints counts by split, family, source and pitch plus the validation report.
#include "cli/CliCommand.h"
#include "dataset/NSynthDataset.h"
#include "util/Errors.h"

#include <chrono>
#include <cstdio>
#include <iostream>

namespace {

int runIndex(const std::vector<std::string>& raw)
{
    using namespace morph;
    cli::Args args(raw, {"no-audio-check", "no-cache", "all-problems"});
    args.requireKnown({"no-audio-check", "no-cache", "all-problems", "max-problems"});
    if (args.positionals().size() != 1)
        throw ConfigError("expected exactly one dataset folder");
    DatasetOpenOptions options;
    options.checkAudio = !args.has("no-audio-check");
    options.useCache = !args.has("no-cache");
    const int maxProblems = args.has("all-problems") ? -1 : args.getInt("max-problems", 50);

    const auto t0 = std::chrono::steady_clock::now();
    NSynthDataset ds;
    try {
        ds = NSynthDataset::open(args.positionals()[0], options);
    } catch (const DatasetError& e) {
        std::cerr << "morphstation-cli index: dataset not usable: " << e.what() << "\n";
        return 1;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    const DatasetCounts c = ds.counts();
    std::printf("dataset %s\n", ds.root().c_str());
    for (const auto& s : ds.sources())
        std::printf("  %-7s %8zu notes  %s  (%s%s)\n", splitName(s.split), s.notes, s.dir.c_str(),
                    s.fromCache ? "from index cache " : "indexed",
                    s.fromCache ? s.cacheFile.c_str() : (s.cacheFile.empty() ? ", no cache written" : ", cache written"));
    for (const auto& s : ds.sources())
        if (!s.cacheError.empty())
            std::fprintf(stderr, "warning: the %s split's index cache was not written (the next open indexes it again): %s\n",
                         splitName(s.split), s.cacheError.c_str());
    std::printf("indexed in %.3f s\n\n", seconds);
    std::printf("notes %zu, instruments %zu\n", c.notes, c.instruments);
    std::printf("\nby split:\n");
    for (int s = 0; s < kSplitCount; ++s)
        if (c.bySplit[s])
            std::printf("  %-12s %8zu\n", splitName(static_cast<Split>(s)), c.bySplit[s]);
    std::printf("\nby family:                 instruments\n");
    for (int f = 0; f < kFamilyCount; ++f)
        std::printf("  %-12s %8zu  %8zu\n", familyName(f), c.byFamily[f], ds.instrumentsInFamily(f).size());
    std::printf("\nby source:\n");
    for (int s = 0; s < kSourceCount; ++s)
        std::printf("  %-12s %8zu\n", sourceName(s), c.bySource[s]);
    std::printf("\nby pitch:\n");
    int shown = 0;
    for (int p = 0; p < 128; ++p) {
        if (!c.byPitch[p])
            continue;
        std::printf("  %3d:%-7zu%s", p, c.byPitch[p], (++shown % 6 == 0) ? "\n" : "");
    }
    if (shown % 6 != 0)
        std::printf("\n");
    std::printf("\nby velocity:\n");
    for (int v = 0; v < 128; ++v)
        if (c.byVelocity[v])
            std::printf("  %3d: %zu\n", v, c.byVelocity[v]);
    std::printf("\nby quality:\n");
    for (int qi = 0; qi < kQualityCount; ++qi)
        std::printf("  %-14s %8zu\n", qualityName(qi), c.byQuality[qi]);

    const auto& problems = ds.problems();
    std::printf("\nvalidation: %zu problem%s (each skips the note concerned)\n", problems.size(),
                problems.size() == 1 ? "" : "s");
    for (std::size_t i = 0; i < problems.size(); ++i) {
        if (maxProblems >= 0 && static_cast<int>(i) >= maxProblems) {
            std::printf("  ... %zu more (use --all-problems)\n", problems.size() - i);
            break;
        }
        const auto& p = problems[i];
        std::printf("  %s%s%s: %s\n", p.file.c_str(), p.note.empty() ? "" : " [", p.note.empty() ? "" : (p.note + "]").c_str(),
                    p.reason.c_str());
    }
    std::printf("\nusable: yes (%zu notes)\n", c.notes);
    return 0;
}

morph::cli::CliRegistration reg({"index",
                                 "index DIR [--no-audio-check] [--no-cache] [--max-problems N|--all-problems]",
                                 "Index an NSynth-layout dataset: counts by split/family/source/pitch and the validation report.",
                                 &runIndex});

} // namespace
