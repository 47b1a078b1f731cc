#pragma once
// A square pad for four-corner morphing (NSynth Super style): corners (0,0) bottom-left = A,
// (1,0) bottom-right = B, (0,1) top-left = C, (1,1) top-right = D, matching
// MorphEngine::cornerWeights. Click or drag to move the point; arrow keys nudge it by 0.05.
// Thread contract: GUI thread only.
#include <QWidget>

#include <array>

namespace morph::ui {

class XYPad : public QWidget {
    Q_OBJECT
public:
    explicit XYPad(QWidget* parent = nullptr);

    void setPosition(double x, double y); ///< clamped to [0, 1]; emits positionChanged if it moved
    double x() const { return x_; }
    double y() const { return y_; }
    void setCornerLabel(int corner, const QString& text); ///< 0 = A .. 3 = D
    QString cornerLabel(int corner) const { return labels_[std::size_t(corner)]; }

    /// Pad coordinates of a widget pixel (clamped) and the reverse.
    QPointF positionAt(const QPointF& pixel) const;
    QPointF pixelAt(double x, double y) const;

    QSize sizeHint() const override { return {240, 240}; }
    QSize minimumSizeHint() const override { return {140, 140}; }

signals:
    void positionChanged(double x, double y);
    void released(double x, double y);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    QRectF padRect() const;

    double x_ = 0.5, y_ = 0.5;
    std::array<QString, 4> labels_;
    bool dragging_ = false;
};

} // namespace morph::ui
