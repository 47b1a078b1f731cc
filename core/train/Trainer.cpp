#include "train/Trainer.h"

#include "model/ConfigJson.h"
#include "model/Networks.h"
#include "model/TorchCheckpoint.h"
#include "model/TorchRuntime.h"
#include "model/Widening.h"
#include "train/FeatureCache.h"
#include "util/AtomicFile.h"
#include "util/Errors.h"
#include "util/Timestamp.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <numeric>
#include <random>
#include <thread>

namespace morph {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string fmt(const char* f, double v)
{
    char buf[64];
    std::snprintf(buf, sizeof(buf), f, v);
    return buf;
}

/// A per-epoch permutation that depends only on (seed, epoch): resume reproduces it exactly.
std::vector<std::uint64_t> epochOrder(std::uint64_t count, std::uint64_t seed, int epoch)
{
    std::vector<std::uint64_t> order(count);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(epoch) * 0xBF58476D1CE4E5B9ULL + 1);
    // Fisher-Yates with our own index draw: std::shuffle's use of the engine is unspecified, this
    // is identical on every standard library.
    for (std::uint64_t i = count; i > 1; --i) {
        const std::uint64_t j = rng() % i;
        std::swap(order[i - 1], order[j]);
    }
    return order;
}

nlohmann::json epochJson(const EpochRecord& r)
{
    return {{"epoch", r.epoch},
            {"train_loss", r.trainLoss},
            {"valid_loss", r.validLoss},
            {"lr", r.learningRate},
            {"seconds", r.seconds},
            {"data_seconds", r.dataSeconds},
            {"slices_per_second", r.slicesPerSecond},
            {"train_slices", r.trainSlices},
            {"valid_slices", r.validSlices},
            {"best", r.best}};
}

/// One metrics.jsonl / checkpoint history record; a mistyped field throws CheckpointError.
EpochRecord epochFromJson(const nlohmann::json& j, const std::string& where)
{
    auto opt = [&](const char* key, auto fallback) {
        return optionalField<decltype(fallback), CheckpointError>(j, key, fallback, where);
    };
    EpochRecord r;
    r.epoch = opt("epoch", 0);
    r.trainLoss = opt("train_loss", 0.0);
    r.validLoss = opt("valid_loss", 0.0);
    r.learningRate = opt("lr", 0.0);
    r.seconds = opt("seconds", 0.0);
    r.dataSeconds = opt("data_seconds", 0.0);
    r.slicesPerSecond = opt("slices_per_second", 0.0);
    r.trainSlices = opt("train_slices", std::uint64_t{0});
    r.validSlices = opt("valid_slices", std::uint64_t{0});
    r.best = opt("best", false);
    return r;
}

/// ReduceLROnPlateau (mode min, relative threshold, no cooldown), as torch.optim.lr_scheduler.
struct Plateau {
    double best = std::numeric_limits<double>::infinity();
    int numBad = 0;
    double lr = 1e-3;

    /// Returns true when the learning rate was reduced; `atFloor` when it would be but cannot.
    bool step(double metric, const TrainConfig& c, bool& atFloor)
    {
        atFloor = false;
        if (metric < best * (1.0 - c.plateauThreshold)) {
            best = metric;
            numBad = 0;
        } else {
            ++numBad;
        }
        if (numBad > c.plateauPatience) {
            numBad = 0;
            const double next = std::max(lr * c.plateauFactor, c.minLearningRate);
            if (lr - next > 1e-12 * lr) {
                lr = next;
                return true;
            }
            atFloor = true;
        }
        return false;
    }
    nlohmann::json json(const TrainConfig& c) const
    {
        return {{"type", "ReduceLROnPlateau"}, {"mode", "min"},       {"factor", c.plateauFactor},
                {"patience", c.plateauPatience}, {"threshold", c.plateauThreshold}, {"min_lr", c.minLearningRate},
                {"best", std::isfinite(best) ? nlohmann::json(best) : nlohmann::json(nullptr)},
                {"num_bad_epochs", numBad},    {"lr", lr}};
    }
    void fromJson(const nlohmann::json& j, const std::string& where)
    {
        best = j.is_object() && j.contains("best") && j.at("best").is_null()
                   ? std::numeric_limits<double>::infinity()
                   : requiredField<double, CheckpointError>(j, "best", where);
        numBad = requiredField<int, CheckpointError>(j, "num_bad_epochs", where);
        lr = requiredField<double, CheckpointError>(j, "lr", where);
        if (numBad < 0 || !(lr > 0))
            throw CheckpointError(where + ": num_bad_epochs " + std::to_string(numBad) + " / lr " + fmt("%g", lr) +
                                  " are out of range");
    }
};

} // namespace

