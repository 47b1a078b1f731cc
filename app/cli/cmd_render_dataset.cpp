// morphstation-cli render-dataset: renders an NSynth-format dataset from a GM SoundFont.
#include "cli/CliCommand.h"
#include "render/DatasetRenderer.h"
#include "render/GmPrograms.h"
#include "util/Errors.h"

#include <cstdio>
#include <iostream>

namespace {

/// "0-127", "0,4,40-47" -> program numbers.
std::vector<int> parsePrograms(const std::string& text)
{
    std::vector<int> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(',', start);
        const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        try {
            const auto dash = item.find('-', 1);
            std::size_t used = 0;
            if (dash == std::string::npos) {
                out.push_back(std::stoi(item, &used));
                if (used != item.size())
                    throw std::invalid_argument("trailing");
            } else {
                const int lo = std::stoi(item.substr(0, dash));
                const int hi = std::stoi(item.substr(dash + 1), &used);
                if (used != item.size() - dash - 1 || lo > hi)
                    throw std::invalid_argument("range");
                for (int p = lo; p <= hi; ++p)
                    out.push_back(p);
            }
        } catch (const std::exception&) {
            throw morph::ConfigError("--programs expects numbers and ranges like 0-127 or 0,24,40-47, got '" + text + "'");
        }
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return out;
}

int runRenderDataset(const std::vector<std::string>& raw)
{
    using namespace morph;
    cli::Args args(raw, {"force", "include-sfx", "quiet", "no-normalize"});
    args.requireKnown({"soundfont", "out", "programs", "pitch-min", "pitch-max", "pitch-step", "velocities", "seed",
                       "jobs", "force", "include-sfx", "quiet", "valid-fraction", "test-fraction", "gain", "no-normalize"});
    if (!args.positionals().empty())
        throw ConfigError("unexpected argument '" + args.positionals().front() + "'");
    render::RenderOptions o;
    o.soundfont = args.get("soundfont", "/usr/share/sounds/sf2/FluidR3_GM.sf2");
    o.outDir = args.require("out");
    if (args.has("programs"))
        o.programs = parsePrograms(args.get("programs"));
    o.includeSoundEffects = args.has("include-sfx");
    o.pitchMin = args.getInt("pitch-min", o.pitchMin);
    o.pitchMax = args.getInt("pitch-max", o.pitchMax);
    o.pitchStep = args.getInt("pitch-step", o.pitchStep);
    o.velocities = args.getIntList("velocities", o.velocities);
    o.seed = static_cast<uint32_t>(args.getInt("seed", static_cast<int>(o.seed)));
    o.jobs = args.getInt("jobs", 0);
    o.force = args.has("force");
    o.validFraction = args.getDouble("valid-fraction", o.validFraction);
    o.testFraction = args.getDouble("test-fraction", o.testFraction);
    o.gain = static_cast<float>(args.getDouble("gain", o.gain));
    if (args.has("no-normalize"))
        o.normalizePeak = 0.f;
    const bool quiet = args.has("quiet");

    std::printf("rendering %s -> %s (pitches %d..%d step %d)\n", o.soundfont.c_str(), o.outDir.c_str(), o.pitchMin,
                o.pitchMax, o.pitchStep);
    std::fflush(stdout);
    double lastPrint = -10.0;
    const render::RenderReport r = render::renderDataset(o, [&](const render::RenderProgress& p) {
        if (quiet || (p.seconds - lastPrint < 2.0 && p.done < p.total))
            return;
        lastPrint = p.seconds;
        std::printf("  %zu/%zu notes (%zu written), %.1f s, %.1f notes/s\n", p.done, p.total, p.written, p.seconds,
                    p.seconds > 0 ? p.done / p.seconds : 0.0);
        std::fflush(stdout);
    });
    for (int p : r.missingPrograms)
        std::printf("  warning: the SoundFont has no program %d (%s) in bank 0; skipped\n", p,
                    render::gmProgramClass(p).name);
    std::printf("done: %s\n", r.summary().c_str());
    std::printf("notes by family:");
    for (int f = 0; f < kFamilyCount; ++f)
        std::printf(" %s %zu", familyName(f), r.notesByFamily[f]);
    std::printf("\ndataset ready: %s (check it with 'morphstation-cli index %s')\n", o.outDir.c_str(), o.outDir.c_str());
    return 0;
}

morph::cli::CliRegistration reg({"render-dataset",
                                 "render-dataset --out DIR [--soundfont FILE] [--programs 0-119|list] [--pitch-min 36 "
                                 "--pitch-max 84 --pitch-step 4] [--velocities 75,127] [--seed 1] [--jobs N] "
                                 "[--include-sfx] [--no-normalize] [--force]",
                                 "Render an NSynth-format dataset (train/valid/test) from a General MIDI SoundFont with fluidsynth.",
                                 &runRenderDataset});

} // namespace
