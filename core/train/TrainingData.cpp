#include "train/TrainingData.h"

#include "dataset/NSynthDataset.h"
#include "model/CheckpointInfo.h"
#include "util/Errors.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace morph {

namespace {

std::vector<std::size_t> notesOfSplit(const NSynthDataset& ds, const std::string& name)
{
    const auto split = parseSplit(name);
    if (!split)
        throw ConfigError("unknown split '" + name + "' (use train, valid, test or unknown)");
    NoteQuery q;
    q.split = *split;
    return ds.query(q);
}

std::string availableSplits(const NSynthDataset& ds)
{
    std::string out;
    for (Split s : ds.splits())
        out += std::string(out.empty() ? "" : ", ") + splitName(s);
    return out.empty() ? "none" : out;
}

} // namespace

std::vector<std::size_t> spreadSubset(const std::vector<std::size_t>& indices, std::size_t maxCount)
{
    if (maxCount == 0 || indices.size() <= maxCount)
        return indices;
    std::vector<std::size_t> out;
    out.reserve(maxCount);
    for (std::size_t k = 0; k < maxCount; ++k)
        out.push_back(indices[k * indices.size() / maxCount]);
    return out;
}

NoteSets selectNoteSets(const NSynthDataset& ds, const DataSelection& sel)
{
    NoteSets sets;
    std::vector<std::size_t> train = notesOfSplit(ds, sel.trainSplit);
    if (train.empty())
        throw ConfigError("dataset " + ds.root().string() + " has no '" + sel.trainSplit +
                          "' notes to train on (it has: " + availableSplits(ds) + "; choose one with --train-split)");
    sets.trainLabel = sel.trainSplit;
    std::vector<std::size_t> valid;
    if (!sel.validSplit.empty() && sel.validSplit != sel.trainSplit)
        valid = notesOfSplit(ds, sel.validSplit);
    sets.validLabel = sel.validSplit;
    if (valid.empty() || sel.validSplit == sel.trainSplit) {
        // Instrument-disjoint holdout: every k-th instrument (sorted by name) of the training set.
        std::set<std::string> names;
        for (std::size_t i : train)
            names.insert(ds.note(i).instrumentStr);
        std::set<std::string> held;
        const double fraction = std::clamp(sel.holdoutFraction, 0.0, 0.5);
        if (names.size() >= 2 && fraction > 0) {
            const std::size_t every = std::max<std::size_t>(2, static_cast<std::size_t>(1.0 / fraction + 0.5));
            std::size_t k = 0;
            for (const auto& n : names)
                if (k++ % every == every / 2)
                    held.insert(n);
        }
        std::vector<std::size_t> keep;
        for (std::size_t i : train)
            (held.count(ds.note(i).instrumentStr) ? valid : keep).push_back(i);
        if (valid.empty()) {
            // A single instrument: hold out every 10th note instead.
            keep.clear();
            for (std::size_t k = 0; k < train.size(); ++k)
                (k % 10 == 5 ? valid : keep).push_back(train[k]);
        }
        if (!keep.empty())
            train = keep;
        sets.validLabel = sel.trainSplit + "-holdout";
        sets.trainLabel = sel.trainSplit + "-minus-holdout";
        char buf[256];
        std::snprintf(buf, sizeof(buf),
                      "no '%s' notes: validating on %zu held-out '%s' notes (%zu of %zu instruments)",
                      sel.validSplit.c_str(), valid.size(), sel.trainSplit.c_str(), held.size(), names.size());
        sets.notes.push_back(buf);
    }
    sets.train = spreadSubset(train, sel.maxNotes);
    sets.valid = spreadSubset(valid, sel.maxNotes);
    if (!sel.testSplit.empty()) {
        sets.test = spreadSubset(notesOfSplit(ds, sel.testSplit), sel.maxNotes);
        sets.testLabel = sel.testSplit;
    }
    if (sel.maxNotes) {
        sets.trainLabel += "-max" + std::to_string(sel.maxNotes);
        sets.validLabel += "-max" + std::to_string(sel.maxNotes);
        sets.testLabel += "-max" + std::to_string(sel.maxNotes);
    }
    return sets;
}

std::filesystem::path ensureFeatures(const NSynthDataset& dataset, const std::vector<std::size_t>& indices,
                                     const FeatureSettings& settings, const std::string& label,
                                     const std::filesystem::path& dir, const CancelToken& cancel,
                                     const std::function<void(const FeatureBuildProgress&)>& progress,
                                     const std::function<void(const std::string&)>& log)
{
    const std::filesystem::path file = dir / (label + (settings.mel ? "-mel" : "-logmag") + ".feat");
    const std::string key = FeatureCache::sourceKey(dataset, indices, label);
    if (FeatureCache::matches(file, settings, key)) {
        if (log)
            log("features: reusing " + file.string());
        return file;
    }
    const FeatureBuildReport r = FeatureCache::build(dataset, indices, settings, label, file, cancel, progress);
    if (log) {
        char buf[512];
        std::snprintf(buf, sizeof(buf),
                      "features: built %s: %zu notes (%zu silent skipped, %zu unreadable), %zu frames, %.1f MB in "
                      "%.1f s (%.0f notes/s)",
                      file.c_str(), r.notes, r.skippedSilent, r.failed, r.frames, r.bytes / 1e6, r.seconds,
                      r.notesPerSecond);
        log(buf);
        for (std::size_t i = 0; i < r.problems.size() && i < 10; ++i)
            log("features: skipped " + r.problems[i]);
        if (r.adjusted > 0)
            log("features: " + std::to_string(r.adjusted) + " note(s) converted on load (NSynth notes are 16 kHz mono, "
                "4 s); first: " + r.adjustments.front());
    }
    return file;
}

} // namespace morph
