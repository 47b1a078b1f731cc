#pragma once
// General MIDI melodic programs 0..127 mapped to NSynth's 11 instrument families and 3 sources,
// with a nominal playable pitch range per program (NSynth, too, only holds each instrument's
// playable notes). The table and the reasons for each choice are in GmPrograms.cpp.
// Thread contract: constant data, any thread.
#include <string>

namespace morph::render {

struct GmProgramClass {
    const char* name;   // General MIDI name, e.g. "Acoustic Grand Piano"
    int family;         // NSynth family id 0..10
    int source;         // 0 acoustic, 1 electronic, 2 synthetic
    int pitchLow;       // nominal range (MIDI); notes outside are not rendered
    int pitchHigh;
    bool skipByDefault; // sound effects 120..127: not musical notes
};

/// Mapping of one GM program (0..127). Throws ConfigError out of range.
const GmProgramClass& gmProgramClass(int program);

/// instrument_str of a program: "<family>_<source>_<nnn>", nnn = rank of the program among all
/// 128 programs with the same family and source (stable whatever subset is rendered).
std::string gmInstrumentStr(int program);

} // namespace morph::render
