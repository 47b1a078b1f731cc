#include "NoteTableModel.h"

#include "Async.h"

#include <algorithm>
#include <numeric>

namespace morph::ui {

NoteTableModel::NoteTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void NoteTableModel::setDataset(NSynthDataset dataset)
{
    beginResetModel();
    dataset_ = std::move(dataset);
    rows_.reset();
    endResetModel();
    resort();
}

void NoteTableModel::setSubset(std::vector<std::size_t> indices, bool sorted)
{
    beginResetModel();
    rows_ = std::move(indices);
    endResetModel();
    if (sorted) {
        ++sortGeneration_;
        sorting_ = false;
    } else {
        resort();
    }
}

void NoteTableModel::clearSubset()
{
    beginResetModel();
    rows_.reset();
    endResetModel();
    resort();
}

std::size_t NoteTableModel::noteIndex(int row) const
{
    return rows_ ? (*rows_)[static_cast<std::size_t>(row)] : static_cast<std::size_t>(row);
}

int NoteTableModel::rowOfNote(std::size_t noteIndex) const
{
    if (!rows_) return noteIndex < dataset_.size() ? static_cast<int>(noteIndex) : -1;
    const auto it = std::find(rows_->begin(), rows_->end(), noteIndex);
    return it == rows_->end() ? -1 : static_cast<int>(it - rows_->begin());
}

int NoteTableModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid()) return 0;
    return static_cast<int>(rows_ ? rows_->size() : dataset_.size());
}

int NoteTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString NoteTableModel::qualitiesText(uint16_t qualities)
{
    QString text;
    for (int q = 0; q < kQualityCount; ++q) {
        if (!((qualities >> q) & 1u)) continue;
        if (!text.isEmpty()) text += QStringLiteral(", ");
        text += QString::fromUtf8(qualityName(q));
    }
    return text;
}

QVariant NoteTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const std::size_t i = noteIndex(index.row());
    if (role == NoteIndexRole) return QVariant::fromValue<qulonglong>(i);
    const NoteMeta& n = dataset_.note(i);
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case NoteStr: return QString::fromStdString(n.noteStr);
        case Instrument: return QString::fromStdString(n.instrumentStr);
        case Family: return QString::fromUtf8(familyName(n.family));
        case Source: return QString::fromUtf8(sourceName(n.source));
        case Pitch: return n.pitch;
        case Velocity: return n.velocity;
        case Qualities: return qualitiesText(n.qualities);
        case SplitCol: return QString::fromUtf8(splitName(n.split));
        default: return {};
        }
    }
    if (role == Qt::TextAlignmentRole && (index.column() == Pitch || index.column() == Velocity))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == NoteStr)
        return QString::fromStdString(dataset_.audioPath(i).string());
    return {};
}

QVariant NoteTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NoteStr: return tr("Note");
    case Instrument: return tr("Instrument");
    case Family: return tr("Family");
    case Source: return tr("Source");
    case Pitch: return tr("Pitch");
    case Velocity: return tr("Velocity");
    case Qualities: return tr("Qualities");
    case SplitCol: return tr("Split");
    default: return {};
    }
}

void NoteTableModel::sort(int column, Qt::SortOrder order)
{
    if (column == sortColumn_ && order == sortOrder_) return;
    sortColumn_ = column;
    sortOrder_ = order;
    resort();
}

void NoteTableModel::resort()
{
    const std::uint64_t generation = ++sortGeneration_;
    sorting_ = false;
    if (sortColumn_ < 0 || sortColumn_ >= ColumnCount) return;
    std::vector<std::size_t> rows;
    if (rows_) {
        rows = *rows_;
    } else {
        rows.resize(dataset_.size());
        std::iota(rows.begin(), rows.end(), std::size_t{0});
    }
    if (rows.size() <= syncSortLimit_) {
        sortIndices(dataset_, rows, sortColumn_, sortOrder_);
        beginResetModel();
        rows_ = std::move(rows);
        endResetModel();
        emit sortingFinished();
        return;
    }
    sorting_ = true;
    runAsync(
        this,
        [dataset = dataset_, rows = std::move(rows), column = sortColumn_, order = sortOrder_]() mutable {
            sortIndices(dataset, rows, column, order);
            return std::move(rows);
        },
        [this, generation](Outcome<std::vector<std::size_t>> outcome) {
            if (generation != sortGeneration_) return; // the rows or the sort changed meanwhile
            sorting_ = false;
            if (outcome.ok()) {
                beginResetModel();
                rows_ = std::move(*outcome.value);
                endResetModel();
            }
            emit sortingFinished();
        });
}

void NoteTableModel::sortIndices(const NSynthDataset& dataset, std::vector<std::size_t>& rows, int column,
                                 Qt::SortOrder order)
{
    if (column < 0 || column >= ColumnCount) return;
    const std::vector<NoteMeta>& notes = dataset.notes();
    auto less = [&](std::size_t a, std::size_t b) -> bool {
        const NoteMeta& x = notes[a];
        const NoteMeta& y = notes[b];
        switch (column) {
        case NoteStr: return x.noteStr < y.noteStr;
        case Instrument: return x.instrumentStr < y.instrumentStr;
        case Family: return x.family < y.family;
        case Source: return x.source < y.source;
        case Pitch: return x.pitch < y.pitch;
        case Velocity: return x.velocity < y.velocity;
        case Qualities: return x.qualities < y.qualities;
        case SplitCol: return x.split < y.split;
        default: return false;
        }
    };
    if (order == Qt::AscendingOrder)
        std::stable_sort(rows.begin(), rows.end(), less);
    else
        std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) { return less(b, a); });
}

} // namespace morph::ui
