#pragma once
// Renders an NSynth-format dataset from a General MIDI SoundFont with libfluidsynth, in process:
// nsynth-train/, nsynth-valid/, nsynth-test/ each with examples.json (NSynth's fields and
// naming) and audio/<note_str>.wav (16 kHz, mono, 16-bit, 64000 samples: note-on for 3 s,
// note-off, 1 s of release; reverb and chorus off), then a ".complete" marker at the root.
//
// One instrument per GM melodic program (GmPrograms.h maps programs to families/sources and
// pitch ranges); `instrument` = program, `note` = running id in (program, pitch, velocity) order.
// Silent renders (peak below silenceDb, before normalisation) and pitches outside the program's
// range are skipped. Each note is then peak-normalised (normalizePeak) as NSynth's notes are.
// Qualities: fast_decay and long_release are computed from the RMS envelope (see
// envelopeQualities); the other eight are 0 (not computed: no honest cheap estimate).
// Splits are disjoint by instrument: programs are shuffled per family with `seed` and
// ~validFraction / testFraction of them (carried over across families, so totals stay close
// to the fractions; a family keeps at least one training instrument) go to valid / test.
//
// Thread contract: renderDataset() blocks; call it off the GUI thread. It runs `jobs` worker
// threads, each owning one fluid_synth. The progress callback is called from the calling thread
// only; the cancel token may be set from any thread (CancelledError is then thrown, and no
// .complete marker is written).
#include "dataset/NSynthDataset.h"
#include "util/CancelToken.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace morph::render {

struct RenderOptions {
    std::filesystem::path soundfont;
    std::filesystem::path outDir;
    std::vector<int> programs;           // empty: all melodic programs not skipped by default
    bool includeSoundEffects = false;    // programs 120..127 in the default list
    int pitchMin = 36, pitchMax = 84, pitchStep = 4;
    std::vector<int> velocities{75, 127};
    uint32_t seed = 1;
    int jobs = 0;                        // 0: all cores
    double validFraction = 0.1, testFraction = 0.1;
    float silenceDb = -60.f;             // peak below this: the note is skipped
    float gain = 0.5f;                   // fluidsynth master gain (its default 0.2 is quiet)
    float normalizePeak = 0.9f;          // scale each note to this peak like NSynth's notes
                                         // (real test notes peak at 0.53..0.99, median 0.89); 0: off
    int sampleRate = 16000;
    double holdSeconds = 3.0, releaseSeconds = 1.0;
    bool force = false;                  // re-render over a completed dataset
};

struct RenderProgress {
    std::size_t done = 0, total = 0;     // notes attempted / planned
    std::size_t written = 0;
    double seconds = 0.0;
};

struct RenderReport {
    std::size_t planned = 0;             // (program, pitch, velocity) inside the programs' ranges
    std::size_t written = 0;
    std::size_t skippedSilent = 0;
    std::size_t skippedOutOfRange = 0;
    std::size_t clippedNotes = 0;        // notes whose raw peak reached full scale (before normalising)
    std::vector<int> missingPrograms;    // programs the SoundFont lacks (bank 0)
    std::array<std::size_t, 3> notesBySplit{};
    std::array<std::size_t, kFamilyCount> notesByFamily{};
    std::array<std::size_t, 3> instrumentsBySplit{};
    double seconds = 0.0;
    double notesPerSecond = 0.0;         // written notes / wall seconds (rendering + writing)
    int jobs = 1;
    std::string summary() const;
};

/// Renders the dataset. Throws ConfigError (bad options, unsuitable output folder), IoError,
/// CancelledError.
RenderReport renderDataset(const RenderOptions&, const std::function<void(const RenderProgress&)>& progress = {},
                           const CancelToken* cancel = nullptr);

/// Split of each program (key) for the given programs, seed and fractions (deterministic).
std::map<int, Split> assignSplits(const std::vector<int>& programs, uint32_t seed, double validFraction,
                                  double testFraction);

/// Qualities from the RMS envelope (10 ms frames, relative to the loudest frame):
///  fast_decay   (bit 3): the level in the 100 ms before note-off is below -30 dB;
///  long_release (bit 4): the level in the last 100 ms of the note is above -40 dB.
uint16_t envelopeQualities(const std::vector<float>& audio, int sampleRate, double noteOffSeconds);

/// One fluid_synth with a SoundFont loaded, rendering single notes. Not thread-safe: one per thread.
class NoteSynth {
public:
    NoteSynth(const std::filesystem::path& soundfont, int sampleRate, float gain);  // throws ConfigError
    ~NoteSynth();
    NoteSynth(const NoteSynth&) = delete;
    NoteSynth& operator=(const NoteSynth&) = delete;

    bool hasProgram(int program) const;  // bank 0 preset exists
    /// Mono float, round((hold + release) * rate) samples; note-off after `hold` seconds.
    std::vector<float> render(int program, int pitch, int velocity, double holdSeconds, double releaseSeconds);

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

} // namespace morph::render
