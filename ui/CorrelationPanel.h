#pragma once
// The "Correlation" tab: which notes to correlate (by default those at the selected note's
// pitch that pass the browser's filters, at most "max notes" spread over the set), the
// correlation matrix (CorrelationView) and the ranked least-correlated pairs (PairList).
// Encoding and correlating run in CorrelationService (background, progress + Cancel in the
// Background work dock). Clicking a cell or double-clicking a pair emits pairChosen.
// Thread contract: GUI thread only.
#include "dataset/NSynthDataset.h"

#include <QWidget>

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

class QLabel;
class QPushButton;
class QSpinBox;

namespace morph::ui {

class CorrelationService;
class CorrelationView;
class PairList;
struct CorrelationResult;

class CorrelationPanel : public QWidget {
    Q_OBJECT
public:
    explicit CorrelationPanel(CorrelationService* service, QWidget* parent = nullptr);

    void setDataset(std::shared_ptr<const NSynthDataset> dataset);
    /// The note set Compute will use, described in words ("pitch 60, browser filters").
    void setQuery(const NoteQuery& query, const QString& description);
    /// Queries the note set (on the pool) and starts encoding + correlating it.
    void compute();
    /// Runs the last computed note set again (after a model change).
    void recompute();
    void setMaxNotes(int notes);
    /// Frames the pair in the matrix when both notes are in it.
    void showPair(std::size_t noteA, std::size_t noteB);

    CorrelationView* view() const { return view_; }
    PairList* pairList() const { return pairs_; }
    QString statusText() const;
    bool busy() const;

signals:
    void pairChosen(std::size_t noteA, std::size_t noteB);

private:
    void start(std::vector<std::size_t> notes);
    void onFinished(std::shared_ptr<const CorrelationResult> result);
    void updateButtons();

    CorrelationService* service_;
    std::shared_ptr<const NSynthDataset> dataset_;
    NoteQuery query_;
    bool hasQuery_ = false;
    std::vector<std::size_t> lastNotes_;
    std::optional<std::pair<std::size_t, std::size_t>> pair_; ///< framed once a matrix shows it
    std::uint64_t queryGeneration_ = 0;
    bool querying_ = false;

    QLabel* noteSet_ = nullptr;
    QSpinBox* maxNotes_ = nullptr;
    QPushButton* compute_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QLabel* status_ = nullptr;
    CorrelationView* view_ = nullptr;
    PairList* pairs_ = nullptr;
};

} // namespace morph::ui
