#pragma once
// "Background work" dock: one row per running job (title, progress bar, status, Cancel).
// Thread contract: GUI thread only.
#include <QDockWidget>

#include <map>

class QLabel;
class QProgressBar;
class QPushButton;
class QVBoxLayout;

namespace morph::ui {

class BackgroundJobs;

class BackgroundWorkDock : public QDockWidget {
    Q_OBJECT
public:
    explicit BackgroundWorkDock(BackgroundJobs* jobs, QWidget* parent = nullptr);
    int rowCount() const { return static_cast<int>(rows_.size()); }

private:
    struct Row {
        QWidget* widget = nullptr;
        QLabel* title = nullptr;
        QProgressBar* bar = nullptr;
        QLabel* status = nullptr;
        QPushButton* cancel = nullptr;
    };
    void addRow(int id);
    void updateRow(int id);
    void removeRow(int id);
    void updateEmptyLabel();

    BackgroundJobs* jobs_;
    QVBoxLayout* layout_ = nullptr;
    QLabel* empty_ = nullptr;
    std::map<int, Row> rows_;
};

} // namespace morph::ui
