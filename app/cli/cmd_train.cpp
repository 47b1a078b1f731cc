// morphstation-cli train: trains an autoencoder on an NSynth-layout dataset (features are computed
// once into the run folder), with terminal progress, Ctrl-C / SIGTERM = save and stop, --resume
// to continue exactly where a run stopped, and an evaluation (eval.json) at the end.
#include "cli/CliCommand.h"
#include "cli/ProgressLine.h"
#include "dataset/NSynthDataset.h"
#include "model/CheckpointInfo.h"
#include "model/ModelRunner.h"
#include "model/TorchRuntime.h"
#include "train/Evaluator.h"
#include "train/Trainer.h"
#include "train/TrainingData.h"
#include "train/TrainingRun.h"
#include "util/AtomicFile.h"
#include "util/Errors.h"

#include <csignal>
#include <cstdio>
#include <iostream>

namespace {

using namespace morph;

CancelToken* gCancel = nullptr;

extern "C" void onStopSignal(int sig)
{
    if (gCancel)
        gCancel->cancel();  // lock-free atomic store
    std::signal(sig, SIG_DFL);  // a second signal ends the process at once
}

std::string fmtNumber(const char* f, double v)
{
    char buf[64];
    std::snprintf(buf, sizeof(buf), f, v);
    return buf;
}

int runTrain(const std::vector<std::string>& raw)
{
    cli::Args args(raw, {"mel", "resume", "no-eval", "position-bias"});
    args.requireKnown({"data", "arch", "mel", "out", "epochs", "device", "resume", "channels", "lr", "batch",
                       "max-notes", "weight-decay", "seed", "patience", "plateau-patience", "max-slices",
                       "max-valid-slices", "features", "train-split", "valid-split", "test-split", "threads",
                       "checkpoint-minutes", "no-eval", "init-from", "position-bias"});
    if (!args.positionals().empty())
        throw ConfigError("unexpected argument '" + args.positionals()[0] + "'");
    const std::filesystem::path out = std::filesystem::absolute(args.require("out"));
    const bool resume = args.has("resume");
    CancelToken cancel;
    gCancel = &cancel;
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);

