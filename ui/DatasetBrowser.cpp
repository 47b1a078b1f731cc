#include "DatasetBrowser.h"

#include "Async.h"
#include "NoteFilterBar.h"
#include "NoteTableModel.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QShortcut>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace morph::ui {

namespace {
bool isEverything(const NoteQuery& q)
{
    return !q.split && !q.family && !q.source && !q.instrument && q.pitchMin <= 0 && q.pitchMax >= 127 &&
           !q.velocity && q.qualitiesAll == 0 && q.nameContains.empty();
}
} // namespace

DatasetBrowser::DatasetBrowser(QWidget* parent) : QWidget(parent)
{
    tree_ = new DatasetTree;
    filters_ = new NoteFilterBar;
    model_ = new NoteTableModel(this);
    table_ = new QTableView;
    table_->setObjectName(QStringLiteral("noteTable"));
    table_->setModel(model_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setAlternatingRowColors(true);
    table_->setWordWrap(false);
    table_->verticalHeader()->hide();
    // Fixed row heights and column widths: nothing is measured per row, so 306k rows cost nothing.
    table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    QHeaderView* columns = table_->horizontalHeader();
    columns->setSectionResizeMode(QHeaderView::Interactive);
    columns->setStretchLastSection(false);
    columns->setSectionResizeMode(NoteTableModel::Qualities, QHeaderView::Stretch);
    // Widths from typical content (plus room for the sort arrow), not measured per row.
    const QFontMetrics fm = fontMetrics();
    const char* samples[] = {"keyboard_electronic_098-060-100", "keyboard_electronic_098", "synth_lead",
                             "electronic", "Pitch", "Velocity", "", "Split"};
    for (int c = 0; c < NoteTableModel::ColumnCount; ++c)
        if (c != NoteTableModel::Qualities)
            table_->setColumnWidth(c, fm.horizontalAdvance(QString::fromLatin1(samples[c])) + 28);
    table_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    table_->setSortingEnabled(true);

    count_ = new QLabel;
    count_->setObjectName(QStringLiteral("noteCount"));

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(filters_);
    rightLayout->addWidget(table_, 1);
    rightLayout->addWidget(count_);

    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(tree_);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({280, 900});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    // A model reset (new subset, finished background sort) keeps the current note when it is
    // still listed.
    connect(model_, &QAbstractItemModel::modelAboutToBeReset, this, [this] { keep_ = currentNote(); });
    connect(model_, &QAbstractItemModel::modelReset, this, [this] {
        const int row = keep_ ? model_->rowOfNote(*keep_) : -1;
        if (row < 0) return;
        table_->selectRow(row);
        table_->scrollTo(model_->index(row, 0), QAbstractItemView::PositionAtCenter);
    });
    connect(tree_, &DatasetTree::scopeChanged, this, [this](const TreeScope&) { runQuery(); });
    connect(filters_, &NoteFilterBar::filterChanged, this, &DatasetBrowser::runQuery);
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current, const QModelIndex&) {
                if (current.isValid()) emit currentNoteChanged(model_->noteIndex(current.row()));
            });
    connect(table_, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        if (index.isValid()) emit playRequested(model_->noteIndex(index.row()));
    });
    auto addKey = [this](QKeySequence key, auto handler) {
        auto* shortcut = new QShortcut(key, table_);
        shortcut->setContext(Qt::WidgetShortcut);
        connect(shortcut, &QShortcut::activated, this, handler);
    };
    addKey(QKeySequence(Qt::Key_Space), [this] {
        if (auto n = currentNote()) emit playRequested(*n);
    });
    addKey(QKeySequence(Qt::Key_A), [this] {
        if (auto n = currentNote()) emit assignRequested(0, *n);
    });
    addKey(QKeySequence(Qt::Key_B), [this] {
        if (auto n = currentNote()) emit assignRequested(1, *n);
    });
    addKey(QKeySequence(Qt::Key_C), [this] { // pad corners C and D (Morph tab, XY pad)
        if (auto n = currentNote()) emit assignRequested(2, *n);
    });
    addKey(QKeySequence(Qt::Key_D), [this] {
        if (auto n = currentNote()) emit assignRequested(3, *n);
    });
    updateCount();
}

