#pragma once
// The split -> family -> instrument hierarchy of a dataset with note counts, computed in one
// pass over the notes (off the GUI thread, together with opening the dataset).
// Thread contract: buildOutline is a pure function; the result is a plain value.
#include "dataset/NSynthDataset.h"

#include <cstddef>
#include <string>
#include <vector>

namespace morph::ui {

struct OutlineInstrument {
    std::string name;       ///< instrument_str
    int instrument = 0;     ///< instrument id
    std::size_t notes = 0;
};
struct OutlineFamily {
    int family = 0;
    std::size_t notes = 0;
    std::vector<OutlineInstrument> instruments; ///< sorted by name
};
struct OutlineSplit {
    Split split = Split::Unknown;
    std::size_t notes = 0;
    std::vector<OutlineFamily> families;        ///< by family id
};
struct DatasetOutline {
    std::size_t notes = 0;
    std::vector<OutlineSplit> splits;           ///< train, valid, test, unknown (present ones)
    std::vector<int> velocities;                ///< distinct velocities, ascending
    int pitchMin = 0, pitchMax = 127;           ///< over all notes (0..127 when empty)
};

DatasetOutline buildOutline(const NSynthDataset& dataset);

} // namespace morph::ui
