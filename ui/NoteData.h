#pragma once
// What the note viewer shows of one note: its audio and its dB spectrogram (linear STFT bins,
// frame-major as in core/dsp), computed off the GUI thread by NoteAnalysisService.
// Thread contract: immutable once built; shared between threads through shared_ptr<const>.
#include <QString>
#include <QStringList>

#include <cstddef>
#include <memory>
#include <vector>

namespace morph::ui {

struct SpectrogramData {
    int bins = 0, frames = 0;
    std::vector<float> db;   ///< values[frame * bins + bin], in dB re the note's maximum
    double sampleRate = 16000.0;
    int hop = 512;
    int nFft = 1024;
    float floorDb = -80.f;   ///< colour scale minimum
    double binHz() const { return sampleRate / nFft; }
    double frameSeconds(int frame) const { return frame * hop / sampleRate; } ///< centred frames
    float at(int frame, int bin) const { return db[static_cast<std::size_t>(frame) * bins + bin]; }
};

struct AnalysedNote {
    std::size_t index = 0;      ///< dataset index
    QString noteStr;
    QString details;            ///< one line of metadata for the header
    std::vector<float> audio;
    int sampleRate = 16000;
    QStringList adjustments;    ///< what loading had to do ("resampled 44100->16000")
    SpectrogramData spectrogram;
    double durationSeconds() const { return sampleRate > 0 ? static_cast<double>(audio.size()) / sampleRate : 0.0; }
};

} // namespace morph::ui
