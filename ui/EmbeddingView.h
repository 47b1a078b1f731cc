#pragma once
// The embedding matrices (dimension x time) of note A, the current morph and note B as three
// heat maps on ONE colour scale (set from A and B, so moving the slider never rescales it):
// the interpolated matrix visibly moves between the two.
// Thread contract: GUI thread only.
#include "morph/NoteEncoding.h"

#include <qcustomplot.h>

#include <array>

namespace morph::ui {

class EmbeddingView : public QCustomPlot {
    Q_OBJECT
public:
    enum Which { A = 0, Morph = 1, B = 2 };

    explicit EmbeddingView(QWidget* parent = nullptr);

    /// Shows A and B and fixes the shared colour range to their joint min..max.
    void setEndpoints(const NoteEmbedding& a, const NoteEmbedding& b, const QString& nameA, const QString& nameB);
    void setMorph(const NoteEmbedding& morph, const QString& title);
    void clearAll();

    QCPRange colorRange() const { return range_; }
    /// Value drawn at (slice, dimension) of one map (NaN when empty).
    double value(Which which, int slice, int dim) const;
    bool hasData(Which which) const { return filled_[which]; }

private:
    void fill(Which which, const NoteEmbedding& e, const QString& title);

    std::array<QCPAxisRect*, 3> rects_{};
    std::array<QCPColorMap*, 3> maps_{};
    std::array<QCPTextElement*, 3> titles_{};
    std::array<bool, 3> filled_{};
    std::array<int, 3> slices_{}, dims_{};
    QCPColorScale* scale_ = nullptr;
    QCPRange range_{-1.0, 1.0};
};

} // namespace morph::ui
