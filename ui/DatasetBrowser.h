#pragma once
// The dataset browser: the split/family/instrument tree, the filter bar and the note table.
// Queries run on the thread pool (latest wins); the table model reads the dataset by index.
// Keys on the note table: Space plays the current note, A / B assign it to morph slot A / B,
// C / D to the XY pad's corners C / D.
// Thread contract: GUI thread only.
#include "DatasetOutline.h"
#include "DatasetTree.h"

#include <QWidget>

#include <cstdint>
#include <optional>

class QLabel;
class QTableView;

namespace morph::ui {

class NoteFilterBar;
class NoteTableModel;

class DatasetBrowser : public QWidget {
    Q_OBJECT
public:
    explicit DatasetBrowser(QWidget* parent = nullptr);

    void setDataset(const NSynthDataset& dataset, const DatasetOutline& outline);
    const NSynthDataset& dataset() const;

    /// The query the tree scope and filters describe now.
    NoteQuery currentQuery() const;
    /// Dataset index of the current note, if any.
    std::optional<std::size_t> currentNote() const;
    /// Makes a note current (clearing filters if it is filtered out). Returns false if unknown.
    bool selectNote(std::size_t index);
    bool selectNote(const QString& noteStr);
    /// True while a query is running (the table shows the previous result meanwhile).
    bool queryRunning() const;

    NoteTableModel* model() const { return model_; }
    QTableView* table() const { return table_; }
    DatasetTree* tree() const { return tree_; }
    NoteFilterBar* filterBar() const { return filters_; }

signals:
    void currentNoteChanged(std::size_t index);
    void playRequested(std::size_t index);
    void assignRequested(int slot, std::size_t index); ///< slot 0 = A, 1 = B, 2 = C, 3 = D
    void queryFinished(int rows);

private:
    void runQuery();
    void showResult(std::vector<std::size_t> rows, bool all, bool sorted);
    void updateCount();

    DatasetTree* tree_ = nullptr;
    NoteFilterBar* filters_ = nullptr;
    QTableView* table_ = nullptr;
    NoteTableModel* model_ = nullptr;
    QLabel* count_ = nullptr;
    std::uint64_t generation_ = 0;
    int running_ = 0;
    std::optional<std::size_t> keep_; // current note across a model reset
};

} // namespace morph::ui
