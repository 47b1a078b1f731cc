#include "NoteAnalysisService.h"

#include "Async.h"
#include "NoteTableModel.h"
#include "dataset/AudioFile.h"
#include "dsp/NoteAnalysis.h"

namespace morph::ui {

NoteAnalysisService::NoteAnalysisService(QObject* parent) : QObject(parent) {}

AnalysedNote NoteAnalysisService::analyse(const NSynthDataset& dataset, std::size_t index)
{
    const NoteMeta& meta = dataset.note(index);
    AnalysedNote note;
    note.index = index;
    note.noteStr = QString::fromStdString(meta.noteStr);
    note.details = QStringLiteral("%1 · %2 · pitch %3 · velocity %4 · %5")
                       .arg(QString::fromUtf8(familyName(meta.family)), QString::fromUtf8(sourceName(meta.source)))
                       .arg(meta.pitch)
                       .arg(meta.velocity)
                       .arg(QString::fromUtf8(splitName(meta.split)));
    const QString qualities = NoteTableModel::qualitiesText(meta.qualities);
    if (!qualities.isEmpty()) note.details += QStringLiteral(" · ") + qualities;

    LoadedAudio audio = loadNoteAudio(dataset.audioPath(index)); // throws AudioFileError
    for (const std::string& a : audio.adjustments) note.adjustments << QString::fromStdString(a);
    note.sampleRate = audio.sampleRate;
    note.audio = std::move(audio.samples);

    const dsp::StftConfig stft; // METHOD §2: n_fft 1024, hop 512
    const dsp::NoteSpectra spectra = dsp::analyseNote(note.audio, stft, false, note.sampleRate);
    SpectrogramData& s = note.spectrogram;
    s.bins = spectra.db.bins;
    s.frames = spectra.db.frames;
    s.db = spectra.db.values;
    s.sampleRate = note.sampleRate;
    s.hop = stft.hop;
    s.nFft = stft.nFft;
    return note;
}

void NoteAnalysisService::request(const NSynthDataset& dataset, std::size_t index)
{
    const std::uint64_t generation = ++generation_;
    if (auto hit = cached(index)) {
        emit ready(hit);
        return;
    }
    runAsync(
        this, [dataset, index] { return std::make_shared<const AnalysedNote>(analyse(dataset, index)); },
        [this, generation, epoch = epoch_, index](Outcome<std::shared_ptr<const AnalysedNote>> outcome) {
            if (epoch != epoch_) return; // computed for a dataset that is no longer open
            if (outcome.ok()) remember(*outcome.value);
            if (generation != generation_) return; // superseded by a newer request
            if (outcome.ok())
                emit ready(*outcome.value);
            else
                emit failed(index, outcome.error);
        });
}

std::shared_ptr<const AnalysedNote> NoteAnalysisService::cached(std::size_t index) const
{
    for (const auto& n : cache_)
        if (n->index == index) return n;
    return nullptr;
}

void NoteAnalysisService::clearCache()
{
    cache_.clear();
    ++epoch_; // results still running belong to the previous dataset
}

void NoteAnalysisService::remember(std::shared_ptr<const AnalysedNote> note)
{
    cache_.remove_if([&](const auto& n) { return n->index == note->index; });
    cache_.push_front(std::move(note));
    if (cache_.size() > kCacheSize) cache_.pop_back();
}

} // namespace morph::ui
