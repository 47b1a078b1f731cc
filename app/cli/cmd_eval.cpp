// morphstation-cli eval RUN|CKPT --data DIR: reconstruction MSE (dB^2) of a trained model on the
// dataset's splits, overall, per pitch class and per instrument family -> eval.json + table.
#include "cli/CliCommand.h"
#include "cli/ProgressLine.h"
#include "dataset/NSynthDataset.h"
#include "model/CheckpointInfo.h"
#include "model/ModelRunner.h"
#include "model/TorchRuntime.h"
#include "train/Evaluator.h"
#include "train/TrainingData.h"
#include "util/AtomicFile.h"
#include "util/Errors.h"

#include <iostream>
#include <nlohmann/json.hpp>

namespace {

using namespace morph;

int runEval(const std::vector<std::string>& raw)
{
    cli::Args args(raw, {});
    args.requireKnown({"data", "split", "max-notes", "features", "device", "json", "threads", "precision"});
    if (args.positionals().size() != 1)
        throw ConfigError("expected one run folder or checkpoint file");
    configureTorchRuntime(args.getInt("threads", 0));
    const std::filesystem::path target = args.positionals()[0];
    std::filesystem::path ckpt = target, dir = target.parent_path();
    if (std::filesystem::is_directory(target)) {
        dir = target;
        ckpt = target / "best.pt";
        if (!std::filesystem::exists(ckpt))
            ckpt = target / "last.pt";
    }
    if (dir.empty())
        dir = ".";
    const CheckpointInfo info = readCheckpointInfo(ckpt);
    std::string dataRoot = args.get("data");
    if (dataRoot.empty())
        dataRoot = info.dataset;
    if (dataRoot.empty())
        throw ConfigError("no --data given and the checkpoint records no dataset");
    const NSynthDataset ds = NSynthDataset::open(dataRoot);

    std::vector<std::string> splits;
    const std::string which = args.get("split", "all");
    if (which == "all") {
        for (Split s : ds.splits())
            if (s != Split::Unknown)
                splits.push_back(splitName(s));
        if (splits.empty())
            splits.push_back("unknown");
    } else {
        splits.push_back(which);
    }
    const std::size_t maxNotes = static_cast<std::size_t>(std::max(0, args.getInt("max-notes", 0)));
    FeatureSettings fs;
    fs.mel = info.config.mel;
    fs.sampleRate = info.config.sampleRate;
    fs.nFft = info.config.nFft;
    fs.hop = info.config.hop;
    // Another dataset than the one the model was trained on (e.g. a single NSynth folder): its
    // caches and report go beside the run's own instead of replacing them (same labels "test"...).
    std::error_code ec;
    const bool otherData = !info.dataset.empty() && std::filesystem::weakly_canonical(info.dataset, ec) !=
                                                        std::filesystem::weakly_canonical(ds.root(), ec);
    const std::string dataName = std::filesystem::weakly_canonical(ds.root(), ec).filename().string();
    const std::filesystem::path featureDir =
        args.has("features") ? std::filesystem::path(args.get("features"))
                             : dir / (otherData ? "features-" + dataName : std::string("features"));

    EvalReport report;
    std::vector<std::pair<std::string, std::filesystem::path>> sets;
    for (const auto& name : splits) {
        const auto split = parseSplit(name);
        if (!split)
            throw ConfigError("unknown split '" + name + "' (train, valid, test, all)");
        NoteQuery q;
        q.split = *split;
        const auto notes = spreadSubset(ds.query(q), maxNotes);
        if (notes.empty()) {
            std::cout << "note: the dataset has no '" << name << "' notes; skipped" << std::endl;
            continue;
        }
        const std::string label = name + (maxNotes ? "-max" + std::to_string(maxNotes) : std::string());
        cli::ProgressLine line(15);
        sets.push_back({name, ensureFeatures(ds, notes, fs, label, featureDir, {},
                                             [&](const FeatureBuildProgress& p) {
                                                 line.update(p.total ? double(p.done) / p.total : 1,
                                                             "features " + label + ": " + std::to_string(p.done) + "/" +
                                                                 std::to_string(p.total));
                                             },
                                             [&](const std::string& msg) {
                                                 line.finish();
                                                 std::cout << msg << std::endl;
                                             })});
        line.finish();
    }
    if (sets.empty())
        throw ConfigError("nothing to evaluate");
    auto model = ModelRunner::load(ckpt, args.get("device", "auto"));
    // float32 by default: the reference figures; bfloat16 measures what the slider plays.
    model->setPrecision(parseInferencePrecision(args.get("precision", "float32")));
    cli::ProgressLine line(30);
    report = evaluateSets(*model, sets, {}, [&](const std::string& split, std::size_t done, std::size_t total) {
        line.update(total ? double(done) / total : 1,
                    "evaluating " + split + ": " + std::to_string(done) + "/" + std::to_string(total) + " notes");
    });
    line.finish();
    if (model->precision() != InferencePrecision::Float32)
        report.notes.push_back(std::string("decoded in ") + inferencePrecisionName(model->precision()) + " (fast CPU path)");
    if (otherData)
        report.notes.push_back("dataset " + ds.root().string() + " (the model was trained on " + info.dataset + ")");
    const std::filesystem::path json = args.has("json") ? std::filesystem::path(args.get("json"))
                                                        : dir / (otherData ? "eval-" + dataName + ".json" : "eval.json");
    writeFileAtomically(json, report.toJson());
    std::cout << report.table() << "wrote " << json.string() << std::endl;
    return 0;
}

morph::cli::CliRegistration reg({"eval",
                                 "eval RUN|CKPT [--data DIR] [--split all|train|valid|test] [--max-notes N] "
                                 "[--features DIR] [--device auto|cpu|cuda] [--precision float32|bfloat16|auto] [--json FILE]",
                                 "Reconstruction MSE of a trained model per split, pitch class and family (eval.json).",
                                 &runEval});

} // namespace
