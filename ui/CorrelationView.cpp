#include "CorrelationView.h"

#include <QHelpEvent>
#include <QToolTip>

#include <cmath>
#include <limits>

namespace morph::ui {

namespace {

/// Diverging blue-white-red (ColorBrewer RdBu), symmetric around r = 0.
QCPColorGradient divergingGradient()
{
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.00, QColor(5, 48, 97));
    g.setColorStopAt(0.15, QColor(33, 102, 172));
    g.setColorStopAt(0.30, QColor(103, 169, 207));
    g.setColorStopAt(0.42, QColor(209, 229, 240));
    g.setColorStopAt(0.50, QColor(247, 247, 247));
    g.setColorStopAt(0.58, QColor(253, 219, 199));
    g.setColorStopAt(0.70, QColor(239, 138, 98));
    g.setColorStopAt(0.85, QColor(178, 24, 43));
    g.setColorStopAt(1.00, QColor(103, 0, 31));
    g.setLevelCount(256);
    return g;
}

} // namespace

CorrelationView::CorrelationView(QWidget* parent) : QCustomPlot(parent)
{
    setObjectName(QStringLiteral("correlationView"));
    setMinimumSize(320, 320);
    map_ = new QCPColorMap(xAxis, yAxis);
    map_->setInterpolate(false);
    map_->setTightBoundary(false);
    scale_ = new QCPColorScale(this);
    scale_->setType(QCPAxis::atRight);
    scale_->axis()->setLabel(tr("Pearson r"));
    scale_->setBarWidth(12);
    plotLayout()->addElement(0, 1, scale_);
    map_->setColorScale(scale_);
    map_->setGradient(divergingGradient());
    map_->setDataRange(QCPRange(-1.0, 1.0));
    scale_->setDataRange(QCPRange(-1.0, 1.0));
    auto* margins = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    yAxis->setRangeReversed(true); // row 0 at the top, like a table
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() - 2.0));
    xAxis->setTickLabelFont(small);
    yAxis->setTickLabelFont(small);
    xAxis->setLabel(tr("same notes, same order (hover a cell for both names)"));

    auto makeFrame = [this](const QColor& color) {
        auto* r = new QCPItemRect(this);
        r->setPen(QPen(color, 2.0));
        r->setBrush(Qt::NoBrush);
        r->setVisible(false);
        return r;
    };
    frame_ = makeFrame(QColor(20, 20, 20));
    mirror_ = makeFrame(QColor(120, 120, 120));

    message_ = new QCPItemText(this);
    message_->position->setType(QCPItemPosition::ptAxisRectRatio);
    message_->position->setCoords(0.5, 0.5);
    message_->setColor(palette().color(QPalette::WindowText));

    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom); // big matrices: wheel zoom, drag pan
    connect(this, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent*) { fitSquare(); });
    connect(this, &QCustomPlot::mousePress, this, &CorrelationView::onPress);
    connect(this, &QCustomPlot::mouseRelease, this, &CorrelationView::onRelease);
    clearMatrix();
}

void CorrelationView::clearMatrix(const QString& message)
{
    matrix_ = {};
    labels_.clear();
    selected_.reset();
    map_->data()->clear();
    frame_->setVisible(false);
    mirror_->setVisible(false);
    message_->setText(message.isEmpty() ? tr("Press Compute to correlate the notes") : message);
    message_->setVisible(true);
    xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    xAxis->setTickLabels(false);
    yAxis->setTickLabels(false);
    xAxis->setRange(-0.5, 9.5);
    yAxis->setRange(-0.5, 9.5);
    replot(rpQueuedReplot);
}

void CorrelationView::setMatrix(const CorrelationMatrix& matrix, const QStringList& labels)
{
    matrix_ = matrix;
    labels_ = labels;
    selected_.reset();
    frame_->setVisible(false);
    mirror_->setVisible(false);
    const int n = size();
    if (n == 0) {
        clearMatrix();
        return;
    }
    message_->setVisible(false);
    auto* grid = new QCPColorMapData(n, n, QCPRange(0, std::max(1, n - 1)), QCPRange(0, std::max(1, n - 1)));
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) grid->setCell(j, i, matrix_.at(std::size_t(i), std::size_t(j)));
    map_->setData(grid, false);
    map_->setDataRange(QCPRange(-1.0, 1.0));

    // Rows are named (when they fit); columns are the same notes in the same order, numbered
    // from 1 like the rows' numbers in the tooltip.
    auto numbers = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
    const int step = n <= 20 ? 1 : n <= 60 ? 5 : n <= 200 ? 20 : 100;
    for (int i = 0; i < n; i += step) numbers->addTick(i, QString::number(i + 1));
    xAxis->setTicker(numbers);
    if (n <= kMaxLabelledNotes && labels_.size() == n) {
        auto names = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
        for (int i = 0; i < n; ++i) names->addTick(i, QStringLiteral("%1  %2").arg(labels_[i]).arg(i + 1));
        yAxis->setTicker(names);
    } else {
        yAxis->setTicker(numbers);
    }
    xAxis->setTickLabels(true);
    yAxis->setTickLabels(true);
    fitSquare();
}

