#include "DatasetOutline.h"

#include <algorithm>
#include <array>
#include <map>

namespace morph::ui {

DatasetOutline buildOutline(const NSynthDataset& dataset)
{
    DatasetOutline outline;
    outline.notes = dataset.size();
    // (split, family, instrument_str) -> (instrument id, count). Notes come sorted by split and
    // note_str, so runs of one instrument are consecutive: one map operation per run.
    std::map<std::tuple<int, int, std::string>, std::pair<int, std::size_t>> counts;
    std::array<bool, 128> velocities{};
    int pitchMin = 127, pitchMax = 0;
    const NoteMeta* previous = nullptr;
    std::pair<int, std::size_t>* run = nullptr;
    for (const NoteMeta& n : dataset.notes()) {
        if (!previous || previous->split != n.split || previous->family != n.family ||
            previous->instrumentStr != n.instrumentStr) {
            auto& entry = counts[{static_cast<int>(n.split), n.family, n.instrumentStr}];
            entry.first = n.instrument;
            run = &entry;
        }
        ++run->second;
        previous = &n;
        if (n.velocity >= 0 && n.velocity < 128) velocities[static_cast<std::size_t>(n.velocity)] = true;
        pitchMin = std::min(pitchMin, n.pitch);
        pitchMax = std::max(pitchMax, n.pitch);
    }
    for (const auto& [key, value] : counts) {
        const auto& [split, family, name] = key;
        if (outline.splits.empty() || outline.splits.back().split != static_cast<Split>(split)) {
            outline.splits.emplace_back();
            outline.splits.back().split = static_cast<Split>(split);
        }
        OutlineSplit& s = outline.splits.back();
        if (s.families.empty() || s.families.back().family != family) {
            s.families.emplace_back();
            s.families.back().family = family;
        }
        OutlineFamily& f = s.families.back();
        f.instruments.push_back({name, value.first, value.second});
        f.notes += value.second;
        s.notes += value.second;
    }
    for (int v = 0; v < 128; ++v)
        if (velocities[static_cast<std::size_t>(v)]) outline.velocities.push_back(v);
    if (outline.notes > 0) {
        outline.pitchMin = pitchMin;
        outline.pitchMax = pitchMax;
    }
    return outline;
}

} // namespace morph::ui
