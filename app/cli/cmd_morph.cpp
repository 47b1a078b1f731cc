// morphstation-cli pairs / morph / reconstruct: the morph engine from the terminal.
#include "cli/CliCommand.h"
#include "dataset/AudioFile.h"
#include "dataset/NSynthDataset.h"
#include "model/ModelRunner.h"
#include "model/TorchRuntime.h"
#include "morph/Correlation.h"
#include "morph/EncodingService.h"
#include "morph/MorphEngine.h"
#include "util/Errors.h"

#include <chrono>
#include <cstdio>
#include <iomanip>
#include <iostream>

namespace morph::cli {
namespace {

std::shared_ptr<const NSynthDataset> openDataset(const Args& args)
{
    return std::make_shared<const NSynthDataset>(NSynthDataset::open(args.require("data")));
}

std::shared_ptr<const ModelRunner> openModel(const Args& args)
{
    configureTorchRuntime();
    auto runner = ModelRunner::load(args.require("model"), args.get("device", "auto"));
    runner->setPrecision(parseInferencePrecision(args.get("precision", "auto")));
    return std::shared_ptr<const ModelRunner>(std::move(runner));
}

std::size_t findNote(const NSynthDataset& dataset, const std::string& name)
{
    if (auto index = dataset.find(name))
        return *index;
    // Listed in examples.json but skipped when indexing (audio missing, bad entry): say why.
    for (const auto& p : dataset.problems())
        if (p.note == name)
            throw DatasetError("note '" + name + "' is in the dataset but cannot be used: " + p.file + ": " + p.reason);
    throw ConfigError("note '" + name + "' is not in the dataset at '" + dataset.root().string()
                      + "' (run `morphstation-cli index` to list it)");
}

std::shared_ptr<const EncodedNote> encodeDatasetNote(const ModelRunner& model, const NSynthDataset& dataset,
                                                     const std::string& name)
{
    const std::size_t index = findNote(dataset, name);
    const LoadedAudio audio = loadNoteAudio(dataset.audioPath(index), model.config().sampleRate);
    for (const auto& adjustment : audio.adjustments)
        std::cerr << "note " << name << ": " << adjustment << "\n";
    return std::make_shared<const EncodedNote>(encodeNote(model, audio.samples, name));
}

MorphOptions morphOptionsFrom(const Args& args)
{
    MorphOptions options;
    options.griffinLimIterations = args.getInt("iters", options.griffinLimIterations);
    options.momentum = float(args.getDouble("momentum", options.momentum));
    options.energyCorrection = !args.has("no-energy-correction");
    const std::string mode = args.get("interpolation", "linear");
    if (mode == "spherical")
        options.interpolation = InterpolationMode::Spherical;
    else if (mode != "linear")
        throw ConfigError("--interpolation must be linear or spherical, got '" + mode + "'");
    if (options.griffinLimIterations < 0 || options.griffinLimIterations > 10000)
        throw ConfigError("--iters must be between 0 and 10000");
    return options;
}

void printRender(const std::string& path, float t, const MorphRender& render)
{
    std::printf("%s  t=%.3f  %s  convergence %.4f  %.1f ms (decode %.1f, overlap-add %.1f, magnitude %.1f, "
                "griffin-lim %.1f, other %.1f)%s\n",
                path.c_str(), double(t), render.usedOriginalPhase ? "original phase" : "griffin-lim",
                double(render.spectralConvergence), render.timings.total(), render.timings.decode,
                render.timings.overlapAdd, render.timings.toMagnitude, render.timings.griffinLim,
                render.timings.interpolate + render.timings.finish,
                render.peakGain < 1.f ? "  (peak-limited)" : "");
}

int runPairs(const std::vector<std::string>& raw)
{
    const Args args(raw, {"allow-same-instrument", "skip-same-family"});
    args.requireKnown({"model", "data", "pitch", "top", "matrix", "device", "family", "source", "velocity",
                       "allow-same-instrument", "skip-same-family", "split", "precision"});
    auto dataset = openDataset(args);
    auto model = openModel(args);
    NoteQuery query;
    query.pitchMin = query.pitchMax = args.getInt("pitch", 60);
    if (args.has("family"))
        query.family = args.getInt("family", 0);
    if (args.has("source"))
        query.source = args.getInt("source", 0);
    if (args.has("velocity"))
        query.velocity = args.getInt("velocity", 0);
    const std::vector<std::size_t> notes = dataset->query(query);
    if (notes.size() < 2)
        throw ConfigError("fewer than two notes match at pitch " + std::to_string(query.pitchMin));

    EncodingService service(model, dataset);
    EncodingProgress progress;
    const auto started = std::chrono::steady_clock::now();
    const auto embeddings = service.encodeAllNow(notes, &progress);
    const double encodeSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::vector<const std::vector<float>*> vectors;
    std::vector<PairKey> keys;
    std::vector<std::string> labels;
    for (std::size_t i = 0; i < notes.size(); ++i) {
        if (!embeddings[i])
            continue;
        const NoteMeta& meta = dataset->note(notes[i]);
        vectors.push_back(&embeddings[i]->values);
        keys.push_back({meta.instrument, meta.family});
        labels.push_back(meta.noteStr);
    }
    std::fprintf(stderr, "encoded %zu notes in %.2f s (%zu from cache, %zu failed%s%s)\n", progress.total,
                 encodeSeconds, progress.fromCache, progress.failed, progress.lastError.empty() ? "" : ": ",
                 progress.lastError.c_str());
    const auto corrStart = std::chrono::steady_clock::now();
    const CorrelationMatrix matrix = computeCorrelation(vectors);
    const double corrMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - corrStart).count();
    std::fprintf(stderr, "correlation of %zu notes: %.1f ms\n", vectors.size(), corrMs);

