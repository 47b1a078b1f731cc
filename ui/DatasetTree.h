#pragma once
// Tree of the dataset: All notes -> split -> family -> instrument, each with its note count.
// Selecting an item narrows the browser to that scope.
// Thread contract: GUI thread only.
#include "DatasetOutline.h"

#include <QTreeWidget>

namespace morph::ui {

/// The part of a NoteQuery a tree item stands for.
struct TreeScope {
    std::optional<Split> split;
    std::optional<int> family;
    std::optional<int> instrument;
    QString label;
};

class DatasetTree : public QTreeWidget {
    Q_OBJECT
public:
    explicit DatasetTree(QWidget* parent = nullptr);
    void setOutline(const DatasetOutline& outline);
    TreeScope currentScope() const;

signals:
    void scopeChanged(const TreeScope& scope);
};

} // namespace morph::ui