    TrainConfig cfg;
    std::filesystem::path testFeatures;
    const std::filesystem::path configFile = out / "config.json";
    if (resume && std::filesystem::exists(configFile)) {
        // A copied run's feature caches are found under RUN/features (see loadRunConfig).
        cfg = loadRunConfig(out, [](const std::string& line) { std::cout << line << std::endl; });
        if (args.has("arch") && parseArchitecture(args.get("arch")) != cfg.model.arch)
            throw ConfigError("run " + out.string() + " trains a '" + architectureName(cfg.model.arch) +
                              "' model; --arch cannot change on --resume");
        if (args.has("mel") && !cfg.model.mel)
            throw ConfigError("run " + out.string() + " trains on log-magnitude features; --mel cannot change on --resume");
        if (args.has("channels") && args.getIntList("channels", {}) != cfg.model.effectiveChannels())
            throw ConfigError("run " + out.string() + " has channels " + channelsText(cfg.model.effectiveChannels()) +
                              "; --channels cannot change on --resume");
        if (args.has("position-bias") && !cfg.model.positionBias)
            throw ConfigError("run " + out.string() + " trains without position biases; --position-bias cannot change on "
                              "--resume (start a new run with --init-from this run's best.pt)");
        for (const char* fixed : {"init-from", "batch", "max-notes", "weight-decay", "seed", "features", "train-split",
                                  "valid-split", "max-slices", "max-valid-slices"})
            if (args.has(fixed))
                throw ConfigError(std::string("--") + fixed + " cannot change on --resume (the run's config.json fixes it)");
        cfg.epochs = args.getInt("epochs", cfg.epochs);
        // --lr on resume: continue at a new rate (fine-tune after a plateau, or after a NaN stop).
        if (args.has("lr")) {
            cfg.resumeLearningRate = args.getDouble("lr", 0);
            if (!(cfg.resumeLearningRate > 0))  // 0 would silently mean "keep the saved rate"
                throw ConfigError("--lr must be > 0, got " + args.get("lr"));
        }
        cfg.device = args.get("device", cfg.device);
        cfg.threads = args.getInt("threads", cfg.threads);
        cfg.earlyStopPatience = args.getInt("patience", cfg.earlyStopPatience);
        cfg.checkpointMinutes = args.getDouble("checkpoint-minutes", cfg.checkpointMinutes);
        std::cout << "resuming run " << out.string() << ": " << cfg.model.summary() << std::endl;
        testFeatures = testFeaturesOf(cfg);
    } else {
        const std::filesystem::path data = args.require("data");
        cfg.model.arch = parseArchitecture(args.require("arch"));
        cfg.model.mel = args.has("mel");
        cfg.model.channels = args.getIntList("channels", {});
        cfg.model.positionBias = args.has("position-bias");
        cfg.model.validate();
        cfg.runDir = out;
        cfg.epochs = args.getInt("epochs", cfg.epochs);
        cfg.batchSize = args.getInt("batch", cfg.batchSize);
        cfg.learningRate = args.getDouble("lr", cfg.learningRate);
        cfg.weightDecay = args.getDouble("weight-decay", cfg.weightDecay);
        cfg.seed = static_cast<std::uint64_t>(args.getInt("seed", static_cast<int>(cfg.seed)));
        cfg.earlyStopPatience = args.getInt("patience", cfg.earlyStopPatience);
        cfg.plateauPatience = args.getInt("plateau-patience", cfg.plateauPatience);
        cfg.device = args.get("device", cfg.device);
        cfg.threads = args.getInt("threads", cfg.threads);
        cfg.maxSlicesPerEpoch = static_cast<std::uint64_t>(std::max(0, args.getInt("max-slices", 0)));
        cfg.maxValidSlices = static_cast<std::uint64_t>(std::max(0, args.getInt("max-valid-slices", 0)));
        cfg.checkpointMinutes = args.getDouble("checkpoint-minutes", cfg.checkpointMinutes);
        if (args.has("init-from")) {
            // Checked before the feature caches are built, so a typo costs nothing.
            cfg.initFrom = std::filesystem::absolute(args.get("init-from"));
            const CheckpointInfo from = readCheckpointInfo(cfg.initFrom);
            if (from.config.positionBias && !cfg.model.positionBias)
                throw ConfigError("--init-from " + cfg.initFrom.string() + " has position biases; add --position-bias");
            if (from.config.arch != cfg.model.arch || from.config.mel != cfg.model.mel)
                throw ConfigError("--init-from " + cfg.initFrom.string() + " is a " + from.config.summary() +
                                  " model; this run trains a " + cfg.model.summary() + " model");
            const std::vector<int> fromWidths = from.config.effectiveChannels(), to = cfg.model.effectiveChannels();
            for (std::size_t i = 0; i < fromWidths.size() && i < to.size(); ++i)
                if (to[i] < fromWidths[i])
                    throw ConfigError("--init-from " + cfg.initFrom.string() + " has channels " + channelsText(fromWidths) +
                                      "; --channels " + channelsText(to) + " must be at least as wide in every layer");
        }
        if (!resume && std::filesystem::exists(out / "last.pt"))
            throw ConfigError("run folder " + out.string() +
                              " already holds a training state; add --resume to continue it or choose another --out");

        const NSynthDataset ds = NSynthDataset::open(data);
        DataSelection sel;
        sel.trainSplit = args.get("train-split", "train");
        sel.validSplit = args.get("valid-split", "valid");
        sel.testSplit = args.get("test-split", "test");
        sel.maxNotes = static_cast<std::size_t>(std::max(0, args.getInt("max-notes", 0)));
        const std::filesystem::path featureDir = args.has("features") ? std::filesystem::absolute(args.get("features"))
                                                                      : out / "features";
        // Note sets + feature caches: the same code path as the workstation's Training panel.
        cli::ProgressLine line(15);
        const PreparedRun prepared = prepareTrainingRun(
            ds, sel, cfg, featureDir, cancel,
            [&](const std::string& label, const FeatureBuildProgress& p) {
                line.update(p.total ? static_cast<double>(p.done) / p.total : 1,
                            "features " + label + ": " + std::to_string(p.done) + "/" + std::to_string(p.total) +
                                " notes, " + fmtNumber("%.0f", p.notesPerSecond) + " notes/s");
            },
            [&](const std::string& msg) {
                line.finish();
                std::cout << msg << std::endl;
            });
        line.finish();
        testFeatures = prepared.testFeatures;
    }

