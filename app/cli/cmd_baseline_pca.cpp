// morphstation-cli baseline-pca: the PCA baseline of GitHub issue 7. Fits PCA with K components
// (the autoencoder's embedding size) on the training slices of a dataset (features built/cached
// exactly as `train` does), or loads a saved basis (--basis), and evaluates it with the same
// Evaluator as `eval`: MSE (dB^2) per split, pitch class and family -> OUT/eval.json + table.
#include "cli/CliCommand.h"
#include "cli/ProgressLine.h"
#include "dataset/NSynthDataset.h"
#include "model/CheckpointInfo.h"
#include "model/TorchRuntime.h"
#include "train/Evaluator.h"
#include "train/PcaBaseline.h"
#include "train/TrainingData.h"
#include "util/AtomicFile.h"
#include "util/Errors.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <iostream>

namespace {

using namespace morph;

/// ensureFeatures, but never overwrites an existing cache built from other notes or settings
/// (e.g. a training run's own caches passed with --features): that is an error to fix by hand.
std::filesystem::path features(const NSynthDataset& ds, const std::vector<std::size_t>& notes, const FeatureSettings& fs,
                               const std::string& label, const std::filesystem::path& dir)
{
    const std::filesystem::path file = dir / (label + (fs.mel ? "-mel" : "-logmag") + ".feat");
    if (std::filesystem::exists(file) && !FeatureCache::matches(file, fs, FeatureCache::sourceKey(ds, notes, label)))
        throw ConfigError("feature cache " + file.string() + " exists but was built from other notes or settings (" +
                          "dataset root must be spelled as when it was built); refusing to overwrite it: choose " +
                          "another --features folder");
    cli::ProgressLine line(15);
    auto path = ensureFeatures(
        ds, notes, fs, label, dir, {},
        [&](const FeatureBuildProgress& p) {
            line.update(p.total ? double(p.done) / p.total : 1,
                        "features " + label + ": " + std::to_string(p.done) + "/" + std::to_string(p.total));
        },
        [&](const std::string& msg) {
            line.finish();
            std::cout << msg << std::endl;
        });
    line.finish();
    return path;
}

std::string fileHash(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return hashHex(fnv1a64(bytes.data(), bytes.size()));
}

int runBaselinePca(const std::vector<std::string>& raw)
{
    cli::Args args(raw, {"mel"});
    args.requireKnown({"data", "dims", "out", "max-slices", "features", "split", "model", "basis", "max-notes", "seed",
                       "mel", "threads", "train-split", "valid-split", "test-split"});
    if (!args.positionals().empty())
        throw ConfigError("unexpected argument '" + args.positionals()[0] + "'");
    configureTorchRuntime(args.getInt("threads", 0));
    const std::filesystem::path out = std::filesystem::absolute(args.require("out"));
    std::filesystem::create_directories(out);
    const NSynthDataset ds = NSynthDataset::open(args.require("data"));
    const std::string which = args.get("split", "all");
    if (which != "all" && !parseSplit(which))
        throw ConfigError("unknown --split '" + which + "' (all, train, valid, test)");

    // Pre-processing and K: from the checkpoint, a saved basis, or the options.
    FeatureSettings fs;
    int dims = 0, width = 3;
    std::optional<PcaBaseline> pca;
    std::filesystem::path basisFile;
    if (args.has("model")) {
        const CheckpointInfo info = readCheckpointInfo(args.get("model"));
        fs.mel = info.config.mel;
        fs.sampleRate = info.config.sampleRate;
        fs.nFft = info.config.nFft;
        fs.hop = info.config.hop;
        dims = info.config.embeddingSize();
        width = info.config.sliceWidth();
        std::cout << "model " << info.config.summary() << ": embedding size " << dims << std::endl;
    } else {
        fs.mel = args.has("mel");
    }
    if (args.has("basis")) {
        basisFile = std::filesystem::absolute(args.get("basis"));
        pca = PcaBaseline::load(basisFile);
        if (dims && pca->components() != dims)
            throw ConfigError("basis " + basisFile.string() + " has " + std::to_string(pca->components()) +
                              " components but the model's embedding has " + std::to_string(dims));
        if (pca->mel() != fs.mel && args.has("model"))
            throw ConfigError("basis " + basisFile.string() + " and the model use different spectrogram scales");
        fs.mel = pca->mel();
        dims = pca->components();
        width = pca->width();
        std::cout << "loaded " << basisFile.string() << ": " << pca->summary() << std::endl;
    }
    if (args.has("dims")) {
        const int k = args.getInt("dims", 0);
        if (dims && k != dims)
            throw ConfigError("--dims " + std::to_string(k) + " contradicts the " + std::to_string(dims) +
                              " components of --model/--basis");
        dims = k;
    }
    if (dims <= 0)
        throw ConfigError("give --dims K (the autoencoder's embedding size, e.g. 250), --model CKPT or --basis FILE");
    if (fs.bins() * width < dims)
        throw ConfigError("--dims " + std::to_string(dims) + " exceeds the slice size " +
                          std::to_string(fs.bins() * width));

    const std::size_t maxNotes = static_cast<std::size_t>(std::max(0, args.getInt("max-notes", 0)));
    const std::filesystem::path featureDir =
        args.has("features") ? std::filesystem::absolute(args.get("features")) : out / "features";
    std::vector<std::pair<std::string, std::filesystem::path>> sets;
    EvalReport report;

    if (!pca) {
        // Fit on the training notes exactly as `train` selects them (same labels, same caches).
        DataSelection sel;
        sel.trainSplit = args.get("train-split", "train");
        sel.validSplit = args.get("valid-split", "valid");
        sel.testSplit = args.get("test-split", "test");
        sel.maxNotes = maxNotes;
        const NoteSets noteSets = selectNoteSets(ds, sel);
        for (const auto& n : noteSets.notes)
            std::cout << "note: " << n << std::endl;
        const auto trainFile = features(ds, noteSets.train, fs, noteSets.trainLabel, featureDir);
        const FeatureCache train = FeatureCache::open(trainFile);
        PcaFitOptions o;
        o.components = dims;
        o.width = width;
        o.maxSlices = static_cast<std::uint64_t>(std::max(0, args.getInt("max-slices", 50000)));
        o.seed = static_cast<std::uint64_t>(std::max(0, args.getInt("seed", 1)));
        const auto t0 = std::chrono::steady_clock::now();
        std::cout << "fitting PCA (k=" << dims << ") on " << trainFile.string() << " ..." << std::endl;
        pca = PcaBaseline::fit(train, o);
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        char buf[128];
        std::snprintf(buf, sizeof(buf), " (%.1f s)", secs);
        std::cout << pca->summary() << buf << std::endl;
        basisFile = out / ("pca-k" + std::to_string(dims) + (fs.mel ? "-mel" : "-logmag") + ".basis");
        pca->save(basisFile);
        std::cout << "wrote " << basisFile.string() << std::endl;
        report.notes.push_back("fitted on " + pca->source());
        report.notes.push_back("train = " + noteSets.trainLabel + ", valid = " + noteSets.validLabel);
        if (which == "all" || which == "train")
            sets.push_back({"train", trainFile});
        if ((which == "all" || which == "valid") && !noteSets.valid.empty())
            sets.push_back({"valid", features(ds, noteSets.valid, fs, noteSets.validLabel, featureDir)});
        if ((which == "all" || which == "test") && !noteSets.test.empty())
            sets.push_back({"test", features(ds, noteSets.test, fs, noteSets.testLabel, featureDir)});
    } else {
        // A saved basis: evaluate the dataset's splits like `eval` does (any NSynth-format folder).
        std::vector<std::string> splits;
        if (which == "all") {
            for (Split s : ds.splits())
                splits.push_back(splitName(s));
        } else {
            splits.push_back(which);
        }
        report.notes.push_back("basis " + pca->source());
        for (const auto& name : splits) {
            NoteQuery q;
            q.split = *parseSplit(name);
            const auto notes = spreadSubset(ds.query(q), maxNotes);
            if (notes.empty()) {
                std::cout << "note: the dataset has no '" << name << "' notes; skipped" << std::endl;
                continue;
            }
            const std::string label = name + (maxNotes ? "-max" + std::to_string(maxNotes) : std::string());
            sets.push_back({name, features(ds, notes, fs, label, featureDir)});
        }
    }
    if (sets.empty())
        throw ConfigError("nothing to evaluate (the dataset has no notes in the asked split)");

    SliceReconstructor rec;
    rec.bins = pca->bins();
    rec.width = pca->width();
    rec.mel = pca->mel();
    rec.reconstruct = [&](const float* x, int count) { return pca->reconstruct(x, count); };
    cli::ProgressLine line(30);
    EvalReport r = evaluateSets(rec, sets, {}, [&](const std::string& split, std::size_t done, std::size_t total) {
        line.update(total ? double(done) / total : 1,
                    "evaluating " + split + ": " + std::to_string(done) + "/" + std::to_string(total) + " notes");
    });
    line.finish();
    r.checkpoint = basisFile.string();
    r.checkpointHash = fileHash(basisFile);
    r.model = pca->summary();
    r.notes.insert(r.notes.end(), report.notes.begin(), report.notes.end());
    r.notes.push_back("dataset " + ds.root().string());
    const std::filesystem::path json = out / "eval.json";
    writeFileAtomically(json, r.toJson());
    std::cout << r.table() << "wrote " << json.string() << std::endl;
    return 0;
}

morph::cli::CliRegistration reg(
    {"baseline-pca",
     "baseline-pca --data DIR --out DIR (--dims K | --model CKPT | --basis FILE) [--max-slices 50000] "
     "[--features DIR] [--split all|train|valid|test] [--max-notes N] [--seed N] [--mel] [--threads N] "
     "[--train-split S] [--valid-split S] [--test-split S]",
     "PCA baseline with the autoencoder's embedding size: fit on the train slices (or load --basis), evaluate like "
     "eval (OUT/eval.json).",
     &runBaselinePca});

} // namespace
