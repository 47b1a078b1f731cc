#pragma once
// Autoencoder training (METHOD §4), plain C++ facade (LibTorch stays in Trainer.cpp).
//
// A run folder holds:
//   config.json      the TrainConfig (model, data, optimiser, schedule) as first started
//   train.log        human log, appended (resumes add to it)
//   metrics.jsonl    one JSON line per finished epoch (rewritten atomically from the history)
//   last.pt          latest state: written every epoch, every checkpointMinutes inside an epoch,
//                    and on cancel; holds model + Adam + scheduler + RNG + position, so --resume
//                    continues the exact same curve (same batches, same losses)
//   best.pt          the state with the lowest validation loss so far
//   checkpoints/epoch-NNN.pt  the state after every epoch
//   eval.json        written by the evaluator (see Evaluator.h)
// Every file is written atomically (temp + rename): a kill at any moment leaves the previous
// version, never a torn file.
//
// Thread contract: construct, set callbacks, then call run() on ONE worker thread (never the GUI
// thread). Callbacks are invoked on that worker thread; they must be quick and must not call
// back into the Trainer. cancel() on the CancelToken from any thread stops the run within one
// batch; run() then saves last.pt and returns with stop == Cancelled.
#include "model/ModelConfig.h"
#include "util/CancelToken.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace morph {

struct TrainConfig {
    ModelConfig model;
    std::filesystem::path trainFeatures;   // feature caches (FeatureCache files)
    std::filesystem::path validFeatures;
    std::filesystem::path runDir;

    int epochs = 200;            // upper bound; early stopping usually ends the run first
    int batchSize = 32;
    /// Adam learning rate. 1e-3 by default: with BatchNorm after every hidden layer the raw dB
    /// targets train stably at 1e-3 and ~10x faster than at 1e-4 (measured, docs/MODELS.md);
    /// ReduceLROnPlateau takes it down to minLr (METHOD §4's 1e-4 .. 1e-7 range).
    double learningRate = 1e-3;
    double weightDecay = 0.0;
    double plateauFactor = 0.5;  // ReduceLROnPlateau on the validation loss
    int plateauPatience = 2;
    double plateauThreshold = 1e-4;  // relative improvement that counts (PyTorch "rel" mode)
    double minLearningRate = 1e-7;
    /// On resume only: > 0 continues with this learning rate instead of the saved one (the
    /// plateau counter restarts). Fine-tuning after a plateau, or recovery after a NaN stop.
    /// Not written to config.json (that keeps the run's starting rate); logged on resume.
    double resumeLearningRate = 0;
    /// New runs only: start from this checkpoint's weights and dB normalisation instead of a
    /// random initialisation (same architecture and pre-processing; widths equal = fine-tuning,
    /// wider = a function-preserving Net2WiderNet widening, see model/Widening.h). Empty = none.
    std::filesystem::path initFrom;
    int earlyStopPatience = 8;   // epochs without a new best validation loss
    std::uint64_t seed = 1;
    std::string device = "auto"; // auto (CUDA when available), cpu, cuda, cuda:N
    int threads = 0;             // CPU intra-op threads (0 = all cores)

    std::uint64_t maxSlicesPerEpoch = 0;  // 0 = all slices; else a fresh random subset per epoch
    std::uint64_t maxValidSlices = 0;     // 0 = all; else a fixed random subset
    double checkpointMinutes = 10;        // mid-epoch checkpoint interval (0 = only per epoch)

    /// Free-form descriptions recorded in config.json and every checkpoint.
    std::string datasetRoot, trainLabel, validLabel;

    /// TEST HOOK: replace the loss of this global step (0-based) with NaN (-1 = off).
    std::int64_t testInjectNanAtStep = -1;
    /// TEST HOOK: sleep this many milliseconds after every batch (cancel tests).
    int testSleepPerBatchMs = 0;

    std::string toJson() const;                  // pretty JSON (config.json)
    /// Throws ConfigError naming `source` and the field that is missing, mistyped or out of range.
    static TrainConfig fromJson(const std::string& json, const std::string& source = "run config");
};

enum class TrainPhase { Train, Valid };
const char* trainPhaseName(TrainPhase);

struct TrainProgress {
    TrainPhase phase = TrainPhase::Train;
    int epoch = 0, epochs = 0;            // 1-based current epoch
    std::int64_t batch = 0, batches = 0;  // within the phase
    double loss = 0;                      // running mean of this phase so far (dB^2)
    double learningRate = 0;
    double slicesPerSecond = 0;
    double etaSeconds = 0;                // until the end of this epoch (train + valid)
};

struct EpochRecord {
    int epoch = 0;
    double trainLoss = 0, validLoss = 0, learningRate = 0, seconds = 0, slicesPerSecond = 0;
    double dataSeconds = 0;  // time spent gathering batches from the feature cache
    std::uint64_t trainSlices = 0, validSlices = 0;
    bool best = false;
};

struct TrainResult {
    enum class Stop { Completed, EarlyStopped, Cancelled, MinLearningRate };
    Stop stop = Stop::Completed;
    int epochsDone = 0;
    int bestEpoch = 0;
    double bestValidLoss = 0;
    std::filesystem::path lastCheckpoint, bestCheckpoint;
    std::vector<EpochRecord> history;
    std::string device;
};
const char* stopName(TrainResult::Stop);

class Trainer {
public:
    /// Validates the config (ConfigError) and opens the feature caches (IoError/DatasetError).
    /// With resume = true and runDir/last.pt present, run() continues from it (the run's own
    /// config.json must describe the same model; a mismatch throws CheckpointError).
    Trainer(TrainConfig config, bool resume = false);
    ~Trainer();

    void setProgressCallback(std::function<void(const TrainProgress&)> fn);
    void setEpochCallback(std::function<void(const EpochRecord&)> fn);
    void setLogCallback(std::function<void(const std::string&)> fn);  // also written to train.log

    /// Trains until epochs, early stop, min learning rate or cancel. Throws TrainingError on a
    /// NaN/Inf loss or when memory runs out (the message advises a smaller --batch; last.pt/best.pt
    /// keep the last good state), IoError on write failures (disk full: the previous files are kept).
    TrainResult run(const CancelToken& cancel = {});

    /// Resolved device ("cpu", "cuda:0").
    std::string device() const;
    /// Slices in one training / validation epoch.
    std::uint64_t trainSlicesPerEpoch() const;
    std::uint64_t validSlices() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

} // namespace morph
