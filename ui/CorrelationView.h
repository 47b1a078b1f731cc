#pragma once
// The correlation matrix of a note set (METHOD §6) as a QCPColorMap on a diverging colour scale
// fixed to -1..1 (blue = opposite, white = unrelated, red = alike), rows top-down and columns
// left-right in the same note order, labelled with the note names when they fit. The tooltip
// names both notes and r; clicking a cell emits cellClicked (the panel makes that pair A / B).
// Thread contract: GUI thread only.
#include "morph/Correlation.h"

#include <qcustomplot.h>

#include <optional>
#include <utility>

namespace morph::ui {

class CorrelationView : public QCustomPlot {
    Q_OBJECT
public:
    /// Note names are shown on the axes up to this many notes (beyond, row numbers).
    static constexpr int kMaxLabelledNotes = 64;

    explicit CorrelationView(QWidget* parent = nullptr);

    void setMatrix(const CorrelationMatrix& matrix, const QStringList& labels);
    void clearMatrix(const QString& message = {});
    int size() const { return static_cast<int>(matrix_.size); }
    /// The colour-mapped value of a cell (NaN outside), as drawn.
    double cellValue(int row, int column) const;

    /// Frames the cells (row, column) and (column, row); (-1, -1) removes the frame.
    void setSelectedCell(int row, int column);
    std::optional<std::pair<int, int>> selectedCell() const { return selected_; }

    /// The cell under a widget pixel, if any.
    std::optional<std::pair<int, int>> cellAt(const QPointF& pixel) const;
    /// "A × B: r = 0.123" for a cell under a pixel; empty elsewhere.
    QString toolTipAt(const QPointF& pixel) const;
    /// Widget pixel at the centre of a cell (tests, benchmarks).
    QPointF cellCenter(int row, int column) const;

signals:
    void cellClicked(int row, int column);

protected:
    bool event(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void fitSquare();
    void onPress(QMouseEvent* event);
    void onRelease(QMouseEvent* event);

    CorrelationMatrix matrix_;
    QStringList labels_;
    QCPColorMap* map_ = nullptr;
    QCPColorScale* scale_ = nullptr;
    QCPItemRect* frame_ = nullptr;
    QCPItemRect* mirror_ = nullptr;
    QCPItemText* message_ = nullptr;
    std::optional<std::pair<int, int>> selected_;
    std::optional<std::pair<int, int>> pressed_;
};

} // namespace morph::ui
