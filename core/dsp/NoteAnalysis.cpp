#include "dsp/NoteAnalysis.h"

#include "dsp/DbScale.h"
#include "dsp/MelFilterbank.h"

#include <map>
#include <memory>
#include <mutex>
#include <tuple>

namespace morph::dsp {
namespace {

const MelFilterbank& sharedFilterbank(int sampleRate, int nFft)
{
    static std::mutex mutex;
    static std::map<std::pair<int, int>, std::unique_ptr<MelFilterbank>> banks;
    std::lock_guard lock(mutex);
    auto& slot = banks[{sampleRate, nFft}];
    if (!slot)
        slot = std::make_unique<MelFilterbank>(sampleRate, nFft, 128);
    return *slot;
}

} // namespace

NoteSpectra analyseNote(const std::vector<float>& audio, const StftConfig& config, bool mel, int sampleRate)
{
    NoteSpectra out;
    const Stft stft(config);
    out.length = audio.size();
    out.stft = stft.forward(audio.data(), audio.size());
    Spectrogram mag = magnitude(out.stft);
    if (mel)
        mag = sharedFilterbank(sampleRate, config.nFft).toMel(mag);
    const float peak = maxValue(mag);
    out.ref = peak >= DbScale{}.amin ? peak : 1.f;  // silence: everything at the -80 dB floor
    amplitudeToDbInPlace(mag, out.ref);
    out.db = std::move(mag);
    return out;
}

Spectrogram magnitudesFromDb(const Spectrogram& db, float ref)
{
    return dbToAmplitude(db, ref);
}

} // namespace morph::dsp