const char* trainPhaseName(TrainPhase p)
{
    return p == TrainPhase::Train ? "train" : "valid";
}

const char* stopName(TrainResult::Stop s)
{
    switch (s) {
    case TrainResult::Stop::Completed: return "completed";
    case TrainResult::Stop::EarlyStopped: return "early-stopped";
    case TrainResult::Stop::Cancelled: return "cancelled";
    case TrainResult::Stop::MinLearningRate: return "min-learning-rate";
    }
    return "?";
}

// ---------------------------------------------------------------------------------------------

struct Trainer::Impl {
    /// run() without the out-of-memory translation.
    TrainResult runUnguarded(const CancelToken& cancel);

    TrainConfig cfg;
    bool resume = false;
    std::function<void(const TrainProgress&)> onProgress;
    std::function<void(const EpochRecord&)> onEpoch;
    std::function<void(const std::string&)> onLog;

    FeatureCache train, valid;
    SliceIndex trainIndex, validIndex;
    std::vector<std::uint64_t> validOrder;
    torch::Device device{torch::kCPU};

    std::shared_ptr<nn::AutoencoderImpl> model;
    std::unique_ptr<torch::optim::Adam> optimizer;
    Plateau plateau;

    // Position and bookkeeping (all saved in checkpoints).
    int epochsDone = 0;
    std::int64_t batchInEpoch = 0;  // batches done of the epoch in progress
    double partialLossSum = 0;      // sum of batch-mean losses x slices, epoch in progress
    std::uint64_t partialSlices = 0;
    std::int64_t globalStep = 0;
    double bestValid = std::numeric_limits<double>::infinity();
    int bestEpoch = 0;
    int badEpochs = 0;
    std::vector<EpochRecord> history;

    std::ofstream logFile;

    std::filesystem::path lastPath() const { return cfg.runDir / "last.pt"; }
    std::filesystem::path bestPath() const { return cfg.runDir / "best.pt"; }

    void log(const std::string& line)
    {
        if (logFile.is_open()) {
            logFile << localTimestamp() << "  " << line << "\n";
            logFile.flush();
        }
        if (onLog)
            onLog(line);
    }

    std::uint64_t trainSlices() const
    {
        const std::uint64_t all = trainIndex.size();
        return cfg.maxSlicesPerEpoch ? std::min(all, cfg.maxSlicesPerEpoch) : all;
    }

    void setLearningRate(double lr)
    {
        for (auto& group : optimizer->param_groups())
            static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    }

    /// Warm start (TrainConfig::initFrom): the checkpoint's weights, widened to this run's widths,
    /// and its dB normalisation (the function is preserved only with the same normalisation).
    void initialiseFromCheckpoint()
    {
        const nn::LoadedCheckpoint ckpt = nn::readCheckpoint(cfg.initFrom);
        auto source = nn::loadModel(ckpt, torch::kCPU);
        try {
            nn::initialiseFrom(*source, *model);
        } catch (const ConfigError& e) {
            throw ConfigError("--init-from " + cfg.initFrom.string() + ": " + e.what());
        }
        const std::vector<int> from = ckpt.config.effectiveChannels(), to = cfg.model.effectiveChannels();
        log("initialised from " + cfg.initFrom.string() + " (" + ckpt.config.summary() + ")" +
            (from == to ? ": same widths, fine-tuning" : ": widened " + channelsText(from) + " -> " + channelsText(to) +
                                                            ", function preserved (Net2WiderNet)"));
    }

    void makeOptimizer()
    {
        optimizer = std::make_unique<torch::optim::Adam>(
            model->parameters(), torch::optim::AdamOptions(cfg.learningRate).weight_decay(cfg.weightDecay));
    }

