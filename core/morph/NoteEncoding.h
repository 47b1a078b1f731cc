#pragma once
// What the morph engine needs of one note: its analysis (dB spectrogram, ref, complex STFT for
// the original phase, per-frame energies) and its embedding matrix (one row per slice).
// Thread contract: plain values; encodeNote() may run on any non-real-time thread, and may run
// concurrently with other encodeNote() calls on the same ModelRunner (see ModelRunner.h).
#include "dsp/NoteAnalysis.h"

#include <memory>
#include <string>
#include <vector>

namespace morph {

class ModelRunner;

/// Embedding matrix of one note: rows = slices (time), columns = embedding dimensions.
struct NoteEmbedding {
    int slices = 0;
    int dims = 0;
    std::vector<float> values;  // values[slice * dims + dim]
};

struct EncodedNote {
    std::string name;               // note_str or file name
    dsp::NoteSpectra spectra;       // model-domain dB (linear or mel), ref, complex STFT
    std::vector<float> frameEnergy; // linear-magnitude energy per frame, bins >= 20 Hz (energy correction)
    NoteEmbedding embedding;
};

/// Analyses and encodes audio with the model's pre-processing. Throws ConfigError when the
/// model's pre-processing cannot be applied (e.g. another sample rate).
EncodedNote encodeNote(const ModelRunner& model, const std::vector<float>& audio, std::string name);

/// Only the embedding (for correlation over many notes; keeps no spectra).
NoteEmbedding embedAudio(const ModelRunner& model, const std::vector<float>& audio);

/// Encodes a whole analysed note's slices in one batch.
NoteEmbedding embedSpectra(const ModelRunner& model, const dsp::NoteSpectra& spectra);

} // namespace morph
