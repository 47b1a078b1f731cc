#pragma once
// Table model over an NSynthDataset: one row per note (all notes, or a subset given as dataset
// indices), columns = the note's metadata. Rows read the dataset by index on demand, so a
// 306k-note dataset costs no copies and appears at once; a subset is just a vector of indices.
//
// Sorting more rows than syncSortLimit() runs on the thread pool (the rows show unsorted until
// it finishes, isSorting() is true meanwhile), so sorting 306k notes never blocks the GUI.
//
// Thread contract: GUI thread only (a Qt model). The dataset itself is immutable and shared;
// sortIndices() is a pure function usable on any thread.
#include "dataset/NSynthDataset.h"

#include <QAbstractTableModel>

#include <cstdint>
#include <optional>
#include <vector>

namespace morph::ui {

class NoteTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NoteStr, Instrument, Family, Source, Pitch, Velocity, Qualities, SplitCol, ColumnCount };
    /// data(index, NoteIndexRole) = the note's index in the dataset (qulonglong).
    static constexpr int NoteIndexRole = Qt::UserRole + 1;

    explicit NoteTableModel(QObject* parent = nullptr);

    /// Shows every note of `dataset` (in dataset order).
    void setDataset(NSynthDataset dataset);
    const NSynthDataset& dataset() const { return dataset_; }
    /// Shows only these dataset indices, in this order (then re-applies the current sort unless
    /// `sorted` says they already are in the current sort order, see sortIndices()).
    void setSubset(std::vector<std::size_t> indices, bool sorted = false);
    /// Shows every note again.
    void clearSubset();
    bool isSubset() const { return rows_.has_value(); }

    /// Dataset index of a model row.
    std::size_t noteIndex(int row) const;
    /// Model row showing a dataset index, or -1.
    int rowOfNote(std::size_t noteIndex) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    int sortColumn() const { return sortColumn_; }
    Qt::SortOrder sortOrder() const { return sortOrder_; }
    bool isSorting() const { return sorting_; }
    std::size_t syncSortLimit() const { return syncSortLimit_; }
    void setSyncSortLimit(std::size_t rows) { syncSortLimit_ = rows; }

    /// Sorts dataset indices by a column (stable: ties keep their order). column < 0: no-op.
    static void sortIndices(const NSynthDataset& dataset, std::vector<std::size_t>& rows, int column,
                            Qt::SortOrder order);

    /// Comma-separated quality names of a bit mask ("bright, percussive").
    static QString qualitiesText(uint16_t qualities);

signals:
    void sortingFinished();

private:
    /// Re-applies the current sort to rows_: in place when small, else on the thread pool.
    void resort();

    NSynthDataset dataset_;
    std::optional<std::vector<std::size_t>> rows_; // nullopt = all notes in dataset order
    int sortColumn_ = -1;
    Qt::SortOrder sortOrder_ = Qt::AscendingOrder;
    std::size_t syncSortLimit_ = 20000;
    std::uint64_t sortGeneration_ = 0; // bumped whenever rows_ changes; stale sorts are dropped
    bool sorting_ = false;
};

} // namespace morph::ui
