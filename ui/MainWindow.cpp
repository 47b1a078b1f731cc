#include "MainWindow.h"

#include "AudioController.h"
#include "BackgroundJobs.h"
#include "BackgroundWorkDock.h"
#include "CorrelationPanel.h"
#include "CorrelationService.h"
#include "DatasetBrowser.h"
#include "ModelPanel.h"
#include "ModelService.h"
#include "MorphController.h"
#include "MorphPanel.h"
#include "MorphSlots.h"
#include "NoteAnalysisService.h"
#include "NoteTableModel.h"
#include "NoteViewer.h"
#include "PreferencesDialog.h"
#include "StyleTransferPanel.h"
#include "StyleTransferService.h"
#include "TrainingPanel.h"
#include "TrainingRunner.h"
#include "model/ModelRunner.h"

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
#include <QTabWidget>
#include <QToolBar>

namespace morph::ui {

namespace {
constexpr int kRecentMax = 6;
const QString kRecentKey = QStringLiteral("dataset/recent");
const QString kModelKey = QStringLiteral("model/checkpoint");
const QString kStateKey = QStringLiteral("window/state");
const QString kTabKey = QStringLiteral("window/tab");
} // namespace

MainWindow::MainWindow(const MainWindowOptions& options, QWidget* parent) : QMainWindow(parent), options_(options)
{
    setWindowTitle(tr("Morphstation"));
    jobs_ = new BackgroundJobs(this);
    loader_ = new DatasetLoader(jobs_, this);
    analysis_ = new NoteAnalysisService(this);
    audio_ = new AudioController(this);

    models_ = new ModelService(jobs_, this);
    correlation_ = new CorrelationService(jobs_, this);
    if (!options_.embeddingCache.isEmpty())
        correlation_->setCacheRoot(std::filesystem::path(options_.embeddingCache.toStdString()));
    morph_ = new MorphController(jobs_, this);
    training_ = new TrainingRunner(jobs_, this);
    styleService_ = new StyleTransferService(jobs_, this);

    browser_ = new DatasetBrowser;
    viewer_ = new NoteViewer;
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(browser_);
    splitter->addWidget(viewer_);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({380, 420});
    correlationPanel_ = new CorrelationPanel(correlation_);
    morphPanel_ = new MorphPanel(morph_, audio_);
    trainingPanel_ = new TrainingPanel(training_);
    modelPanel_ = new ModelPanel(models_);
    stylePanel_ = new StyleTransferPanel(styleService_, audio_);
    tabs_ = new QTabWidget;
    tabs_->setObjectName(QStringLiteral("mainTabs"));
    tabs_->setDocumentMode(true);
    tabs_->addTab(splitter, tr("&Browser"));
    tabs_->addTab(correlationPanel_, tr("&Correlation"));
    tabs_->addTab(morphPanel_, tr("M&orph"));
    tabs_->addTab(trainingPanel_, tr("&Training"));
    tabs_->addTab(modelPanel_, tr("Mo&del"));
    tabs_->addTab(stylePanel_, tr("St&yle"));
    tabs_->setTabToolTip(0, tr("Browse, filter, view and play the dataset's notes (Ctrl+1)"));
    tabs_->setTabToolTip(1, tr("Correlation of the notes' embeddings; pick the least-correlated pairs (Ctrl+2)"));
    tabs_->setTabToolTip(2, tr("Morph between notes A and B, or four notes on the XY pad (Ctrl+3)"));
    tabs_->setTabToolTip(3, tr("Train an autoencoder on a dataset (Ctrl+4)"));
    tabs_->setTabToolTip(4, tr("The model in use: architecture, pre-processing, metrics (Ctrl+5)"));
    tabs_->setTabToolTip(5, tr("Style transfer: the timbre of one note imposed on another (Ctrl+6)"));
    setCentralWidget(tabs_);

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
    modelStatus_ = new QLabel(tr("No model (File › Open Model…)"));
    modelStatus_->setObjectName(QStringLiteral("modelStatus"));
    statusBar()->addWidget(datasetStatus_, 1);
    statusBar()->addPermanentWidget(modelStatus_);
    statusBar()->addPermanentWidget(audioStatus_);

    buildMenus();

    connect(loader_, &DatasetLoader::loaded, this, &MainWindow::onDatasetLoaded);
    connect(loader_, &DatasetLoader::failed, this, &MainWindow::onDatasetFailed);
    connect(browser_, &DatasetBrowser::currentNoteChanged, this, &MainWindow::onCurrentNote);
    connect(browser_, &DatasetBrowser::playRequested, this, &MainWindow::play);
    connect(browser_, &DatasetBrowser::queryFinished, this, &MainWindow::updateCorrelationQuery);
    connect(browser_, &DatasetBrowser::assignRequested, this, [this](int slot, std::size_t index) {
        if (!loaded_) return;
        const QString name = QString::fromStdString(loaded_->dataset.note(index).noteStr);
        if (slot >= 2) { // pad corners C / D live in the morph panel
            morph_->setSlot(slot, index);
            morphPanel_->setSlotInfo(slot, name, noteDetails(index));
        } else {
            slots_->assign(slot, index, name);
        }
        statusBar()->showMessage(tr("Slot %1 = %2").arg(QChar('A' + slot)).arg(name), 3000);
    });
    connect(slots_, &MorphSlots::noteActivated, this, [this](std::size_t index) {
        browser_->selectNote(index);
        showTab(Tab::Browser);
    });
    connect(slots_, &MorphSlots::slotChanged, this, &MainWindow::onSlotChanged);
    connect(models_, &ModelService::modelChanged, this, &MainWindow::onModelChanged);
    connect(models_, &ModelService::loadStarted, this,
            [this](const QString& path) { modelStatus_->setText(tr("Loading model %1…").arg(QFileInfo(path).fileName())); });
    connect(models_, &ModelService::loadFailed, this, [this](const QString& path, const QString& message) {
        modelStatus_->setText(models_->current() ? models_->current()->summary : tr("No model"));
        statusBar()->showMessage(tr("Cannot load %1: %2").arg(QFileInfo(path).fileName(), message), 10000);
    });
    connect(modelPanel_, &ModelPanel::openRequested, this, &MainWindow::chooseModel);
    connect(correlationPanel_, &CorrelationPanel::pairChosen, this, &MainWindow::choosePair);
    connect(morphPanel_, &MorphPanel::cornerAssignRequested, this, [this](int slot) {
        const auto note = browser_->currentNote();
        if (!note || !loaded_) {
            statusBar()->showMessage(tr("Select a note in the browser first"), 4000);
            return;
        }
        morph_->setSlot(slot, note);
        morphPanel_->setSlotInfo(slot, QString::fromStdString(loaded_->dataset.note(*note).noteStr), noteDetails(*note));
    });
    connect(stylePanel_, &StyleTransferPanel::assignRequested, this, [this](int role) {
        const auto note = browser_->currentNote();
        if (!note || !loaded_) {
            statusBar()->showMessage(tr("Select a note in the browser first"), 4000);
            return;
        }
        stylePanel_->setNote(StyleTransferPanel::Role(role), *note,
                             QString::fromStdString(loaded_->dataset.note(*note).noteStr));
    });
    connect(stylePanel_, &StyleTransferPanel::statusMessage, this, [this](const QString& m) { statusBar()->showMessage(m, 6000); });
    connect(morphPanel_, &MorphPanel::statusMessage, this, [this](const QString& m) { statusBar()->showMessage(m, 6000); });
    connect(trainingPanel_, &TrainingPanel::useModelRequested, this, [this](const QString& path) {
        openModel(path);
        statusBar()->showMessage(tr("Loading %1 into the workstation…").arg(path), 5000);
    });
    connect(training_, &TrainingRunner::finished, this, [this] {
        if (closeAfterTraining_) close();
    });
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

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(kStateKey).toByteArray());
    if (options_.restoreLast) tabs_->setCurrentIndex(settings.value(kTabKey, 0).toInt());
    connect(tabs_, &QTabWidget::currentChanged, this, [](int index) { QSettings().setValue(kTabKey, index); });
    QString data = options_.dataPath;
    if (data.isEmpty() && options_.restoreLast) data = settings.value(kRecentKey).toStringList().value(0);
    if (!data.isEmpty()) openDataset(data);
    QString model = options_.modelPath;
    if (model.isEmpty() && options_.restoreLast) model = settings.value(kModelKey).toString();
    if (model.isEmpty() || !QFileInfo::exists(model)) model = ModelService::defaultModelPath();
    if (!model.isEmpty()) openModel(model);
}