    Trainer trainer(cfg, resume);
    cli::ProgressLine line(30);
    trainer.setLogCallback([&](const std::string& msg) {
        line.finish();
        std::cout << msg << std::endl;
    });
    trainer.setProgressCallback([&](const TrainProgress& p) {
        const double fraction = p.batches ? static_cast<double>(p.batch) / p.batches : 0;
        line.update(fraction, "epoch " + std::to_string(p.epoch) + "/" + std::to_string(p.epochs) + " " +
                                  trainPhaseName(p.phase) + " " + std::to_string(p.batch) + "/" +
                                  std::to_string(p.batches) + "  loss " + fmtNumber("%.3f", p.loss) + "  lr " +
                                  fmtNumber("%.2g", p.learningRate) + "  " + fmtNumber("%.0f", p.slicesPerSecond) +
                                  " slices/s  ETA " + cli::ProgressLine::duration(p.etaSeconds));
    });
    std::cout << "device " << trainer.device() << ", " << trainer.trainSlicesPerEpoch() << " training slices/epoch, "
              << trainer.validSlices() << " validation slices" << std::endl;
    const TrainResult r = trainer.run(cancel);
    line.finish();
    std::cout << "run " << out.string() << ": " << stopName(r.stop) << " after " << r.epochsDone
              << " epoch(s); best validation MSE " << fmtNumber("%.4f", r.bestValidLoss) << " dB^2 at epoch "
              << r.bestEpoch << std::endl;
    if (r.stop == TrainResult::Stop::Cancelled) {
        std::cout << "state saved; continue with: morphstation-cli train --out " << out.string() << " --resume"
                  << std::endl;
        return 130;
    }
    if (args.has("no-eval") || !std::filesystem::exists(r.bestCheckpoint))
        return 0;

    auto model = ModelRunner::load(r.bestCheckpoint, cfg.device);
    std::vector<std::pair<std::string, std::filesystem::path>> sets = {{"train", cfg.trainFeatures},
                                                                       {"valid", cfg.validFeatures}};
    if (!testFeatures.empty())
        sets.push_back({"test", testFeatures});
    cli::ProgressLine evalLine(30);
    EvalReport report = evaluateSets(*model, sets, cancel, [&](const std::string& split, std::size_t done, std::size_t total) {
        evalLine.update(total ? static_cast<double>(done) / total : 1,
                        "evaluating " + split + ": " + std::to_string(done) + "/" + std::to_string(total) + " notes");
    });
    evalLine.finish();
    report.notes.push_back("train = " + cfg.trainLabel + ", valid = " + cfg.validLabel);
    writeFileAtomically(out / "eval.json", report.toJson());
    std::cout << "\n" << report.table() << "wrote " << (out / "eval.json").string() << std::endl;
    return 0;
}

morph::cli::CliRegistration reg(
    {"train",
     "train --data DIR --arch single|double|triple|frame1d [--mel] --out RUN [--epochs N] [--device auto|cpu|cuda] "
     "[--resume] [--channels 8,16,16,16] [--position-bias] [--lr X] [--batch 32] [--max-notes N] [--weight-decay X] [--seed N] "
     "[--patience N] [--max-slices N] [--max-valid-slices N] [--features DIR] [--train-split S] [--valid-split S] "
     "[--threads N] [--checkpoint-minutes M] [--init-from CKPT] [--no-eval]",
     "Train an autoencoder (features cached in RUN/features; Ctrl-C saves; --resume continues exactly; "
     "--init-from starts from a trained checkpoint of the same architecture: same widths = fine-tune, "
     "wider = function-preserving widening; --position-bias adds a learned bias per layer output position "
     "(2D models; a plain --init-from checkpoint continues unchanged).", &runTrain});

} // namespace