    nlohmann::json metadata(double lastTrain, double lastValid) const
    {
        nlohmann::json meta = nn::baseMetadata(cfg.model);
        meta["dataset"] = {{"root", cfg.datasetRoot},
                           {"train_split", cfg.trainLabel},
                           {"valid_split", cfg.validLabel},
                           {"train_features", cfg.trainFeatures.string()},
                           {"valid_features", cfg.validFeatures.string()},
                           {"train_notes", train.noteCount()},
                           {"valid_notes", valid.noteCount()}};
        nlohmann::json training = nlohmann::json::parse(cfg.toJson());
        training.erase("model");
        training.erase("preprocessing");
        training["device"] = device.str();
        meta["training"] = training;
        meta["state"] = {{"epoch", epochsDone},
                         {"batch_in_epoch", batchInEpoch},
                         {"partial_loss_sum", partialLossSum},
                         {"partial_slices", partialSlices},
                         {"global_step", globalStep},
                         {"best_valid_loss", std::isfinite(bestValid) ? nlohmann::json(bestValid) : nlohmann::json(nullptr)},
                         {"best_epoch", bestEpoch},
                         {"bad_epochs", badEpochs},
                         {"seed", cfg.seed}};
        meta["scheduler"] = plateau.json(cfg);
        meta["normalisation"] = {{"mean_db", model->normMean()}, {"scale_db", model->normScale()}};
        nlohmann::json metrics = nlohmann::json::object();
        if (std::isfinite(lastTrain))
            metrics["train_loss"] = lastTrain;
        if (std::isfinite(lastValid))
            metrics["valid_loss"] = lastValid;
        metrics["loss"] = "mse_db2";
        meta["metrics"] = metrics;
        nlohmann::json hist = nlohmann::json::array();
        for (const auto& r : history)
            hist.push_back(epochJson(r));
        meta["history"] = hist;
        return meta;
    }

    void save(const std::filesystem::path& path)
    {
        const double t = history.empty() ? NAN : history.back().trainLoss;
        const double v = history.empty() ? NAN : history.back().validLoss;
        nn::saveCheckpoint(path, metadata(t, v), *model, optimizer.get(), true);
    }

    void writeMetrics()
    {
        std::string text;
        for (const auto& r : history)
            text += epochJson(r).dump() + "\n";
        writeFileAtomically(cfg.runDir / "metrics.jsonl", text);
    }

    void restore()
    {
        const nn::LoadedCheckpoint ckpt = nn::readCheckpoint(lastPath());
        model = nn::loadModel(ckpt, device, &cfg.model);
        model->train();
        makeOptimizer();
        nn::loadOptimizer(ckpt, *optimizer);
        if (auto rng = nn::loadRngState(ckpt)) {
            auto gen = at::detail::getDefaultCPUGenerator();
            std::lock_guard<std::mutex> lock(gen.mutex());
            gen.set_state(*rng);
        }
        // Every field is read exactly (type and range): a resume state that does not fit is
        // refused by name before it can index past the data or loop forever.
        const std::string where = "checkpoint " + lastPath().string() + " (training state for resume)";
        const auto section = [&](const char* key) -> const nlohmann::json& {
            if (!ckpt.meta.is_object() || !ckpt.meta.contains(key))
                throw CheckpointError(where + ": section '" + key + "' is missing");
            return ckpt.meta.at(key);
        };
        const nlohmann::json& st = section("state");
        epochsDone = requiredField<int, CheckpointError>(st, "epoch", where);
        batchInEpoch = requiredField<std::int64_t, CheckpointError>(st, "batch_in_epoch", where);
        partialLossSum = requiredField<double, CheckpointError>(st, "partial_loss_sum", where);
        partialSlices = requiredField<std::uint64_t, CheckpointError>(st, "partial_slices", where);
        globalStep = requiredField<std::int64_t, CheckpointError>(st, "global_step", where);
        bestValid = st.contains("best_valid_loss") && st.at("best_valid_loss").is_null()
                        ? std::numeric_limits<double>::infinity()
                        : requiredField<double, CheckpointError>(st, "best_valid_loss", where);
        bestEpoch = requiredField<int, CheckpointError>(st, "best_epoch", where);
        badEpochs = requiredField<int, CheckpointError>(st, "bad_epochs", where);
        if (epochsDone < 0 || batchInEpoch < 0 || globalStep < 0 || bestEpoch < 0 || badEpochs < 0 || partialLossSum < 0)
            throw CheckpointError(where + ": a counter is negative (epoch " + std::to_string(epochsDone) + ", batch " +
                                  std::to_string(batchInEpoch) + ", step " + std::to_string(globalStep) + ")");
        const auto seed = optionalField<std::uint64_t, CheckpointError>(st, "seed", cfg.seed, where);
        if (seed != cfg.seed)
            throw CheckpointError("checkpoint " + lastPath().string() + " was trained with seed " + std::to_string(seed) +
                                  ", the run config says " + std::to_string(cfg.seed));
        plateau.fromJson(section("scheduler"), where + " scheduler");
        history.clear();
        const nlohmann::json& past = section("history");
        if (!past.is_array())
            throw CheckpointError(where + ": 'history' is not a list");
        for (const auto& h : past)
            history.push_back(epochFromJson(h, where + " history"));
        if (cfg.resumeLearningRate > 0) {
            if (cfg.resumeLearningRate < cfg.minLearningRate)
                throw ConfigError("learning rate " + fmt("%g", cfg.resumeLearningRate) + " for the resumed run is below the run's minimum " +
                                  fmt("%g", cfg.minLearningRate));
            log("learning rate changed on resume: " + fmt("%.3g", plateau.lr) + " -> " + fmt("%.3g", cfg.resumeLearningRate));
            plateau.lr = cfg.resumeLearningRate;
            plateau.numBad = 0;
        }
        setLearningRate(plateau.lr);
        log("resumed from " + lastPath().string() + " at epoch " + std::to_string(epochsDone + 1) + ", batch " +
            std::to_string(batchInEpoch) + " (lr " + fmt("%.3g", plateau.lr) + ")");
    }