MainWindow::~MainWindow()
{
    // The panels and the dock refer to the services; the services (created first) would otherwise
    // go first. Tab switches during teardown must not reach the settings either.
    tabs_->blockSignals(true);
    delete tabs_;
    delete dock_;
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Dataset…"), this, &MainWindow::chooseDataset);
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    updateRecentMenu();
    QAction* openModelAction = file->addAction(tr("Open &Model…"), this, &MainWindow::chooseModel);
    openModelAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    openModelAction->setStatusTip(tr("Choose the checkpoint the workstation encodes and morphs with"));
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

    QAction* playMorph = playback->addAction(tr("Play &Morph"), this, [this] { morphPanel_->playShown(); });
    playMorph->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));

    QMenu* view = menuBar()->addMenu(tr("&View"));
    const QStringList names = {tr("&Browser"), tr("&Correlation"), tr("&Morph"), tr("&Training"), tr("Mo&del"), tr("St&yle")};
    for (int i = 0; i < names.size(); ++i) {
        QAction* a = view->addAction(names[i], this, [this, i] { tabs_->setCurrentIndex(i); });
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
    }
    view->addSeparator();
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
    shared_ = std::make_shared<const NSynthDataset>(result.dataset); // shares the data (cheap)
    correlation_->setDataset(shared_);
    morph_->setDataset(shared_);
    styleService_->setDataset(shared_);
    correlationPanel_->setDataset(shared_);
    trainingPanel_->setOpenDataset(shared_, result.path);
    for (int s = 0; s < 4; ++s) morphPanel_->setSlotInfo(s, s < 2 ? tr("(press %1 on a note in the browser)").arg(QChar('A' + s)) : tr("(= %1)").arg(QChar('A' + s - 2)), {});
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
    updateCorrelationQuery();
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
    return !loader_->busy() && !browser_->queryRunning() && !analysing_ && !models_->busy() &&
           !correlationPanel_->busy() && !morph_->busy();
}

