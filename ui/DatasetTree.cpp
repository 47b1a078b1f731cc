#include "DatasetTree.h"

#include <QHeaderView>
#include <QLocale>

namespace morph::ui {

namespace {
constexpr int kSplitRole = Qt::UserRole + 1;
constexpr int kFamilyRole = Qt::UserRole + 2;
constexpr int kInstrumentRole = Qt::UserRole + 3;

QTreeWidgetItem* makeItem(const QString& label, std::size_t notes, int split, int family, int instrument)
{
    auto* item = new QTreeWidgetItem({label, QLocale().toString(static_cast<qulonglong>(notes))});
    item->setData(0, kSplitRole, split);
    item->setData(0, kFamilyRole, family);
    item->setData(0, kInstrumentRole, instrument);
    item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
    return item;
}
} // namespace

DatasetTree::DatasetTree(QWidget* parent) : QTreeWidget(parent)
{
    setObjectName(QStringLiteral("datasetTree"));
    setColumnCount(2);
    setHeaderLabels({tr("Dataset"), tr("Notes")});
    header()->setStretchLastSection(false);
    header()->setSectionResizeMode(0, QHeaderView::Stretch);
    header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    setUniformRowHeights(true);
    connect(this, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem*, QTreeWidgetItem*) {
        emit scopeChanged(currentScope());
    });
}

void DatasetTree::setOutline(const DatasetOutline& outline)
{
    const QSignalBlocker block(this);
    clear();
    auto* all = makeItem(tr("All notes"), outline.notes, -1, -1, -1);
    addTopLevelItem(all);
    for (const OutlineSplit& s : outline.splits) {
        auto* splitItem = makeItem(QString::fromUtf8(splitName(s.split)), s.notes, static_cast<int>(s.split), -1, -1);
        all->addChild(splitItem);
        for (const OutlineFamily& f : s.families) {
            auto* familyItem = makeItem(QString::fromUtf8(familyName(f.family)), f.notes, static_cast<int>(s.split),
                                        f.family, -1);
            splitItem->addChild(familyItem);
            QList<QTreeWidgetItem*> instruments;
            instruments.reserve(static_cast<int>(f.instruments.size()));
            for (const OutlineInstrument& i : f.instruments)
                instruments << makeItem(QString::fromStdString(i.name), i.notes, static_cast<int>(s.split), f.family,
                                        i.instrument);
            familyItem->addChildren(instruments);
        }
        splitItem->setExpanded(true);
    }
    all->setExpanded(true);
    setCurrentItem(all);
}

TreeScope DatasetTree::currentScope() const
{
    TreeScope scope;
    const QTreeWidgetItem* item = currentItem();
    if (!item) return scope;
    const int split = item->data(0, kSplitRole).toInt();
    const int family = item->data(0, kFamilyRole).toInt();
    const int instrument = item->data(0, kInstrumentRole).toInt();
    if (split >= 0) scope.split = static_cast<Split>(split);
    if (family >= 0) scope.family = family;
    if (instrument >= 0) scope.instrument = instrument;
    QStringList path;
    for (const QTreeWidgetItem* i = item; i && i->parent(); i = i->parent()) path.prepend(i->text(0));
    scope.label = path.join(QStringLiteral(" › "));
    return scope;
}

} // namespace morph::ui
