#pragma once
// The least-correlated pairs of a correlation result (core rankLowestPairs), lowest r first,
// with the filters "skip same instrument" / "skip same family" and how many to list.
// Double-click (or Enter) on a row emits pairActivated with the two dataset indices.
// Thread contract: GUI thread only (ranking 500 notes' 125k pairs takes a few ms).
#include "morph/Correlation.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QSpinBox;
class QTableWidget;

namespace morph::ui {

struct CorrelationResult;

class PairList : public QWidget {
    Q_OBJECT
public:
    explicit PairList(QWidget* parent = nullptr);

    void setResult(std::shared_ptr<const CorrelationResult> result);
    void clear();

    PairFilter filter() const;
    void setFilter(const PairFilter& filter);
    void setMaxRows(int rows);

    int rowCount() const;
    /// The ranked pair of a row (matrix rows a < b and r).
    const RankedPair& pair(int row) const { return pairs_.at(static_cast<std::size_t>(row)); }
    /// Emits pairActivated for a row (what a double-click does).
    void activateRow(int row);
    QTableWidget* table() const { return table_; }

signals:
    void pairActivated(std::size_t noteA, std::size_t noteB);
    void filterChanged();

private:
    void rerank();

    std::shared_ptr<const CorrelationResult> result_;
    std::vector<RankedPair> pairs_;
    QCheckBox* skipInstrument_ = nullptr;
    QCheckBox* skipFamily_ = nullptr;
    QSpinBox* maxRows_ = nullptr;
    QTableWidget* table_ = nullptr;
};

} // namespace morph::ui