    /// Mean and standard deviation of the training dB values (notes spread evenly, <= 2000).
    std::pair<double, double> featureStats() const
    {
        const std::size_t notes = train.noteCount();
        const std::size_t step = std::max<std::size_t>(1, notes / 2000);
        double sum = 0, sumSq = 0, count = 0;
        std::vector<float> frames;
        for (std::size_t i = 0; i < notes; i += step) {
            const int n = static_cast<int>(train.note(i).frames);
            frames.resize(static_cast<std::size_t>(n) * train.bins());
            train.readFrames(i, 0, n, frames.data());
            for (float v : frames) {
                sum += v;
                sumSq += static_cast<double>(v) * v;
            }
            count += static_cast<double>(frames.size());
        }
        if (count == 0)
            return {0.0, 1.0};
        const double mean = sum / count;
        return {mean, std::sqrt(std::max(0.0, sumSq / count - mean * mean))};
    }

    /// Copies the slices `order[from, from+n)` of `cache` into `buf` (model input layout).
    void gather(const FeatureCache& cache, const SliceIndex& index, const std::vector<std::uint64_t>& order,
                std::size_t from, std::size_t n, std::vector<float>& buf) const
    {
        const int width = cfg.model.sliceWidth();
        const std::size_t values = static_cast<std::size_t>(cfg.model.sliceValues());
        buf.resize(n * values);
        for (std::size_t k = 0; k < n; ++k) {
            const auto [note, first] = index.locate(order[from + k]);
            cache.readSlice(note, first, width, buf.data() + k * values);
        }
    }

    torch::Tensor toDevice(std::vector<float>& buf, std::size_t n) const
    {
        torch::Tensor x = torch::from_blob(buf.data(), model->inputShape(static_cast<std::int64_t>(n)), torch::kFloat32);
        return device.is_cpu() ? x : x.to(device);
    }

    double validate(int epoch, const CancelToken& cancel, double lr)
    {
        model->eval();
        torch::NoGradGuard noGrad;
        const std::size_t batch = static_cast<std::size_t>(cfg.batchSize);
        const std::size_t count = validOrder.size();
        const std::int64_t batches = static_cast<std::int64_t>((count + batch - 1) / batch);
        double sse = 0;
        std::uint64_t done = 0;
        std::vector<float> buf;
        const auto t0 = Clock::now();
        for (std::int64_t b = 0; b < batches; ++b) {
            if (cancel.isCancelled())
                break;
            const std::size_t from = static_cast<std::size_t>(b) * batch;
            const std::size_t n = std::min(batch, count - from);
            gather(valid, validIndex, validOrder, from, n, buf);
            const torch::Tensor x = toDevice(buf, n);
            const torch::Tensor y = model->forward(x);
            sse += (y - x).pow(2).sum().to(torch::kFloat64).item<double>();
            done += n;
            if (onProgress) {
                TrainProgress p;
                p.phase = TrainPhase::Valid;
                p.epoch = epoch;
                p.epochs = cfg.epochs;
                p.batch = b + 1;
                p.batches = batches;
                p.loss = sse / (static_cast<double>(done) * cfg.model.sliceValues());
                p.learningRate = lr;
                const double secs = secondsSince(t0);
                p.slicesPerSecond = secs > 0 ? done / secs : 0;
                p.etaSeconds = p.slicesPerSecond > 0 ? (count - done) / p.slicesPerSecond : 0;
                onProgress(p);
            }
        }
        model->train();
        return done ? sse / (static_cast<double>(done) * cfg.model.sliceValues()) : NAN;
    }
};

