#include "EmbeddingView.h"

#include <algorithm>
#include <limits>

namespace morph::ui {

namespace {
/// Perceptually uniform dark-blue -> green -> yellow (close to matplotlib's "viridis").
QCPColorGradient embeddingGradient()
{
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.00, QColor(68, 1, 84));
    g.setColorStopAt(0.25, QColor(59, 82, 139));
    g.setColorStopAt(0.50, QColor(33, 145, 140));
    g.setColorStopAt(0.75, QColor(94, 201, 98));
    g.setColorStopAt(1.00, QColor(253, 231, 37));
    g.setLevelCount(256);
    return g;
}
} // namespace

EmbeddingView::EmbeddingView(QWidget* parent) : QCustomPlot(parent)
{
    setObjectName(QStringLiteral("embeddingView"));
    plotLayout()->clear();
    scale_ = new QCPColorScale(this);
    scale_->setType(QCPAxis::atRight);
    scale_->axis()->setLabel(tr("activation"));
    scale_->setBarWidth(10);
    auto* margins = new QCPMarginGroup(this);
    const QStringList names = {tr("A"), tr("morph"), tr("B")};
    for (int k = 0; k < 3; ++k) {
        titles_[k] = new QCPTextElement(this, names[k]);
        plotLayout()->addElement(0, k, titles_[k]);
        rects_[k] = new QCPAxisRect(this);
        plotLayout()->addElement(1, k, rects_[k]);
        rects_[k]->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
        QCPAxis* x = rects_[k]->axis(QCPAxis::atBottom);
        QCPAxis* y = rects_[k]->axis(QCPAxis::atLeft);
        x->setLabel(tr("time (slice)"));
        if (k == 0) y->setLabel(tr("embedding dimension"));
        maps_[k] = new QCPColorMap(x, y);
        maps_[k]->setInterpolate(false);
        maps_[k]->setTightBoundary(false);
        maps_[k]->setGradient(embeddingGradient());
        maps_[k]->setColorScale(scale_);
    }
    plotLayout()->addElement(1, 3, scale_);
    scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    plotLayout()->setRowStretchFactor(0, 0.01);
    clearAll();
}

void EmbeddingView::clearAll()
{
    for (int k = 0; k < 3; ++k) {
        maps_[k]->data()->clear();
        filled_[k] = false;
        slices_[k] = dims_[k] = 0;
    }
    titles_[A]->setText(tr("A"));
    titles_[Morph]->setText(tr("morph"));
    titles_[B]->setText(tr("B"));
    replot(rpQueuedReplot);
}

void EmbeddingView::fill(Which which, const NoteEmbedding& e, const QString& title)
{
    titles_[which]->setText(title);
    if (e.slices <= 0 || e.dims <= 0) {
        maps_[which]->data()->clear();
        filled_[which] = false;
        return;
    }
    auto* grid = new QCPColorMapData(e.slices, e.dims, QCPRange(0, std::max(1, e.slices - 1)),
                                     QCPRange(0, std::max(1, e.dims - 1)));
    for (int s = 0; s < e.slices; ++s) {
        const float* row = e.values.data() + std::size_t(s) * std::size_t(e.dims);
        for (int d = 0; d < e.dims; ++d) grid->setCell(s, d, row[d]);
    }
    maps_[which]->setData(grid, false);
    maps_[which]->setDataRange(range_);
    maps_[which]->rescaleAxes();
    filled_[which] = true;
    slices_[which] = e.slices;
    dims_[which] = e.dims;
}

void EmbeddingView::setEndpoints(const NoteEmbedding& a, const NoteEmbedding& b, const QString& nameA,
                                 const QString& nameB)
{
    float lo = std::numeric_limits<float>::max(), hi = std::numeric_limits<float>::lowest();
    for (const NoteEmbedding* e : {&a, &b})
        for (float v : e->values) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    if (!(lo < hi)) {
        lo = -1.f;
        hi = 1.f;
    }
    range_ = QCPRange(lo, hi);
    scale_->setDataRange(range_);
    fill(A, a, tr("A: %1").arg(nameA));
    fill(B, b, tr("B: %1").arg(nameB));
    if (filled_[Morph]) maps_[Morph]->setDataRange(range_);
    replot(rpQueuedReplot);
}

void EmbeddingView::setMorph(const NoteEmbedding& morph, const QString& title)
{
    fill(Morph, morph, title);
    replot(rpQueuedReplot);
}

double EmbeddingView::value(Which which, int slice, int dim) const
{
    if (!filled_[which] || slice < 0 || dim < 0 || slice >= slices_[which] || dim >= dims_[which])
        return std::numeric_limits<double>::quiet_NaN();
    return maps_[which]->data()->cell(slice, dim);
}

} // namespace morph::ui
