// morphstation-cli style-transfer: imposes one sound's timbre on another (core/style, METHOD §7).
// --content / --style take a sound file or, with --data, a note name of that dataset (like
// `morph --a/--b`). Writes OUT.wav (and the loss curve CSV) atomically.
#include "cli/CliCommand.h"
#include "cli/ProgressLine.h"
#include "dataset/AudioFile.h"
#include "dataset/NSynthDataset.h"
#include "model/TorchRuntime.h"
#include "style/StyleTransfer.h"
#include "util/Errors.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

namespace morph::cli {
namespace {

/// A file path, or a note name of the --data dataset.
style::AudioClip loadClip(const std::string& what, const std::string& role,
                          const std::optional<NSynthDataset>& dataset)
{
    std::filesystem::path path = what;
    if (!std::filesystem::exists(path)) {
        if (!dataset)
            throw ConfigError("--" + role + " '" + what
                              + "' is not a file; to use a note name give the dataset with --data DIR");
        const auto index = dataset->find(what);
        if (!index)
            throw ConfigError("--" + role + " '" + what + "' is neither a file nor a note of the dataset at '"
                              + dataset->root().string() + "' (run `morphstation-cli index` to list it)");
        path = dataset->audioPath(*index);
    }
    const LoadedAudio audio = loadAudio(path, 0);  // keep the file's rate; the core resamples
    for (const auto& adjustment : audio.adjustments)
        std::cerr << role << " " << what << ": " << adjustment << "\n";
    style::AudioClip clip;
    clip.samples = audio.samples;
    clip.sampleRate = audio.sampleRate;
    clip.name = path.string();
    return clip;
}

int runStyleTransfer(const std::vector<std::string>& raw)
{
    const Args args(raw, {});
    args.requireKnown({"content", "style", "out", "alpha", "beta", "gamma", "delta", "iters", "features", "model",
                       "data", "loss-curve", "optimizer", "lr", "init", "nfft", "hop", "filters", "kernel", "seed",
                       "gl-iters", "device", "threads"});
    style::StyleTransferOptions o;
    o.contentWeight = args.getDouble("alpha", o.contentWeight);
    o.styleWeight = args.getDouble("beta", o.styleWeight);
    o.energyWeight = args.getDouble("gamma", o.energyWeight);
    o.frequencyWeight = args.getDouble("delta", o.frequencyWeight);
    o.iterations = args.getInt("iters", o.iterations);
    o.features = style::parseFeatureKind(args.get("features", "random"));
    o.checkpoint = args.get("model");
    o.optimizer = style::parseOptimizerKind(args.get("optimizer", "lbfgs"));
    o.learningRate = args.getDouble("lr", 0);
    o.init = style::parseInitKind(args.get("init", "noise"));
    o.nFft = args.getInt("nfft", o.nFft);
    o.hop = args.getInt("hop", o.hop);
    o.filters = args.getInt("filters", o.filters);
    o.kernel = args.getInt("kernel", o.kernel);
    const int seed = args.getInt("seed", 0);
    if (seed < 0)
        throw ConfigError("--seed must be >= 0");
    o.seed = static_cast<uint64_t>(seed);
    o.griffinLimIterations = args.getInt("gl-iters", o.griffinLimIterations);
    o.device = args.get("device", "auto");
    const int threads = args.getInt("threads", 0);
    if (threads < 0)
        throw ConfigError("--threads must be >= 0 (0 = all cores)");
    o.validate();
    const std::string out = args.require("out");
    const std::string contentArg = args.require("content"), styleArg = args.require("style");

    std::optional<NSynthDataset> dataset;
    if (args.has("data"))
        dataset = NSynthDataset::open(args.get("data"));
    const style::AudioClip content = loadClip(contentArg, "content", dataset);
    const style::AudioClip styleClip = loadClip(styleArg, "style", dataset);

    configureTorchRuntime(threads);
    const style::StyleTransfer transfer(o);
    std::fprintf(stderr, "style transfer: %s features, %s, %d iterations, device %s, %d torch threads\n",
                 style::featureKindName(o.features), style::optimizerKindName(o.optimizer), o.iterations,
                 transfer.device().c_str(), torchThreads());

    ProgressLine line(10);
    const auto result = transfer.run(content, styleClip, [&](const style::StyleTransferProgress& p) {
        char text[160];
        std::snprintf(text, sizeof text, "iteration %d/%d  loss %.4g (style %.4g, content %.4g)", p.iteration,
                      p.iterations, p.loss.total, p.loss.style, p.loss.content);
        line.update(p.iterations > 0 ? double(p.iteration) / p.iterations : 1.0, text, p.iteration == p.iterations);
    });
    line.finish();
    for (const auto& a : result.adjustments)
        std::fprintf(stderr, "%s\n", a.c_str());

    writeWav16(out, result.audio, result.sampleRate);
    if (args.has("loss-curve"))
        style::writeLossCurveCsv(args.get("loss-curve"), result.lossCurve);

    const auto& first = result.lossCurve.front();
    const auto& last = result.lossCurve.back();
    std::printf("%s: %zu samples at %d Hz, %s spectrogram %d x %d\n", out.c_str(), result.audio.size(),
                result.sampleRate, result.representation.c_str(), result.output.bins, result.output.frames);
    std::printf("loss: total %.5g -> %.5g, content %.5g -> %.5g, style %.5g -> %.5g, energy %.5g -> %.5g, "
                "frequency %.5g -> %.5g (%zu iterates)\n",
                first.total, last.total, first.content, last.content, first.style, last.style, first.energy,
                last.energy, first.frequency, last.frequency, result.lossCurve.size());
    std::printf("time: optimisation %.2f s, Griffin-Lim %.2f s (convergence %.4f)%s\n", result.optimiseSeconds,
                result.griffinLimSeconds, double(result.spectralConvergence),
                result.peakGain < 1.f ? "  (peak-limited)" : "");
    if (args.has("loss-curve"))
        std::printf("loss curve: %s\n", args.get("loss-curve").c_str());
    return 0;
}

const CliRegistration styleTransferCommand({"style-transfer",
    "style-transfer --content A.wav|NOTE --style B.wav|NOTE --out OUT.wav [--data DIR] [--alpha 0.01] [--beta 1] "
    "[--gamma 0] [--delta 0] [--iters 300] [--features random|encoder] [--model CKPT] [--optimizer lbfgs|adam] "
    "[--lr X] [--init noise|content] [--nfft 2048] [--hop 512] [--filters 4096] [--kernel 11] [--seed 0] "
    "[--gl-iters 100] [--device auto] [--threads N] [--loss-curve CURVE.csv]",
    "Optimises a spectrogram with the content of one sound and the style (Gram statistics, envelopes) of another.",
    runStyleTransfer});

} // namespace
} // namespace morph::cli