void MainWindow::showTab(Tab tab) { tabs_->setCurrentIndex(static_cast<int>(tab)); }
MainWindow::Tab MainWindow::currentTab() const { return static_cast<Tab>(tabs_->currentIndex()); }

void MainWindow::chooseModel()
{
    QString start = models_->path();
    if (start.isEmpty()) start = QSettings().value(kModelKey).toString();
    const QString file = QFileDialog::getOpenFileName(this, tr("Open model checkpoint"), start,
                                                      tr("Checkpoints (*.pt *.mpt);;All files (*)"));
    if (!file.isEmpty()) openModel(file);
}

void MainWindow::openModel(const QString& path) { models_->load(path); }

void MainWindow::onModelChanged()
{
    const LoadedModel* m = models_->current();
    if (!m) return;
    QSettings().setValue(kModelKey, m->path);
    modelStatus_->setText(tr("Model: %1").arg(m->summary));
    modelStatus_->setToolTip(m->description);
    correlation_->setModel(m->runner);
    morph_->setEngine(m->engine);   // re-encodes the slot notes in the background
    stylePanel_->setModelPath(m->path);
    correlationPanel_->recompute(); // re-encodes the last note set in the background
    emit modelReady(m->path);
}

QString MainWindow::noteDetails(std::size_t index) const
{
    if (!loaded_) return {};
    const NoteMeta& n = loaded_->dataset.note(index);
    return tr("%1 · %2 · pitch %3 · velocity %4")
        .arg(QString::fromUtf8(familyName(n.family)), QString::fromUtf8(sourceName(n.source)))
        .arg(n.pitch)
        .arg(n.velocity);
}

void MainWindow::onSlotChanged(int slot)
{
    const auto note = slots_->note(slot);
    morph_->setSlot(slot, note);
    morphPanel_->setSlotInfo(slot, slots_->noteName(slot), note ? noteDetails(*note) : QString());
    if (slots_->note(0) && slots_->note(1)) correlationPanel_->showPair(*slots_->note(0), *slots_->note(1));
}

void MainWindow::choosePair(std::size_t noteA, std::size_t noteB)
{
    if (!loaded_ || noteA >= loaded_->dataset.size() || noteB >= loaded_->dataset.size()) return;
    slots_->assign(0, noteA, QString::fromStdString(loaded_->dataset.note(noteA).noteStr));
    slots_->assign(1, noteB, QString::fromStdString(loaded_->dataset.note(noteB).noteStr));
    statusBar()->showMessage(tr("A = %1, B = %2: move the slider in the Morph tab (Ctrl+3)")
                                 .arg(slots_->noteName(0), slots_->noteName(1)),
                             6000);
}

void MainWindow::updateCorrelationQuery()
{
    if (!loaded_ || !shownNote_) return;
    const int pitch = loaded_->dataset.note(*shownNote_).pitch;
    NoteQuery q = browser_->currentQuery();
    q.pitchMin = q.pitchMax = pitch;
    correlationPanel_->setQuery(q, tr("pitch %1 (the selected note's), with the browser's filters").arg(pitch));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (training_->running()) {
        if (!closeAfterTraining_) {
            const bool stop = confirmClose_ ? confirmClose_()
                                            : QMessageBox::question(this, tr("Training in progress"),
                                                                    tr("A training run is in progress. Stop it (the state "
                                                                       "is saved to last.pt for Resume) and quit?"),
                                                                    QMessageBox::Yes | QMessageBox::No,
                                                                    QMessageBox::No) == QMessageBox::Yes;
            if (!stop) {
                event->ignore();
                return;
            }
            closeAfterTraining_ = true;
            training_->stop();
            statusBar()->showMessage(tr("Stopping training (within one batch), then quitting…"));
        }
        event->ignore(); // closes again when the runner reports it has finished
        return;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(kStateKey, saveState());
    audio_->stop();
    QMainWindow::closeEvent(event);
}

} // namespace morph::ui
