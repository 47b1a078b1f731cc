// morphstation-cli features DATA --out CACHE: computes the dB spectrograms of one split once into
// a memory-mapped float16 feature cache that training reads without decoding audio.
#include "cli/CliCommand.h"
#include "dataset/NSynthDataset.h"
#include "train/FeatureCache.h"
#include "train/TrainingData.h"
#include "util/Errors.h"

#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace {

int runFeatures(const std::vector<std::string>& raw)
{
    using namespace morph;
    cli::Args args(raw, {"mel"});
    args.requireKnown({"out", "split", "mel", "max-notes"});
    if (args.positionals().size() != 1)
        throw ConfigError("expected exactly one dataset folder");
    const std::filesystem::path out = args.require("out");
    const std::string split = args.get("split", "train");
    FeatureSettings settings;
    settings.mel = args.has("mel");
    const int maxNotes = args.getInt("max-notes", 0);
    if (maxNotes < 0)
        throw ConfigError("--max-notes must be >= 0");

    const NSynthDataset ds = NSynthDataset::open(args.positionals()[0]);
    const auto parsed = parseSplit(split);
    if (!parsed)
        throw ConfigError("unknown split '" + split + "'");
    NoteQuery query;
    query.split = *parsed;
    const auto indices = spreadSubset(ds.query(query), static_cast<std::size_t>(maxNotes));
    if (indices.empty())
        throw ConfigError("dataset has no '" + split + "' notes");

    const bool tty = ::isatty(STDERR_FILENO);
    const FeatureBuildReport r = FeatureCache::build(
        ds, indices, settings, split, out, {}, [&](const FeatureBuildProgress& p) {
            if (tty)
                std::fprintf(stderr, "\rfeatures %zu/%zu notes, %.0f notes/s   ", p.done, p.total, p.notesPerSecond);
        });
    if (tty)
        std::fprintf(stderr, "\n");
    std::printf("wrote %s\n", out.c_str());
    std::printf("  %zu notes (%zu all-silent skipped, %zu unreadable), %zu frames of %d bins (%s), %.1f MB\n", r.notes,
                r.skippedSilent, r.failed, r.frames, settings.bins(), settings.mel ? "mel" : "log-mag", r.bytes / 1e6);
    std::printf("  %.2f s, %.0f notes/s\n", r.seconds, r.notesPerSecond);
    for (std::size_t i = 0; i < r.problems.size() && i < 20; ++i)
        std::printf("  skipped %s\n", r.problems[i].c_str());
    if (r.adjusted > 0)
        std::printf("  %zu note(s) converted on load (NSynth notes are 16 kHz mono, 4 s):\n", r.adjusted);
    for (std::size_t i = 0; i < r.adjustments.size() && i < 20; ++i)
        std::printf("  converted %s\n", r.adjustments[i].c_str());
    return 0;
}

morph::cli::CliRegistration reg({"features", "features DATA --out CACHE [--split train] [--mel] [--max-notes N]",
                                 "Compute a split's dB spectrograms once into a memory-mapped feature cache.",
                                 &runFeatures});

} // namespace
