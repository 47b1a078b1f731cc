#include "train/Evaluator.h"

#include "dataset/NSynthDataset.h"
#include "model/ModelRunner.h"
#include "train/FeatureCache.h"
#include "util/Errors.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>

namespace morph {

namespace {

constexpr std::size_t kSlicesPerCall = 512;

struct Acc {
    std::size_t notes = 0;
    std::uint64_t slices = 0;
    double sse = 0, values = 0;
};

nlohmann::json groupJson(const EvalGroup& g)
{
    return {{"name", g.name}, {"notes", g.notes}, {"slices", g.slices}, {"mse", g.mse}};
}

} // namespace

const char* pitchClassName(int pc)
{
    static const char* names[12] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
    return pc >= 0 && pc < 12 ? names[pc] : "?";
}

SliceReconstructor modelReconstructor(const ModelRunner& model)
{
    SliceReconstructor r;
    r.bins = model.config().inputBins();
    r.width = model.config().sliceWidth();
    r.mel = model.config().mel;
    r.reconstruct = [&model](const float* slices, int count) {
        const std::vector<float> z = model.encode(slices, count);
        return model.decode(z.data(), count);
    };
    return r;
}

SplitEvaluation evaluateSplit(const ModelRunner& model, const FeatureCache& features, const std::string& split,
                              const CancelToken& cancel,
                              const std::function<void(std::size_t, std::size_t)>& progress)
{
    return evaluateSplit(modelReconstructor(model), features, split, cancel, progress);
}

SplitEvaluation evaluateSplit(const SliceReconstructor& model, const FeatureCache& features, const std::string& split,
                              const CancelToken& cancel,
                              const std::function<void(std::size_t, std::size_t)>& progress)
{
    const auto t0 = std::chrono::steady_clock::now();
    const int width = model.width;
    const std::size_t values = static_cast<std::size_t>(model.sliceValues());
    if (!model.reconstruct)
        throw ConfigError("evaluation of '" + split + "': no reconstruction function");
    if (features.bins() != model.bins || features.settings().mel != model.mel)
        throw ConfigError("features " + features.path().string() + " have " + std::to_string(features.bins()) +
                          (features.settings().mel ? " mel" : " log-mag") + " bins but the model takes " +
                          std::to_string(model.bins) + (model.mel ? " mel" : " log-mag") + " bins");
    Acc total;
    Acc pitch[12];
    Acc family[kFamilyCount];
    std::vector<float> batch;
    std::vector<std::pair<std::size_t, std::size_t>> members;  // (note, slices) in the batch

    auto flush = [&]() {
        if (members.empty())
            return;
        const int count = static_cast<int>(batch.size() / values);
        const std::vector<float> y = model.reconstruct(batch.data(), count);
        if (y.size() != batch.size())
            throw ConfigError("evaluation of '" + split + "': the reconstruction returned " + std::to_string(y.size()) +
                              " values for " + std::to_string(batch.size()));
        std::size_t offset = 0;
        for (const auto& [note, slices] : members) {
            double sse = 0;
            const std::size_t n = slices * values;
            for (std::size_t k = 0; k < n; ++k) {
                const double d = static_cast<double>(y[offset + k]) - batch[offset + k];
                sse += d * d;
            }
            offset += n;
            const FeatureNote& meta = features.note(note);
            for (Acc* a : {&total, &pitch[meta.pitch % 12], &family[meta.family < kFamilyCount ? meta.family : 0]}) {
                a->notes += 1;
                a->slices += slices;
                a->sse += sse;
                a->values += static_cast<double>(n);
            }
        }
        batch.clear();
        members.clear();
    };

    for (std::size_t i = 0; i < features.noteCount(); ++i) {
        if (cancel.isCancelled())
            throw CancelledError("evaluation of '" + split + "' cancelled");
        const std::size_t slices = features.slicesOfNote(i, width);
        if (slices == 0)
            continue;
        const std::size_t at = batch.size();
        batch.resize(at + slices * values);
        for (std::size_t s = 0; s < slices; ++s)
            features.readSlice(i, static_cast<int>(s), width, batch.data() + at + s * values);
        members.emplace_back(i, slices);
        if (batch.size() / values >= kSlicesPerCall) {
            flush();
            if (progress)
                progress(i + 1, features.noteCount());
        }
    }
    flush();
    if (progress)
        progress(features.noteCount(), features.noteCount());

    SplitEvaluation out;
    out.split = split;
    out.notes = total.notes;
    out.slices = total.slices;
    out.mse = total.values > 0 ? total.sse / total.values : 0;
    for (int p = 0; p < 12; ++p)
        if (pitch[p].notes)
            out.byPitchClass.push_back({pitchClassName(p), pitch[p].notes, pitch[p].slices, pitch[p].sse / pitch[p].values});
    for (int f = 0; f < kFamilyCount; ++f)
        if (family[f].notes)
            out.byFamily.push_back({familyName(f), family[f].notes, family[f].slices, family[f].sse / family[f].values});
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

EvalReport evaluateSets(const ModelRunner& model,
                        const std::vector<std::pair<std::string, std::filesystem::path>>& sets,
                        const CancelToken& cancel,
                        const std::function<void(const std::string&, std::size_t, std::size_t)>& progress)
{
    EvalReport report = evaluateSets(modelReconstructor(model), sets, cancel, progress);
    report.checkpoint = model.checkpointPath().string();
    report.checkpointHash = model.checkpointHash();
    report.model = model.config().summary();
    return report;
}

EvalReport evaluateSets(const SliceReconstructor& model,
                        const std::vector<std::pair<std::string, std::filesystem::path>>& sets,
                        const CancelToken& cancel,
                        const std::function<void(const std::string&, std::size_t, std::size_t)>& progress)
{
    EvalReport report;
    for (const auto& [label, file] : sets) {
        const FeatureCache cache = FeatureCache::open(file);
        report.splits.push_back(evaluateSplit(model, cache, label, cancel, [&](std::size_t done, std::size_t total) {
            if (progress)
                progress(label, done, total);
        }));
    }
    return report;
}

std::string EvalReport::toJson() const
{
    nlohmann::json j = {{"checkpoint", checkpoint}, {"checkpoint_hash", checkpointHash}, {"model", model},
                        {"metric", "mse_db2"}};
    nlohmann::json splitsJson = nlohmann::json::object();
    for (const auto& s : splits) {
        nlohmann::json pcs = nlohmann::json::array(), fams = nlohmann::json::array();
        for (const auto& g : s.byPitchClass)
            pcs.push_back(groupJson(g));
        for (const auto& g : s.byFamily)
            fams.push_back(groupJson(g));
        splitsJson[s.split] = {{"notes", s.notes},          {"slices", s.slices},        {"mse", s.mse},
                               {"seconds", s.seconds},      {"by_pitch_class", pcs},     {"by_family", fams}};
    }
    j["splits"] = splitsJson;
    j["remarks"] = notes;
    return j.dump(2);
}

std::string EvalReport::table() const
{
    std::string out;
    char line[256];
    std::snprintf(line, sizeof(line), "model %s\ncheckpoint %s (hash %s)\n\n", model.c_str(), checkpoint.c_str(),
                  checkpointHash.c_str());
    out += line;
    out += "MSE (dB^2)        notes     slices        MSE\n";
    for (const auto& s : splits) {
        std::snprintf(line, sizeof(line), "  %-12s %8zu %10llu %10.3f\n", s.split.c_str(), s.notes,
                      static_cast<unsigned long long>(s.slices), s.mse);
        out += line;
    }
    for (const auto& s : splits) {
        out += "\n" + s.split + " by pitch class:\n";
        for (const auto& g : s.byPitchClass) {
            std::snprintf(line, sizeof(line), "  %-12s %8zu %10llu %10.3f\n", g.name.c_str(), g.notes,
                          static_cast<unsigned long long>(g.slices), g.mse);
            out += line;
        }
        out += s.split + " by family:\n";
        for (const auto& g : s.byFamily) {
            std::snprintf(line, sizeof(line), "  %-12s %8zu %10llu %10.3f\n", g.name.c_str(), g.notes,
                          static_cast<unsigned long long>(g.slices), g.mse);
            out += line;
        }
    }
    for (const auto& n : notes)
        out += "note: " + n + "\n";
    return out;
}

} // namespace morph