void CorrelationView::fitSquare()
{
    const int n = std::max(1, size());
    xAxis->setRange(-0.5, n - 0.5);
    yAxis->setRange(-0.5, n - 0.5);
    // Square cells: widen whichever range is short of the axis rect's aspect.
    const double w = axisRect()->width(), h = axisRect()->height();
    if (w > 0 && h > 0) {
        if (w > h)
            xAxis->setRange(-0.5, -0.5 + n * w / h);
        else
            yAxis->setRange(-0.5, -0.5 + n * h / w);
    }
    replot(rpQueuedReplot);
}

void CorrelationView::resizeEvent(QResizeEvent* event)
{
    QCustomPlot::resizeEvent(event);
    if (size() > 0) {
        replot(rpImmediateRefresh); // lays out the axis rect for the new size
        fitSquare();
    }
}

double CorrelationView::cellValue(int row, int column) const
{
    if (row < 0 || column < 0 || row >= size() || column >= size()) return std::numeric_limits<double>::quiet_NaN();
    return map_->data()->cell(column, row);
}

void CorrelationView::setSelectedCell(int row, int column)
{
    const bool show = row >= 0 && column >= 0 && row < size() && column < size();
    if (show)
        selected_ = std::make_pair(row, column);
    else
        selected_.reset();
    auto place = [](QCPItemRect* r, int i, int j) {
        r->topLeft->setCoords(j - 0.5, i - 0.5);
        r->bottomRight->setCoords(j + 0.5, i + 0.5);
    };
    frame_->setVisible(show);
    mirror_->setVisible(show && row != column);
    if (show) {
        place(frame_, row, column);
        place(mirror_, column, row);
    }
    replot(rpQueuedReplot);
}

std::optional<std::pair<int, int>> CorrelationView::cellAt(const QPointF& pixel) const
{
    if (size() == 0 || !axisRect()->rect().contains(pixel.toPoint())) return std::nullopt;
    const int column = static_cast<int>(std::lround(xAxis->pixelToCoord(pixel.x())));
    const int row = static_cast<int>(std::lround(yAxis->pixelToCoord(pixel.y())));
    if (row < 0 || column < 0 || row >= size() || column >= size()) return std::nullopt;
    return std::make_pair(row, column);
}

QPointF CorrelationView::cellCenter(int row, int column) const
{
    return {xAxis->coordToPixel(column), yAxis->coordToPixel(row)};
}

QString CorrelationView::toolTipAt(const QPointF& pixel) const
{
    const auto cell = cellAt(pixel);
    if (!cell) return {};
    const auto [i, j] = *cell;
    return tr("%1 (%2) × %3 (%4)\nr = %5")
        .arg(labels_.value(i, QString::number(i + 1)))
        .arg(i + 1)
        .arg(labels_.value(j, QString::number(j + 1)))
        .arg(j + 1)
        .arg(matrix_.at(std::size_t(i), std::size_t(j)), 0, 'f', 3);
}

bool CorrelationView::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QCustomPlot::event(event);
}

void CorrelationView::onPress(QMouseEvent* event)
{
    pressed_ = event->button() == Qt::LeftButton ? cellAt(event->position()) : std::nullopt;
}

void CorrelationView::onRelease(QMouseEvent* event)
{
    if (!pressed_ || event->button() != Qt::LeftButton) return;
    const auto cell = cellAt(event->position());
    const auto pressed = *pressed_;
    pressed_.reset();
    if (cell && *cell == pressed) {
        setSelectedCell(cell->first, cell->second);
        emit cellClicked(cell->first, cell->second);
    }
}

} // namespace morph::ui
