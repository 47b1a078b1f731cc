#include "PairList.h"

#include "CorrelationService.h"
#include "dataset/NSynthDataset.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace morph::ui {

PairList::PairList(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("<b>Least-correlated pairs</b> (double-click: make A and B)")));
    auto* filters = new QHBoxLayout;
    skipInstrument_ = new QCheckBox(tr("Skip same instrument"));
    skipInstrument_->setObjectName(QStringLiteral("skipSameInstrument"));
    skipInstrument_->setChecked(true);
    skipInstrument_->setToolTip(tr("Hide pairs of two notes of one instrument (e.g. two velocities)"));
    skipFamily_ = new QCheckBox(tr("Skip same family"));
    skipFamily_->setObjectName(QStringLiteral("skipSameFamily"));
    skipFamily_->setToolTip(tr("Hide pairs of one instrument family (two guitars, two organs…)"));
    maxRows_ = new QSpinBox;
    maxRows_->setRange(10, 5000);
    maxRows_->setValue(200);
    maxRows_->setPrefix(tr("show "));
    maxRows_->setToolTip(tr("How many pairs to list"));
    filters->addWidget(skipInstrument_);
    filters->addWidget(skipFamily_);
    filters->addStretch(1);
    filters->addWidget(maxRows_);
    layout->addLayout(filters);

    table_ = new QTableWidget(0, 4);
    table_->setObjectName(QStringLiteral("pairTable"));
    table_->setHorizontalHeaderLabels({tr("r"), tr("A"), tr("B"), tr("Families")});
    table_->verticalHeader()->setVisible(true);
    table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
    table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setToolTip(tr("Lowest Pearson r first: these notes differ most and make the most interesting morphs"));
    layout->addWidget(table_, 1);

    connect(skipInstrument_, &QCheckBox::toggled, this, [this] { rerank(); emit filterChanged(); });
    connect(skipFamily_, &QCheckBox::toggled, this, [this] { rerank(); emit filterChanged(); });
    connect(maxRows_, &QSpinBox::valueChanged, this, [this] { rerank(); });
    connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int row, int) { activateRow(row); });
    connect(table_, &QTableWidget::itemActivated, this, [this](QTableWidgetItem* item) { activateRow(item->row()); });
}

void PairList::setResult(std::shared_ptr<const CorrelationResult> result)
{
    result_ = std::move(result);
    rerank();
}

void PairList::clear()
{
    result_.reset();
    rerank();
}

PairFilter PairList::filter() const
{
    PairFilter f;
    f.skipSameInstrument = skipInstrument_->isChecked();
    f.skipSameFamily = skipFamily_->isChecked();
    return f;
}

void PairList::setFilter(const PairFilter& filter)
{
    const QSignalBlocker a(skipInstrument_), b(skipFamily_);
    skipInstrument_->setChecked(filter.skipSameInstrument);
    skipFamily_->setChecked(filter.skipSameFamily);
    rerank();
}

void PairList::setMaxRows(int rows) { maxRows_->setValue(rows); }

int PairList::rowCount() const { return static_cast<int>(pairs_.size()); }

void PairList::activateRow(int row)
{
    if (!result_ || row < 0 || row >= rowCount()) return;
    const RankedPair& p = pairs_[static_cast<std::size_t>(row)];
    emit pairActivated(result_->notes[p.a], result_->notes[p.b]);
}

void PairList::rerank()
{
    pairs_.clear();
    if (result_)
        pairs_ = rankLowestPairs(result_->matrix, result_->keys, filter(), static_cast<std::size_t>(maxRows_->value()));
    table_->setUpdatesEnabled(false);
    table_->setRowCount(static_cast<int>(pairs_.size()));
    for (int row = 0; row < rowCount(); ++row) {
        const RankedPair& p = pairs_[static_cast<std::size_t>(row)];
        auto* r = new QTableWidgetItem(QString::number(p.r, 'f', 3));
        r->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        table_->setItem(row, 0, r);
        table_->setItem(row, 1, new QTableWidgetItem(result_->labels.value(static_cast<int>(p.a))));
        table_->setItem(row, 2, new QTableWidgetItem(result_->labels.value(static_cast<int>(p.b))));
        const int fa = result_->keys[p.a].family, fb = result_->keys[p.b].family;
        table_->setItem(row, 3,
                        new QTableWidgetItem(QStringLiteral("%1 / %2").arg(QString::fromUtf8(familyName(fa)),
                                                                           QString::fromUtf8(familyName(fb)))));
    }
    table_->setUpdatesEnabled(true);
}

} // namespace morph::ui