Trainer::Trainer(TrainConfig config, bool resume) : d_(std::make_unique<Impl>())
{
    Impl& d = *d_;
    d.cfg = std::move(config);
    d.resume = resume;
    TrainConfig& c = d.cfg;
    c.model.validate();
    if (c.batchSize < 1)
        throw ConfigError("batch size must be >= 1, got " + std::to_string(c.batchSize));
    if (c.epochs < 1)
        throw ConfigError("epochs must be >= 1, got " + std::to_string(c.epochs));
    if (!(c.learningRate > 0) || !(c.minLearningRate > 0) || c.minLearningRate > c.learningRate)
        throw ConfigError("learning rates must satisfy 0 < min lr <= lr (got lr " + fmt("%g", c.learningRate) +
                          ", min " + fmt("%g", c.minLearningRate) + ")");
    if (!(c.plateauFactor > 0 && c.plateauFactor < 1))
        throw ConfigError("plateau factor must be in (0, 1), got " + fmt("%g", c.plateauFactor));
    if (c.weightDecay < 0)
        throw ConfigError("weight decay must be >= 0");
    if (c.runDir.empty())
        throw ConfigError("no run folder given");
    d.device = nn::resolveDevice(c.device);

    d.train = FeatureCache::open(c.trainFeatures);
    d.valid = FeatureCache::open(c.validFeatures);
    for (const FeatureCache* f : {&d.train, &d.valid}) {
        if (f->bins() != c.model.inputBins() || f->settings().mel != c.model.mel || f->settings().nFft != c.model.nFft ||
            f->settings().hop != c.model.hop || f->settings().sampleRate != c.model.sampleRate)
            throw ConfigError("feature cache " + f->path().string() + " holds " + std::to_string(f->bins()) + "-bin " +
                              (f->settings().mel ? "mel" : "log-mag") + " features (n_fft " +
                              std::to_string(f->settings().nFft) + ", hop " + std::to_string(f->settings().hop) +
                              ") but the model is " + describeModelShort(c.model));
    }
    const int width = c.model.sliceWidth();
    d.trainIndex = SliceIndex(d.train, width);
    d.validIndex = SliceIndex(d.valid, width);
    if (d.trainIndex.size() == 0)
        throw ConfigError("feature cache " + c.trainFeatures.string() + " holds no training slices");
    if (d.validIndex.size() == 0)
        throw ConfigError("feature cache " + c.validFeatures.string() + " holds no validation slices");
    // Validation set: all slices in order, or a fixed random subset (same every epoch).
    if (c.maxValidSlices && c.maxValidSlices < d.validIndex.size()) {
        d.validOrder = epochOrder(d.validIndex.size(), c.seed ^ 0x5eed, -1);
        d.validOrder.resize(c.maxValidSlices);
        std::sort(d.validOrder.begin(), d.validOrder.end());
    } else {
        d.validOrder.resize(d.validIndex.size());
        std::iota(d.validOrder.begin(), d.validOrder.end(), 0);
    }
}

Trainer::~Trainer() = default;

void Trainer::setProgressCallback(std::function<void(const TrainProgress&)> fn) { d_->onProgress = std::move(fn); }
void Trainer::setEpochCallback(std::function<void(const EpochRecord&)> fn) { d_->onEpoch = std::move(fn); }
void Trainer::setLogCallback(std::function<void(const std::string&)> fn) { d_->onLog = std::move(fn); }
std::string Trainer::device() const { return d_->device.str(); }
std::uint64_t Trainer::trainSlicesPerEpoch() const { return d_->trainSlices(); }
std::uint64_t Trainer::validSlices() const { return d_->validOrder.size(); }

