#include "morph/NoteEncoding.h"

#include "dsp/Energy.h"
#include "dsp/Slicing.h"
#include "model/ModelRunner.h"
#include "util/Errors.h"

namespace morph {
namespace {

dsp::StftConfig stftConfigOf(const ModelConfig& config)
{
    dsp::StftConfig stft;
    stft.nFft = config.nFft;
    stft.hop = config.hop;
    return stft;
}

} // namespace

NoteEmbedding embedSpectra(const ModelRunner& model, const dsp::NoteSpectra& spectra)
{
    const ModelConfig& config = model.config();
    if (spectra.db.bins != config.inputBins())
        throw ConfigError("note has " + std::to_string(spectra.db.bins) + " bins but the model expects "
                          + std::to_string(config.inputBins()));
    const int width = config.sliceWidth();
    const std::vector<float> slices = dsp::toSlices(spectra.db, width);
    const int count = spectra.db.frames - width + 1;
    NoteEmbedding embedding;
    embedding.slices = count;
    embedding.dims = config.embeddingSize();
    embedding.values = model.encode(slices.data(), count);
    return embedding;
}

NoteEmbedding embedAudio(const ModelRunner& model, const std::vector<float>& audio)
{
    const ModelConfig& config = model.config();
    const dsp::NoteSpectra spectra = dsp::analyseNote(audio, stftConfigOf(config), config.mel, config.sampleRate);
    return embedSpectra(model, spectra);
}

EncodedNote encodeNote(const ModelRunner& model, const std::vector<float>& audio, std::string name)
{
    const ModelConfig& config = model.config();
    EncodedNote note;
    note.name = std::move(name);
    note.spectra = dsp::analyseNote(audio, stftConfigOf(config), config.mel, config.sampleRate);
    note.frameEnergy = dsp::frameEnergies(dsp::magnitude(note.spectra.stft),
                                          dsp::firstAudibleBin(config.sampleRate, config.nFft));
    note.embedding = embedSpectra(model, note.spectra);
    return note;
}

} // namespace morph
