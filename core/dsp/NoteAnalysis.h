#pragma once
// What the morph engine and the feature cache need from one note: the dB spectrogram (METHOD
// §2, ref = the note's maximum magnitude), that ref, the complex STFT (keeps the phase for a
// plain reconstruction) and the audio length.
// Thread contract: pure function, callable from any thread.
#include "dsp/Spectrogram.h"
#include "dsp/Stft.h"

#include <cstddef>
#include <vector>

namespace morph::dsp {

struct NoteSpectra {
    Spectrogram db;            // bins x frames (mel: 128 x frames)
    float ref = 1.f;           // max magnitude (of the mel magnitudes for mel); 1 if below amin
    ComplexSpectrogram stft;   // linear complex STFT
    std::size_t length = 0;    // samples
};

/// mel = true: dB of the 128-band Slaney mel magnitudes (sampleRate needed for the bands).
/// A silent note (max magnitude < amin) gets ref = 1, so its dB is the floor (-80) everywhere.
NoteSpectra analyseNote(const std::vector<float>& audio, const StftConfig& = {}, bool mel = false,
                        int sampleRate = 16000);

/// dB spectrogram + ref -> magnitudes (inverse of the dB part of analyseNote).
Spectrogram magnitudesFromDb(const Spectrogram& db, float ref);

} // namespace morph::dsp
