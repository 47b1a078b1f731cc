#include "MainWindow.h"

#include "AudioController.h"
#include "BackgroundJobs.h"
#include "BackgroundWorkDock.h"
#include "DatasetBrowser.h"
#include "MorphSlots.h"
#include "NoteAnalysisService.h"
#include "NoteViewer.h"
#include "PreferencesDialog.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>

namespace morph::ui {

namespace {
constexpr int kRecentMax = 6;
const QString kRecentKey = QStringLiteral("dataset/recent");
const QString kModelKey = QStringLiteral("model/checkpoint");
} // namespace

MainWindow::MainWindow(const MainWindowOptions& options, QWidget* parent) : QMainWindow(parent), options_(options)
{
    setWindowTitle(tr("Morphstation"));
    jobs_ = new BackgroundJobs(this);
    loader_ = new DatasetLoader(jobs_, this);
    analysis_ = new NoteAnalysisService(this);
    audio_ = new AudioController(this);

    browser_ = new DatasetBrowser;
    viewer_ = new NoteViewer;
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(browser_);
    splitter->addWidget(viewer_);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({380, 420});
    setCentralWidget(splitter);

    slots_ = new MorphSlots;
    auto* slotBar = new QToolBar(tr("Morph slots"));
    slotBar->setObjectName(QStringLiteral("MorphSlotsBar"));
    slotBar->addWidget(slots_);
    addToolBar(Qt::TopToolBarArea, slotBar);

    dock_ = new BackgroundWorkDock(jobs_, this);
    addDockWidget(Qt::BottomDockWidgetArea, dock_);
    dock_->hide();
    // The dock appears while work runs; if it appeared by itself it goes away when all is done.
    connect(jobs_, &BackgroundJobs::jobAdded, dock_, [this] {
        if (!dock_->isVisible()) {
            dock_->setProperty("autoShown", true);
            dock_->show();
        }
    });
    connect(jobs_, &BackgroundJobs::jobFinished, dock_, [this] {
        if (jobs_->count() == 0 && dock_->property("autoShown").toBool()) {
            dock_->setProperty("autoShown", false);
            dock_->hide();
        }
    });

    datasetStatus_ = new QLabel(tr("No dataset open (File › Open Dataset…)"));
    audioStatus_ = new QLabel;
    audioStatus_->setObjectName(QStringLiteral("audioStatus"));
    statusBar()->addWidget(datasetStatus_, 1);
    statusBar()->addPermanentWidget(audioStatus_);

    buildMenus();

    connect(loader_, &DatasetLoader::loaded, this, &MainWindow::onDatasetLoaded);
    connect(loader_, &DatasetLoader::failed, this, &MainWindow::onDatasetFailed);
    connect(browser_, &DatasetBrowser::currentNoteChanged, this, &MainWindow::onCurrentNote);
    connect(browser_, &DatasetBrowser::playRequested, this, &MainWindow::play);
    connect(browser_, &DatasetBrowser::assignRequested, this, [this](int slot, std::size_t index) {
        if (!loaded_) return;
        slots_->assign(slot, index, QString::fromStdString(loaded_->dataset.note(index).noteStr));
        statusBar()->showMessage(tr("Slot %1 = %2").arg(slot == 0 ? 'A' : 'B').arg(slots_->noteName(slot)), 3000);
    });
    connect(slots_, &MorphSlots::noteActivated, this, [this](std::size_t index) { browser_->selectNote(index); });
    connect(analysis_, &NoteAnalysisService::ready, this, [this](std::shared_ptr<const AnalysedNote> note) {
        if (!shownNote_ || note->index != *shownNote_) return;
        analysing_ = false;
        viewer_->setNote(note);
        if (pendingPlay_ && *pendingPlay_ == note->index) {
            pendingPlay_.reset();
            play(note->index);
        }
    });
    connect(analysis_, &NoteAnalysisService::failed, this, [this](std::size_t index, const QString& message) {
        if (!shownNote_ || index != *shownNote_) return;
        analysing_ = false;
        pendingPlay_.reset();
        viewer_->showMessage(tr("Cannot show this note: %1").arg(message));
    });
    connect(audio_, &AudioController::availabilityChanged, this, &MainWindow::updateAudioStatus);
    connect(audio_, &AudioController::positionChanged, viewer_, &NoteViewer::setPlayhead);
    connect(audio_, &AudioController::playbackFailed, this,
            [this](const QString& message) { statusBar()->showMessage(tr("Cannot play: %1").arg(message), 8000); });

    if (options_.openAudio)
        audio_->apply(AudioSettings::load());
    else
        updateAudioStatus(false, tr("Audio disabled"));

    if (!options_.modelPath.isEmpty()) QSettings().setValue(kModelKey, options_.modelPath);

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    QString data = options_.dataPath;
    if (data.isEmpty() && options_.restoreLast) data = settings.value(kRecentKey).toStringList().value(0);
    if (!data.isEmpty()) openDataset(data);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Dataset…"), this, &MainWindow::chooseDataset);
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    updateRecentMenu();
    file->addAction(tr("Dataset &Problems…"), this, &MainWindow::showProblems);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* prefs = edit->addAction(tr("&Preferences…"), this, &MainWindow::showPreferences);
    prefs->setShortcut(QKeySequence::Preferences);

    QMenu* playback = menuBar()->addMenu(tr("&Playback"));
    QAction* playAction = playback->addAction(tr("&Play Current Note"), this, [this] {
        if (auto n = browser_->currentNote()) play(*n);
    });
    playAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    QAction* stop = playback->addAction(tr("&Stop"), this, [this] { audio_->stop(); });
    stop->setShortcut(QKeySequence(Qt::Key_Escape));
    loopAction_ = playback->addAction(tr("&Loop"));
    loopAction_->setCheckable(true);
    connect(loopAction_, &QAction::toggled, this, [this](bool on) { audio_->output().setLoop(on); });

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(dock_->toggleViewAction());
}

void MainWindow::updateRecentMenu()
{
    recentMenu_->clear();
    const QStringList recent = QSettings().value(kRecentKey).toStringList();
    for (const QString& path : recent)
        recentMenu_->addAction(path, this, [this, path] { openDataset(path); });
    recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::showProblems()
{
    if (!loaded_) return;
    const auto& problems = loaded_->dataset.problems();
    QMessageBox box(this);
    box.setWindowTitle(tr("Dataset problems"));
    if (problems.empty()) {
        box.setText(tr("Every entry of %1 was usable.").arg(loaded_->path));
    } else {
        box.setText(tr("%1 entries of %2 were skipped. Details below.").arg(problems.size()).arg(loaded_->path));
        QString details;
        for (const DatasetProblem& p : problems)
            details += QStringLiteral("%1: %2: %3\n")
                           .arg(QString::fromStdString(p.file), QString::fromStdString(p.note), QString::fromStdString(p.reason));
        box.setDetailedText(details);
    }
    box.exec();
}

void MainWindow::chooseDataset()
{
    const QString start = QSettings().value(kRecentKey).toStringList().value(0);
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Open NSynth dataset (folder with examples.json, or with nsynth-train/valid/test)"), start);
    if (!dir.isEmpty()) openDataset(dir);
}

void MainWindow::openDataset(const QString& path)
{
    datasetStatus_->setText(tr("Opening %1…").arg(path));
    loader_->open(path);
}

void MainWindow::onDatasetLoaded(const LoadedDataset& result)
{
    loaded_ = result;
    analysis_->clearCache();
    slots_->clear();
    shownNote_.reset();
    pendingPlay_.reset();
    viewer_->showMessage(tr("Select a note"));
    browser_->setDataset(result.dataset, result.outline);

    QSettings settings;
    QStringList recent = settings.value(kRecentKey).toStringList();
    recent.removeAll(result.path);
    recent.prepend(result.path);
    while (recent.size() > kRecentMax) recent.removeLast();
    settings.setValue(kRecentKey, recent);
    updateRecentMenu();

    const QLocale locale;
    QString text = tr("%1: %2 notes, %3 instruments (opened in %4 s)")
                       .arg(QFileInfo(result.path).fileName())
                       .arg(locale.toString(static_cast<qulonglong>(result.dataset.size())))
                       .arg(locale.toString(static_cast<qulonglong>(result.dataset.counts().instruments)))
                       .arg(result.seconds, 0, 'f', 2);
    const std::size_t problems = result.dataset.problems().size();
    if (problems > 0) text += tr("; %1 entries skipped (see File › Dataset problems)").arg(problems);
    datasetStatus_->setText(text);
    setWindowTitle(tr("Morphstation — %1").arg(QFileInfo(result.path).fileName()));
    emit datasetOpened(result.path);
}

void MainWindow::onDatasetFailed(const QString& path, const QString& message)
{
    datasetStatus_->setText(tr("Could not open %1: %2").arg(path, message.left(200)));
    datasetStatus_->setToolTip(message);
    if (isVisible()) QMessageBox::warning(this, tr("Cannot open dataset"), message);
}

void MainWindow::onCurrentNote(std::size_t index)
{
    if (!loaded_) return;
    shownNote_ = index;
    if (auto hit = analysis_->cached(index)) {
        analysing_ = false;
        viewer_->setNote(hit);
        return;
    }
    analysing_ = true;
    viewer_->showMessage(tr("Loading %1…").arg(QString::fromStdString(loaded_->dataset.note(index).noteStr)));
    analysis_->request(loaded_->dataset, index);
}

void MainWindow::play(std::size_t index)
{
    if (!audio_->available()) {
        statusBar()->showMessage(tr("No audio device: %1").arg(audio_->statusText()), 5000);
        return;
    }
    if (audio_->isPlaying() && lastPlayed_ == index) { // Space again stops it
        audio_->stop();
        return;
    }
    if (auto note = analysis_->cached(index)) {
        audio_->play(note->audio, note->sampleRate, loopAction_->isChecked());
        lastPlayed_ = index;
        return;
    }
    pendingPlay_ = index; // analysed soon (it is the current note), then played
    if (!shownNote_ || *shownNote_ != index) onCurrentNote(index);
}

void MainWindow::updateAudioStatus(bool available, const QString& status)
{
    if (available) {
        audioStatus_->setText(tr("🔊 %1").arg(status));
        audioStatus_->setToolTip(status);
        audioStatus_->setStyleSheet({});
    } else {
        audioStatus_->setText(tr("⚠ No audio output — playback off"));
        audioStatus_->setToolTip(status);
        audioStatus_->setStyleSheet(QStringLiteral("color: #b35900;"));
    }
}

void MainWindow::showPreferences()
{
    PreferencesDialog dialog(audio_->settings(), audio_->statusText(), this);
    connect(&dialog, &PreferencesDialog::volumeChanged, audio_, &AudioController::setVolume);
    const double volumeBefore = audio_->settings().volume;
    if (dialog.exec() == QDialog::Accepted) {
        audio_->apply(dialog.settings());
    } else {
        audio_->setVolume(volumeBefore);
    }
}

bool MainWindow::isIdle() const
{
    return !loader_->busy() && !browser_->queryRunning() && !analysing_;
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings().setValue(QStringLiteral("window/geometry"), saveGeometry());
    audio_->stop();
    QMainWindow::closeEvent(event);
}

} // namespace morph::ui