    // Mean r within and across families: same-family notes should correlate more (METHOD §6).
    double sameSum = 0, crossSum = 0;
    std::size_t sameCount = 0, crossCount = 0;
    for (std::size_t i = 0; i < matrix.size; ++i)
        for (std::size_t j = i + 1; j < matrix.size; ++j) {
            if (keys[i].family == keys[j].family) {
                sameSum += matrix.at(i, j);
                ++sameCount;
            } else {
                crossSum += matrix.at(i, j);
                ++crossCount;
            }
        }
    std::fprintf(stderr, "mean r: same family %.4f (%zu pairs), cross-family %.4f (%zu pairs)\n",
                 sameCount ? sameSum / double(sameCount) : 0.0, sameCount,
                 crossCount ? crossSum / double(crossCount) : 0.0, crossCount);

    PairFilter filter;
    filter.skipSameInstrument = !args.has("allow-same-instrument");
    filter.skipSameFamily = args.has("skip-same-family");
    const auto pairs = rankLowestPairs(matrix, keys, filter, std::size_t(args.getInt("top", 10)));
    std::cout << std::left << std::setw(8) << "r" << std::setw(36) << "note A" << "note B\n";
    for (const auto& p : pairs)
        std::cout << std::fixed << std::setprecision(4) << std::setw(8) << p.r << std::setw(36) << labels[p.a]
                  << labels[p.b] << "\n";
    if (args.has("matrix")) {
        writeCorrelationCsv(args.get("matrix"), matrix, labels);
        std::cerr << "matrix written to " << args.get("matrix") << "\n";
    }
    return 0;
}

int runMorph(const std::vector<std::string>& raw)
{
    const Args args(raw, {"no-energy-correction"});
    args.requireKnown({"model", "data", "a", "b", "t", "out", "steps", "iters", "momentum", "device",
                       "no-energy-correction", "interpolation", "precision"});
    auto dataset = openDataset(args);
    auto model = openModel(args);
    const MorphOptions options = morphOptionsFrom(args);
    const auto a = encodeDatasetNote(*model, *dataset, args.require("a"));
    const auto b = encodeDatasetNote(*model, *dataset, args.require("b"));
    MorphEngine engine(model);
    const std::string out = args.require("out");
    const int steps = args.getInt("steps", 0);
    if (steps <= 0) {
        const float t = float(args.getDouble("t", 0.5));
        if (!(t >= 0.f && t <= 1.f))
            throw ConfigError("--t must be in [0, 1]");
        const MorphRender render = engine.renderPair(*a, *b, t, options);
        writeWav16(out, render.audio, model->config().sampleRate);
        printRender(out, t, render);
        return 0;
    }
    if (steps < 2 || steps > 1000)
        throw ConfigError("--steps must be between 2 and 1000");
    // A series t = 0 .. 1: OUT.wav becomes OUT-000.wav, OUT-001.wav, ...; each warm-starts
    // Griffin-Lim from the previous step's phase.
    std::string stem = out;
    if (stem.size() > 4 && stem.substr(stem.size() - 4) == ".wav")
        stem.resize(stem.size() - 4);
    std::shared_ptr<MorphRender> previous;
    for (int i = 0; i < steps; ++i) {
        const float t = float(i) / float(steps - 1);
        auto render = std::make_shared<MorphRender>(
            engine.renderPair(*a, *b, t, options, previous ? &previous->phase : nullptr));
        char name[32];
        std::snprintf(name, sizeof name, "-%03d.wav", i);
        writeWav16(stem + name, render->audio, model->config().sampleRate);
        printRender(stem + name, t, *render);
        previous = std::move(render);
    }
    return 0;
}

int runReconstruct(const std::vector<std::string>& raw)
{
    const Args args(raw, {"no-energy-correction"});
    args.requireKnown({"model", "data", "note", "out", "phase", "iters", "momentum", "device",
                       "no-energy-correction", "precision"});
    auto dataset = openDataset(args);
    auto model = openModel(args);
    MorphOptions options = morphOptionsFrom(args);
    const std::string phase = args.get("phase", "original");
    if (phase == "griffin-lim")
        options.originalPhaseAtEnds = false;
    else if (phase != "original")
        throw ConfigError("--phase must be original or griffin-lim, got '" + phase + "'");
    const auto note = encodeDatasetNote(*model, *dataset, args.require("note"));
    MorphEngine engine(model);
    const MorphRender render = engine.render({note.get()}, {1.f}, options);
    const std::string out = args.require("out");
    writeWav16(out, render.audio, model->config().sampleRate);
    // Reconstruction error in the model's dB domain (what training minimises).
    double se = 0;
    for (std::size_t i = 0; i < render.db.values.size() && i < note->spectra.db.values.size(); ++i) {
        const double d = double(render.db.values[i]) - note->spectra.db.values[i];
        se += d * d;
    }
    std::printf("dB MSE %.3f\n", se / double(std::max<std::size_t>(1, render.db.values.size())));
    printRender(out, 0.f, render);
    return 0;
}

const CliRegistration pairsCommand({"pairs",
    "pairs --model CKPT --data DIR [--pitch 60] [--top 10] [--matrix OUT.csv] [--family F] [--source S] "
    "[--velocity V] [--allow-same-instrument] [--skip-same-family] [--precision auto|float32|bfloat16]",
    "Encodes the notes at one pitch and prints the lowest-correlation pairs with r.", runPairs});
const CliRegistration morphCommand({"morph",
    "morph --model CKPT --data DIR --a NOTE --b NOTE --out OUT.wav [--t 0.5 | --steps K] [--iters 32] "
    "[--momentum 0.99] [--no-energy-correction] [--interpolation linear|spherical] [--precision auto|float32|bfloat16]",
    "Writes the morph between two notes at t, or a series of K files from t=0 to t=1.", runMorph});
const CliRegistration reconstructCommand({"reconstruct",
    "reconstruct --model CKPT --data DIR --note NOTE --out OUT.wav [--phase original|griffin-lim] [--iters 32] "
    "[--precision auto|float32|bfloat16]",
    "Encodes and decodes one note and writes the reconstruction.", runReconstruct});

} // namespace
} // namespace morph::cli
