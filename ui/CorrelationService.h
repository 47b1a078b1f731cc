#pragma once
// Encodes a set of dataset notes with the current model (core EncodingService: background
// worker, memory + disk cache) and computes their correlation matrix (METHOD §6) on that worker
// when encoding is done. The job shows in the Background work dock with progress and Cancel.
// A new compute() replaces a running one; a new model or dataset cancels it.
//
// Thread contract: GUI thread only. Results arrive as signals on the GUI thread; the core
// service's callbacks are relayed (GuiRelay), never handled on its worker.
#include "morph/Correlation.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

namespace morph {
class EncodingService;
class ModelRunner;
class NSynthDataset;
} // namespace morph

namespace morph::ui {

class BackgroundJobs;
class GuiRelay;

struct CorrelationResult {
    std::vector<std::size_t> notes; ///< dataset indices: rows/columns of the matrix (notes that encoded)
    CorrelationMatrix matrix;
    std::vector<PairKey> keys;      ///< instrument/family of each row (pair filters)
    QStringList labels;             ///< note_str of each row
    std::size_t requested = 0, failed = 0, fromCache = 0;
    QString lastError;              ///< why a note failed (e.g. a corrupt WAV), if any
    double seconds = 0.0;           ///< encode + correlate
};

class CorrelationService : public QObject {
    Q_OBJECT
public:
    explicit CorrelationService(BackgroundJobs* jobs, QObject* parent = nullptr);
    ~CorrelationService() override;

    void setModel(std::shared_ptr<const ModelRunner> model);
    void setDataset(std::shared_ptr<const NSynthDataset> dataset);
    /// Where embeddings are cached on disk (tests use a temporary folder).
    void setCacheRoot(const std::filesystem::path& root);
    bool ready() const { return service_ != nullptr; }

    /// Encodes `notes` (dataset indices) and correlates them; a running job is replaced.
    void compute(std::vector<std::size_t> notes);
    void cancel();
    bool busy() const { return busy_; }
    std::shared_ptr<const CorrelationResult> result() const { return result_; }

signals:
    void started(int total);
    void progress(int done, int total);
    void finished(std::shared_ptr<const CorrelationResult> result);
    void cancelled();
    void failed(const QString& message);

private:
    void rebuild();
    void endJob();

    QPointer<BackgroundJobs> jobs_; // may go before us when the window is destroyed
    std::shared_ptr<GuiRelay> relay_;
    std::shared_ptr<const ModelRunner> model_;
    std::shared_ptr<const NSynthDataset> dataset_;
    std::filesystem::path cacheRoot_;
    std::unique_ptr<EncodingService> service_;
    std::shared_ptr<const CorrelationResult> result_;
    std::uint64_t generation_ = 0;
    int job_ = 0;
    bool busy_ = false;
};

} // namespace morph::ui
