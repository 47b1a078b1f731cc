// TrainConfig <-> config.json (a run folder's settings). Torch-free, so the fuzzer
// (tests/fuzz/fuzz_train_config.cpp) can build it without LibTorch.
// Thread contract: pure functions, any thread.
#include "train/Trainer.h"

#include "model/ConfigJson.h"
#include "util/Errors.h"

namespace morph {

std::string TrainConfig::toJson() const
{
    nlohmann::json j = {{"model", modelSection(model)},
                        {"preprocessing", preprocessingSection(model)},
                        {"train_features", trainFeatures.string()},
                        {"valid_features", validFeatures.string()},
                        {"run_dir", runDir.string()},
                        {"epochs", epochs},
                        {"batch_size", batchSize},
                        {"optimizer", "adam"},
                        {"lr", learningRate},
                        {"weight_decay", weightDecay},
                        {"plateau_factor", plateauFactor},
                        {"plateau_patience", plateauPatience},
                        {"plateau_threshold", plateauThreshold},
                        {"min_lr", minLearningRate},
                        {"early_stop_patience", earlyStopPatience},
                        {"init_from", initFrom.string()},
                        {"seed", seed},
                        {"device", device},
                        {"threads", threads},
                        {"max_slices_per_epoch", maxSlicesPerEpoch},
                        {"max_valid_slices", maxValidSlices},
                        {"checkpoint_minutes", checkpointMinutes},
                        {"loss", "mse on dB values"},
                        {"dataset_root", datasetRoot},
                        {"train_label", trainLabel},
                        {"valid_label", validLabel}};
    return j.dump(2);
}

TrainConfig TrainConfig::fromJson(const std::string& text, const std::string& source)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError(source + " is not valid JSON: " + e.what());
    }
    const std::string& where = source;
    if (!j.is_object())
        throw ConfigError(where + " is not a JSON object");
    TrainConfig c;
    try {
        c.model = modelConfigFromMeta(j, where);
    } catch (const CheckpointError& e) {
        throw ConfigError(e.what());
    }
    auto req = [&](const char* key, auto fallback) {
        return requiredField<decltype(fallback), ConfigError>(j, key, where);
    };
    auto opt = [&](const char* key, auto fallback) {
        return optionalField<decltype(fallback), ConfigError>(j, key, fallback, where);
    };
    c.trainFeatures = req("train_features", std::string());
    c.validFeatures = req("valid_features", std::string());
    c.runDir = req("run_dir", std::string());
    c.epochs = req("epochs", 0);
    c.batchSize = req("batch_size", 0);
    c.learningRate = req("lr", 0.0);
    c.weightDecay = req("weight_decay", 0.0);
    c.plateauFactor = req("plateau_factor", 0.0);
    c.plateauPatience = req("plateau_patience", 0);
    c.plateauThreshold = req("plateau_threshold", 0.0);
    c.minLearningRate = req("min_lr", 0.0);
    c.earlyStopPatience = req("early_stop_patience", 0);
    c.seed = req("seed", std::uint64_t{0});
    c.device = req("device", std::string());
    c.threads = opt("threads", 0);
    c.initFrom = opt("init_from", std::string());
    c.maxSlicesPerEpoch = opt("max_slices_per_epoch", std::uint64_t{0});
    c.maxValidSlices = opt("max_valid_slices", std::uint64_t{0});
    c.checkpointMinutes = opt("checkpoint_minutes", 10.0);
    c.datasetRoot = opt("dataset_root", std::string());
    c.trainLabel = opt("train_label", std::string());
    c.validLabel = opt("valid_label", std::string());
    return c;
}

} // namespace morph
