#pragma once
#include <QMainWindow>

namespace morph::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
};

} // namespace morph::ui
