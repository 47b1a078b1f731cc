#pragma once
// Table model over an NSynthDataset: one row per note (all notes, or a subset given as dataset
// indices), columns = the note's metadata. Rows read the dataset by index on demand, so a
// 306k-note dataset costs no copies and appears at once; a subset is just a vector of indices.
//
// Thread contract: GUI thread only (a Qt model). The dataset itself is immutable and shared.
#include "dataset/NSynthDataset.h"

#include <QAbstractTableModel>

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
    /// Shows only these dataset indices, in this order (then re-applies the current sort).
    void setSubset(std::vector<std::size_t> indices);
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

    /// Comma-separated quality names of a bit mask ("bright, percussive").
    static QString qualitiesText(uint16_t qualities);

private:
    void applySort();

    NSynthDataset dataset_;
    std::optional<std::vector<std::size_t>> rows_; // nullopt = all notes in dataset order
    int sortColumn_ = -1;
    Qt::SortOrder sortOrder_ = Qt::AscendingOrder;
};

} // namespace morph::ui
