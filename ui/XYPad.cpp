#include "XYPad.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace morph::ui {

XYPad::XYPad(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("xyPad"));
    setFocusPolicy(Qt::StrongFocus);
    setToolTip(tr("Drag to blend the four corner notes; arrow keys nudge"));
    labels_ = {tr("A"), tr("B"), tr("C"), tr("D")};
}

QRectF XYPad::padRect() const
{
    const double side = std::max(20.0, std::min(width(), height()) - 40.0);
    return {(width() - side) / 2.0, (height() - side) / 2.0, side, side};
}

QPointF XYPad::positionAt(const QPointF& pixel) const
{
    const QRectF r = padRect();
    const double x = std::clamp((pixel.x() - r.left()) / r.width(), 0.0, 1.0);
    const double y = std::clamp((r.bottom() - pixel.y()) / r.height(), 0.0, 1.0);
    return {x, y};
}

QPointF XYPad::pixelAt(double x, double y) const
{
    const QRectF r = padRect();
    return {r.left() + x * r.width(), r.bottom() - y * r.height()};
}

void XYPad::setPosition(double x, double y)
{
    x = std::clamp(x, 0.0, 1.0);
    y = std::clamp(y, 0.0, 1.0);
    if (std::abs(x - x_) < 1e-9 && std::abs(y - y_) < 1e-9) return;
    x_ = x;
    y_ = y;
    update();
    emit positionChanged(x_, y_);
}

void XYPad::setCornerLabel(int corner, const QString& text)
{
    if (corner < 0 || corner > 3) return;
    labels_[std::size_t(corner)] = text;
    update();
}

void XYPad::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r = padRect();
    QLinearGradient g(r.bottomLeft(), r.topRight());
    g.setColorAt(0.0, QColor(33, 102, 172, 60));
    g.setColorAt(1.0, QColor(178, 24, 43, 60));
    p.fillRect(r, palette().color(QPalette::Base));
    p.fillRect(r, g);
    p.setPen(QPen(palette().color(QPalette::Mid), 1.0, Qt::DashLine));
    p.drawLine(QPointF(r.center().x(), r.top()), QPointF(r.center().x(), r.bottom()));
    p.drawLine(QPointF(r.left(), r.center().y()), QPointF(r.right(), r.center().y()));
    p.setPen(QPen(hasFocus() ? palette().color(QPalette::Highlight) : palette().color(QPalette::Dark), 1.5));
    p.drawRect(r);

    // Corner labels just outside the pad: A bottom-left, B bottom-right, C top-left, D top-right.
    p.setPen(palette().color(QPalette::WindowText));
    QFont f = font();
    f.setPointSizeF(std::max(6.0, f.pointSizeF() - 1.0));
    p.setFont(f);
    const double h = 18.0;
    auto label = [&](int corner, const QRectF& box, int align) {
        p.drawText(box, align, QFontMetrics(f).elidedText(labels_[std::size_t(corner)], Qt::ElideMiddle, int(box.width())));
    };
    const double w = r.width() / 2.0;
    label(0, QRectF(r.left(), r.bottom() + 2, w, h), Qt::AlignLeft | Qt::AlignTop);
    label(1, QRectF(r.center().x(), r.bottom() + 2, w, h), Qt::AlignRight | Qt::AlignTop);
    label(2, QRectF(r.left(), r.top() - h - 2, w, h), Qt::AlignLeft | Qt::AlignBottom);
    label(3, QRectF(r.center().x(), r.top() - h - 2, w, h), Qt::AlignRight | Qt::AlignBottom);

    const QPointF c = pixelAt(x_, y_);
    p.setPen(QPen(QColor(20, 20, 20), 2.0));
    p.setBrush(palette().color(QPalette::Highlight));
    p.drawEllipse(c, 8.0, 8.0);
}

void XYPad::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton) return;
    dragging_ = true;
    const QPointF pos = positionAt(event->position());
    setPosition(pos.x(), pos.y());
}

void XYPad::mouseMoveEvent(QMouseEvent* event)
{
    if (!dragging_) return;
    const QPointF pos = positionAt(event->position());
    setPosition(pos.x(), pos.y());
}

void XYPad::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || !dragging_) return;
    dragging_ = false;
    emit released(x_, y_);
}

void XYPad::keyPressEvent(QKeyEvent* event)
{
    constexpr double kStep = 0.05;
    switch (event->key()) {
    case Qt::Key_Left: setPosition(x_ - kStep, y_); break;
    case Qt::Key_Right: setPosition(x_ + kStep, y_); break;
    case Qt::Key_Up: setPosition(x_, y_ + kStep); break;
    case Qt::Key_Down: setPosition(x_, y_ - kStep); break;
    default: QWidget::keyPressEvent(event); return;
    }
    emit released(x_, y_);
}

} // namespace morph::ui
