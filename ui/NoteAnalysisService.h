#pragma once
// Loads a note's audio and computes its dB spectrogram (core/dsp analyseNote, METHOD §2) on
// Qt's thread pool, so the GUI thread never waits. Latest request wins: results of requests
// superseded before they finish are dropped. A small cache makes going back to a note instant.
// Thread contract: GUI thread only; the work runs on pool threads over an immutable dataset.
#include "NoteData.h"
#include "dataset/NSynthDataset.h"

#include <QObject>

#include <cstdint>
#include <list>
#include <memory>

namespace morph::ui {

class NoteAnalysisService : public QObject {
    Q_OBJECT
public:
    explicit NoteAnalysisService(QObject* parent = nullptr);

    /// Starts (or serves from cache) the analysis of dataset note `index`.
    void request(const NSynthDataset& dataset, std::size_t index);
    /// The cached analysis of a note of the current dataset, if any.
    std::shared_ptr<const AnalysedNote> cached(std::size_t index) const;
    /// Call when another dataset is opened: forgets cached and running analyses.
    void clearCache();

    /// Builds the analysis synchronously (used by the workers and by tests).
    static AnalysedNote analyse(const NSynthDataset& dataset, std::size_t index);

signals:
    void ready(std::shared_ptr<const AnalysedNote> note);
    void failed(std::size_t index, const QString& message);

private:
    void remember(std::shared_ptr<const AnalysedNote> note);

    std::uint64_t generation_ = 0; // of the latest request
    std::uint64_t epoch_ = 0;      // of the dataset (clearCache)
    std::list<std::shared_ptr<const AnalysedNote>> cache_; // most recent first
    static constexpr std::size_t kCacheSize = 32;
};

} // namespace morph::ui
