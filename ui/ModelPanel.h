#pragma once
// The "Model" tab: which checkpoint the workstation uses, what it is (architecture,
// pre-processing, training, metrics: CheckpointInfo::describe()), a button to open another, and
// the arithmetic of the CPU fast path (ModelService::setPrecisionChoice).
// Loading runs in ModelService (never on the GUI thread); this panel only shows its state.
// Thread contract: GUI thread only.
#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace morph::ui {

class ModelService;

class ModelPanel : public QWidget {
    Q_OBJECT
public:
    explicit ModelPanel(ModelService* service, QWidget* parent = nullptr);

    QString statusText() const;
    QString descriptionText() const;

signals:
    void openRequested(); ///< "Open Model…" clicked (MainWindow shows the file dialog)

private:
    void onStarted(const QString& path);
    void onChanged();
    void onFailed(const QString& path, const QString& message);

    ModelService* service_;
    QLabel* title_ = nullptr;
    QLabel* status_ = nullptr;
    QPlainTextEdit* description_ = nullptr;
    QPushButton* open_ = nullptr;
    QComboBox* precision_ = nullptr;
};

} // namespace morph::ui