void DatasetBrowser::setDataset(const NSynthDataset& dataset, const DatasetOutline& outline)
{
    ++generation_; // drop queries over the previous dataset
    running_ = 0;
    {
        const QSignalBlocker b1(tree_), b2(filters_);
        filters_->setOutline(outline);
        tree_->setOutline(outline);
    }
    model_->setDataset(dataset);
    updateCount();
    if (model_->rowCount() > 0) table_->selectRow(0);
}

bool DatasetBrowser::queryRunning() const { return running_ > 0 || model_->isSorting(); }

const NSynthDataset& DatasetBrowser::dataset() const { return model_->dataset(); }

NoteQuery DatasetBrowser::currentQuery() const
{
    NoteQuery q;
    const TreeScope scope = tree_->currentScope();
    q.split = scope.split;
    q.family = scope.family;
    q.instrument = scope.instrument;
    filters_->applyTo(q);
    return q;
}

std::optional<std::size_t> DatasetBrowser::currentNote() const
{
    const QModelIndex current = table_->currentIndex();
    if (!current.isValid()) return std::nullopt;
    return model_->noteIndex(current.row());
}

void DatasetBrowser::runQuery()
{
    const std::uint64_t generation = ++generation_;
    const NoteQuery query = currentQuery();
    if (isEverything(query)) {
        showResult({}, true, false);
        return;
    }
    ++running_;
    updateCount();
    const int column = model_->sortColumn();
    const Qt::SortOrder order = model_->sortOrder();
    runAsync(
        this,
        [dataset = model_->dataset(), query, column, order] {
            std::vector<std::size_t> rows = dataset.query(query);
            NoteTableModel::sortIndices(dataset, rows, column, order); // sorted here, off the GUI thread
            return rows;
        },
        [this, generation, column, order](Outcome<std::vector<std::size_t>> outcome) {
            if (generation != generation_) return; // a newer query (or dataset) replaced this one
            running_ = 0;
            if (outcome.ok())
                showResult(std::move(*outcome.value), false, column == model_->sortColumn() && order == model_->sortOrder());
            else
                count_->setText(tr("Query failed: %1").arg(outcome.error));
        });
}

void DatasetBrowser::showResult(std::vector<std::size_t> rows, bool all, bool sorted)
{
    const std::optional<std::size_t> previous = currentNote();
    if (all)
        model_->clearSubset();
    else
        model_->setSubset(std::move(rows), sorted);
    const int row = previous ? model_->rowOfNote(*previous) : -1;
    if (row >= 0) {
        table_->selectRow(row);
        table_->scrollTo(model_->index(row, 0), QAbstractItemView::PositionAtCenter);
    } else if (model_->rowCount() > 0) {
        table_->selectRow(0);
    }
    updateCount();
    emit queryFinished(model_->rowCount());
}

bool DatasetBrowser::selectNote(std::size_t index)
{
    if (index >= dataset().size()) return false;
    int row = model_->rowOfNote(index);
    if (row < 0) {
        // Filtered out: show everything again, then select it.
        ++generation_;
        {
            const QSignalBlocker b1(tree_), b2(filters_);
            filters_->reset();
            if (tree_->topLevelItemCount() > 0) tree_->setCurrentItem(tree_->topLevelItem(0));
        }
        model_->clearSubset();
        row = model_->rowOfNote(index);
    }
    table_->selectRow(row);
    table_->scrollTo(model_->index(row, 0), QAbstractItemView::PositionAtCenter);
    updateCount();
    return true;
}

bool DatasetBrowser::selectNote(const QString& noteStr)
{
    const auto index = dataset().find(noteStr.toStdString());
    return index && selectNote(*index);
}

void DatasetBrowser::updateCount()
{
    const QLocale locale;
    QString text = tr("%1 of %2 notes")
                       .arg(locale.toString(model_->rowCount()), locale.toString(static_cast<qulonglong>(dataset().size())));
    const QString scope = tree_->currentScope().label;
    if (!scope.isEmpty()) text += QStringLiteral(" in ") + scope;
    if (running_ > 0) text += tr(" (searching…)");
    count_->setText(text);
}

} // namespace morph::ui