TrainResult Trainer::run(const CancelToken& cancel)
{
    // Out of memory (an absurd --batch, a huge model): LibTorch throws c10::Error (CUDA:
    // c10::OutOfMemoryError), std::vector std::bad_alloc. Both become a TrainingError with advice;
    // last.pt/best.pt keep the last good state (they are only ever replaced atomically).
    Impl& d = *d_;
    auto oom = [&](const std::string& what) {
        const TrainConfig& c = d.cfg;
        const std::string msg = "out of memory while training with batch " + std::to_string(c.batchSize) + " on " +
                                d.device.str() + " (" + what + "); lower the batch size (--batch, e.g. " +
                                std::to_string(std::max(1, c.batchSize / 4)) + ") or the channel widths. " +
                                (std::filesystem::exists(d.lastPath()) ? "The last good state is kept in " +
                                 d.lastPath().string() + "." : std::string("No state was written yet."));
        d.log(msg);
        return TrainingError(msg);
    };
    try {
        return d.runUnguarded(cancel);
    } catch (const std::bad_alloc&) {
        throw oom("std::bad_alloc");
    } catch (const c10::Error& e) {
        const std::string what = e.what_without_backtrace();
        const std::string first = what.substr(0, what.find('\n'));
        if (dynamic_cast<const c10::OutOfMemoryError*>(&e) || first.find("can't allocate memory") != std::string::npos
            || first.find("out of memory") != std::string::npos)
            throw oom(first.substr(0, 200));
        throw;
    }
}

