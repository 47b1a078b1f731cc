#pragma once
// The workstation window: composes the panels (tabs Browser, Correlation, Morph, Training,
// Model, Style; morph slots; background-work dock) and the services (dataset loader, note analysis,
// audio, model, correlation, morph, training) and wires their signals. It holds no algorithm.
// Thread contract: GUI thread only.
#include "DatasetLoader.h"

#include <QMainWindow>

#include <functional>
#include <memory>
#include <optional>

class QAction;
class QLabel;
class QMenu;
class QTabWidget;

namespace morph::ui {

class AudioController;
class BackgroundJobs;
class BackgroundWorkDock;
class CorrelationPanel;
class CorrelationService;
class DatasetBrowser;
class ModelPanel;
class ModelService;
class MorphController;
class MorphPanel;
class MorphSlots;
class NoteAnalysisService;
class NoteViewer;
class StyleTransferPanel;
class StyleTransferService;
class TrainingPanel;
class TrainingRunner;

struct MainWindowOptions {
    QString dataPath;        ///< dataset to open at start ("" = the remembered one)
    QString modelPath;       ///< checkpoint ("" = the remembered one, else models/default/model.pt)
    bool openAudio = true;   ///< tests switch audio off
    bool restoreLast = true; ///< reopen the last dataset / model when none is given
    QString embeddingCache;  ///< embedding disk cache folder ("" = the default under XDG_CACHE_HOME)
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const MainWindowOptions& options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    enum class Tab { Browser = 0, Correlation, Morph, Training, Model, Style };

    void openDataset(const QString& path);
    void openModel(const QString& path);
    /// True when nothing is loading or computing (used by --screenshot and tests); a training
    /// run does not count.
    bool isIdle() const;
    void showTab(Tab tab);
    Tab currentTab() const;
    /// Makes these dataset notes slots A and B (what a correlation click does).
    void choosePair(std::size_t noteA, std::size_t noteB);

    /// Asked before closing while training runs ("stop it and quit?"). Default: a message box.
    void setCloseConfirmation(std::function<bool()> confirm) { confirmClose_ = std::move(confirm); }

    DatasetBrowser* browser() const { return browser_; }
    NoteViewer* viewer() const { return viewer_; }
    AudioController* audio() const { return audio_; }
    MorphSlots* morphSlots() const { return slots_; }
    QTabWidget* tabs() const { return tabs_; }
    ModelService* modelService() const { return models_; }
    ModelPanel* modelPanel() const { return modelPanel_; }
    CorrelationService* correlationService() const { return correlation_; }
    CorrelationPanel* correlationPanel() const { return correlationPanel_; }
    MorphController* morphController() const { return morph_; }
    MorphPanel* morphPanel() const { return morphPanel_; }
    TrainingRunner* trainingRunner() const { return training_; }
    TrainingPanel* trainingPanel() const { return trainingPanel_; }
    StyleTransferService* styleService() const { return styleService_; }
    StyleTransferPanel* stylePanel() const { return stylePanel_; }
    BackgroundJobs* backgroundJobs() const { return jobs_; }
    std::shared_ptr<const NSynthDataset> sharedDataset() const { return shared_; }
    QLabel* audioStatusLabel() const { return audioStatus_; }
    const std::optional<LoadedDataset>& loadedDataset() const { return loaded_; }

signals:
    void datasetOpened(const QString& path);
    void modelReady(const QString& path);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void chooseDataset();
    void showProblems();
    void showPreferences();
    void onDatasetLoaded(const LoadedDataset& result);
    void onDatasetFailed(const QString& path, const QString& message);
    void onCurrentNote(std::size_t index);
    void play(std::size_t index);
    void updateAudioStatus(bool available, const QString& status);
    void updateRecentMenu();
    void chooseModel();
    void onModelChanged();
    void onSlotChanged(int slot);
    void updateCorrelationQuery();
    QString noteDetails(std::size_t index) const;

    MainWindowOptions options_;
    BackgroundJobs* jobs_ = nullptr;
    DatasetLoader* loader_ = nullptr;
    NoteAnalysisService* analysis_ = nullptr;
    AudioController* audio_ = nullptr;
    DatasetBrowser* browser_ = nullptr;
    NoteViewer* viewer_ = nullptr;
    MorphSlots* slots_ = nullptr;
    BackgroundWorkDock* dock_ = nullptr;
    QLabel* audioStatus_ = nullptr;
    QLabel* datasetStatus_ = nullptr;
    QLabel* modelStatus_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    ModelService* models_ = nullptr;
    ModelPanel* modelPanel_ = nullptr;
    CorrelationService* correlation_ = nullptr;
    CorrelationPanel* correlationPanel_ = nullptr;
    MorphController* morph_ = nullptr;
    MorphPanel* morphPanel_ = nullptr;
    TrainingRunner* training_ = nullptr;
    TrainingPanel* trainingPanel_ = nullptr;
    StyleTransferService* styleService_ = nullptr;
    StyleTransferPanel* stylePanel_ = nullptr;
    std::shared_ptr<const NSynthDataset> shared_;
    std::function<bool()> confirmClose_;
    bool closeAfterTraining_ = false;
    QMenu* recentMenu_ = nullptr;
    QAction* loopAction_ = nullptr;
    std::optional<LoadedDataset> loaded_;
    std::optional<std::size_t> shownNote_;    ///< note the viewer should show
    std::optional<std::size_t> pendingPlay_;  ///< play this note once analysed
    std::optional<std::size_t> lastPlayed_;
    bool analysing_ = false;
};

} // namespace morph::ui
