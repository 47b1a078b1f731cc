#include "MainWindow.h"

namespace morph::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle("Morphstation");
}

} // namespace morph::ui