TrainResult Trainer::Impl::runUnguarded(const CancelToken& cancel)
{
    Impl& d = *this;
    TrainConfig& c = d.cfg;
    configureTorchRuntime(c.threads);
    std::filesystem::create_directories(c.runDir);
    std::filesystem::create_directories(c.runDir / "checkpoints");
    d.logFile.open(c.runDir / "train.log", std::ios::app);
    if (!d.logFile)
        throw IoError("cannot write " + (c.runDir / "train.log").string());
    // A run killed while writing a checkpoint leaves its temp file ("last.pt.tmp-PID-N", see
    // AtomicFile.h) beside the intact previous file: remove them, they only take disk space.
    std::vector<std::filesystem::path> temps;
    for (const auto& folder : {c.runDir, c.runDir / "checkpoints"}) {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(folder, ec))
            if (entry.path().filename().string().find(".tmp-") != std::string::npos)
                temps.push_back(entry.path());
    }
    std::size_t stale = 0;
    for (const auto& t : temps) {
        std::error_code ec;
        stale += std::filesystem::remove(t, ec) ? 1 : 0;
    }
    if (stale > 0)
        d.log("removed " + std::to_string(stale) + " temp file(s) left by an interrupted write");

    const bool haveState = std::filesystem::exists(d.lastPath());
    if (d.resume && haveState) {
        d.restore();
    } else {
        if (haveState)
            throw ConfigError("run folder " + c.runDir.string() +
                              " already holds a training state (last.pt); resume it or choose another folder");
        if (d.resume)
            d.log("no last.pt in " + c.runDir.string() + ": starting a new run");
        torch::manual_seed(c.seed);
        if (torch::cuda::is_available())
            torch::cuda::manual_seed_all(c.seed);
        d.model = nn::makeAutoencoder(c.model);
        if (c.initFrom.empty()) {
            const auto [mean, stddev] = d.featureStats();
            d.model->setNormalisation(mean, std::max(1.0, stddev));
        } else {
            d.initialiseFromCheckpoint();
        }
        d.model->to(d.device);
        d.model->train();
        d.makeOptimizer();
        d.plateau = Plateau{};
        d.plateau.lr = c.learningRate;
        writeFileAtomically(c.runDir / "config.json", c.toJson());
        std::int64_t params = 0;
        for (const auto& p : d.model->parameters())
            params += p.numel();
        d.log("new run: " + c.model.summary() + ", " + std::to_string(params) + " parameters, device " +
              d.device.str() + ", " + std::to_string(torchThreads()) + " CPU threads; math libraries: " +
              loadedMathLibraries());
        d.log("data: " + std::to_string(d.train.noteCount()) + " training notes (" +
              std::to_string(d.trainIndex.size()) + " slices), " + std::to_string(d.valid.noteCount()) +
              " validation notes (" + std::to_string(d.validOrder.size()) + " slices); adam lr " +
              fmt("%g", c.learningRate) + ", weight decay " + fmt("%g", c.weightDecay) + ", batch " +
              std::to_string(c.batchSize) + ", seed " + std::to_string(c.seed) + "; dB normalisation mean " +
              fmt("%.2f", d.model->normMean()) + ", scale " + fmt("%.2f", d.model->normScale()));
    }

    TrainResult result;
    result.device = d.device.str();
    result.lastCheckpoint = d.lastPath();
    result.bestCheckpoint = d.bestPath();
    const std::size_t batch = static_cast<std::size_t>(c.batchSize);
    const std::size_t values = static_cast<std::size_t>(c.model.sliceValues());
    std::vector<float> buf;
    buf.reserve(batch * values);

    auto finishResult = [&](TrainResult::Stop stop) {
        result.stop = stop;
        result.epochsDone = d.epochsDone;
        result.bestEpoch = d.bestEpoch;
        result.bestValidLoss = d.bestValid;
        result.history = d.history;
        d.log(std::string("stopped: ") + stopName(stop) + " after " + std::to_string(d.epochsDone) +
              " epoch(s); best validation MSE " + fmt("%.4f", d.bestValid) + " (epoch " + std::to_string(d.bestEpoch) +
              ")");
        return result;
    };

    while (d.epochsDone < c.epochs) {
        const int epoch = d.epochsDone + 1;
        const auto epochStart = Clock::now();
        std::vector<std::uint64_t> order = epochOrder(d.trainIndex.size(), c.seed, epoch);
        order.resize(d.trainSlices());
        const std::int64_t batches = static_cast<std::int64_t>((order.size() + batch - 1) / batch);
        auto lastCheckpoint = Clock::now();
        double dataSeconds = 0;
        std::uint64_t slicesThisSession = 0;
        const double lr = d.plateau.lr;
        if (d.batchInEpoch == 0)
            d.log("epoch " + std::to_string(epoch) + ": " + std::to_string(order.size()) + " slices in " +
                  std::to_string(batches) + " batches, lr " + fmt("%.3g", lr));

        for (std::int64_t b = d.batchInEpoch; b < batches; ++b) {
            if (cancel.isCancelled()) {
                d.save(d.lastPath());
                d.log("cancelled in epoch " + std::to_string(epoch) + " at batch " + std::to_string(b) + "/" +
                      std::to_string(batches) + "; state saved to " + d.lastPath().string());
                return finishResult(TrainResult::Stop::Cancelled);
            }
            const auto t0 = Clock::now();
            const std::size_t from = static_cast<std::size_t>(b) * batch;
            const std::size_t n = std::min(batch, order.size() - from);
            d.gather(d.train, d.trainIndex, order, from, n, buf);
            const torch::Tensor x = d.toDevice(buf, n);
            dataSeconds += secondsSince(t0);

            d.optimizer->zero_grad();
            const torch::Tensor y = d.model->forward(x);
            const torch::Tensor loss = torch::mse_loss(y, x);
            double value = loss.item<double>();
            if (d.globalStep == c.testInjectNanAtStep)
                value = std::numeric_limits<double>::quiet_NaN();
            if (!std::isfinite(value)) {
                const std::string msg = "training diverged: the loss became " + std::string(std::isnan(value) ? "NaN" : "infinite") +
                                        " in epoch " + std::to_string(epoch) + ", batch " + std::to_string(b + 1) + "/" +
                                        std::to_string(batches) + " (step " + std::to_string(d.globalStep) + ", lr " +
                                        fmt("%.3g", lr) + "). The last good state is kept in " + d.lastPath().string() +
                                        (std::filesystem::exists(d.lastPath()) ? "" : " (none written yet)") +
                                        "; resume with a lower learning rate (--lr).";
                d.log(msg);
                throw TrainingError(msg);
            }
            loss.backward();
            d.optimizer->step();
            d.partialLossSum += value * static_cast<double>(n);
            d.partialSlices += n;
            d.batchInEpoch = b + 1;
            ++d.globalStep;
            slicesThisSession += n;

            if (c.testSleepPerBatchMs > 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(c.testSleepPerBatchMs));
            if (d.onProgress) {
                TrainProgress p;
                p.phase = TrainPhase::Train;
                p.epoch = epoch;
                p.epochs = c.epochs;
                p.batch = b + 1;
                p.batches = batches;
                p.loss = d.partialLossSum / static_cast<double>(d.partialSlices);
                p.learningRate = lr;
                const double secs = secondsSince(epochStart);
                p.slicesPerSecond = secs > 0 ? slicesThisSession / secs : 0;
                // Validation runs forward only (about a third of a training step per slice).
                const double remaining = static_cast<double>(order.size() - from - n) + d.validOrder.size() / 3.0;
                p.etaSeconds = p.slicesPerSecond > 0 ? remaining / p.slicesPerSecond : 0;
                d.onProgress(p);
            }
            if (c.checkpointMinutes > 0 && secondsSince(lastCheckpoint) > c.checkpointMinutes * 60 && b + 1 < batches) {
                d.save(d.lastPath());
                lastCheckpoint = Clock::now();
                d.log("mid-epoch checkpoint at batch " + std::to_string(b + 1) + "/" + std::to_string(batches));
            }
        }
        const double trainSeconds = secondsSince(epochStart);

        const double validLoss = d.validate(epoch, cancel, lr);
        if (cancel.isCancelled()) {
            // The training part of the epoch is complete; validation is redone on resume.
            d.save(d.lastPath());
            d.log("cancelled during validation of epoch " + std::to_string(epoch) + "; state saved");
            return finishResult(TrainResult::Stop::Cancelled);
        }
        if (!std::isfinite(validLoss)) {
            const std::string msg = "training diverged: the validation loss of epoch " + std::to_string(epoch) +
                                    " is not finite; the last good state is kept in " + d.lastPath().string();
            d.log(msg);
            throw TrainingError(msg);
        }

        EpochRecord rec;
        rec.epoch = epoch;
        rec.trainLoss = d.partialSlices ? d.partialLossSum / static_cast<double>(d.partialSlices) : NAN;
        rec.validLoss = validLoss;
        rec.learningRate = lr;
        rec.seconds = secondsSince(epochStart);
        rec.dataSeconds = dataSeconds;
        rec.slicesPerSecond = trainSeconds > 0 ? slicesThisSession / trainSeconds : 0;
        rec.trainSlices = order.size();
        rec.validSlices = d.validOrder.size();
        rec.best = validLoss < d.bestValid;
        if (rec.best) {
            d.bestValid = validLoss;
            d.bestEpoch = epoch;
            d.badEpochs = 0;
        } else {
            ++d.badEpochs;
        }
        bool atFloor = false;
        if (d.plateau.step(validLoss, c, atFloor)) {
            d.setLearningRate(d.plateau.lr);
            d.log("validation loss plateaued: learning rate reduced to " + fmt("%.3g", d.plateau.lr));
        }
        d.history.push_back(rec);
        d.epochsDone = epoch;
        d.batchInEpoch = 0;
        d.partialLossSum = 0;
        d.partialSlices = 0;

        d.save(d.lastPath());
        char name[32];
        std::snprintf(name, sizeof(name), "epoch-%03d.pt", epoch);
        d.save(c.runDir / "checkpoints" / name);
        if (rec.best)
            d.save(d.bestPath());
        d.writeMetrics();
        d.log("epoch " + std::to_string(epoch) + ": train MSE " + fmt("%.4f", rec.trainLoss) + ", valid MSE " +
              fmt("%.4f", rec.validLoss) + (rec.best ? " (best)" : "") + ", lr " + fmt("%.3g", lr) + ", " +
              fmt("%.1f", rec.seconds) + " s, " + fmt("%.0f", rec.slicesPerSecond) + " slices/s, data loading " +
              fmt("%.1f", 100.0 * dataSeconds / std::max(1e-9, trainSeconds)) + "% of training time");
        if (d.onEpoch)
            d.onEpoch(rec);

        if (d.badEpochs >= c.earlyStopPatience)
            return finishResult(TrainResult::Stop::EarlyStopped);
        if (atFloor && d.badEpochs > 0)
            return finishResult(TrainResult::Stop::MinLearningRate);
    }
    return finishResult(TrainResult::Stop::Completed);
}

} // namespace morph
