#pragma once
// Filters of the dataset browser: pitch range, velocity, source, required qualities and a
// search box over note names. Emits filterChanged() (the search box after a short pause).
// Thread contract: GUI thread only.
#include "DatasetOutline.h"

#include <QTimer>
#include <QWidget>

class QComboBox;
class QLineEdit;
class QSpinBox;
class QToolButton;

namespace morph::ui {

class NoteFilterBar : public QWidget {
    Q_OBJECT
public:
    explicit NoteFilterBar(QWidget* parent = nullptr);

    /// Offers the velocities and pitch range present in the dataset; resets the filters.
    void setOutline(const DatasetOutline& outline);
    /// Writes the filter fields (pitch, velocity, source, qualities, name) into `query`.
    void applyTo(NoteQuery& query) const;
    void reset();

    QLineEdit* searchBox() const { return search_; }
    QSpinBox* pitchMinBox() const { return pitchMin_; }
    QSpinBox* pitchMaxBox() const { return pitchMax_; }
    QComboBox* velocityBox() const { return velocity_; }
    QComboBox* sourceBox() const { return source_; }
    void setQualityRequired(int quality, bool required);

signals:
    void filterChanged();

private:
    void updateQualityButton();

    QSpinBox* pitchMin_ = nullptr;
    QSpinBox* pitchMax_ = nullptr;
    QComboBox* velocity_ = nullptr;
    QComboBox* source_ = nullptr;
    QToolButton* qualities_ = nullptr;
    QList<QAction*> qualityActions_;
    QLineEdit* search_ = nullptr;
    QTimer searchDelay_;
};

} // namespace morph::ui
