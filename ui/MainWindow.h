#pragma once
// The workstation window: composes the panels (dataset browser, note viewer, morph slots,
// background-work dock) and the services (dataset loader, note analysis, audio) and wires
// their signals. It holds no algorithm itself.
// Thread contract: GUI thread only.
#include "DatasetLoader.h"

#include <QMainWindow>

#include <optional>

class QAction;
class QLabel;
class QMenu;

namespace morph::ui {

class AudioController;
class BackgroundJobs;
class BackgroundWorkDock;
class DatasetBrowser;
class MorphSlots;
class NoteAnalysisService;
class NoteViewer;

struct MainWindowOptions {
    QString dataPath;        ///< dataset to open at start ("" = the remembered one)
    QString modelPath;       ///< checkpoint (remembered; used by the morph panel once it exists)
    bool openAudio = true;   ///< tests switch audio off
    bool restoreLast = true; ///< reopen the last dataset when dataPath is empty
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const MainWindowOptions& options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    void openDataset(const QString& path);
    /// True when nothing is loading or computing (used by --screenshot and tests).
    bool isIdle() const;

    DatasetBrowser* browser() const { return browser_; }
    NoteViewer* viewer() const { return viewer_; }
    AudioController* audio() const { return audio_; }
    MorphSlots* morphSlots() const { return slots_; }
    QLabel* audioStatusLabel() const { return audioStatus_; }
    const std::optional<LoadedDataset>& loadedDataset() const { return loaded_; }

signals:
    void datasetOpened(const QString& path);

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
    QMenu* recentMenu_ = nullptr;
    QAction* loopAction_ = nullptr;
    std::optional<LoadedDataset> loaded_;
    std::optional<std::size_t> shownNote_;    ///< note the viewer should show
    std::optional<std::size_t> pendingPlay_;  ///< play this note once analysed
    std::optional<std::size_t> lastPlayed_;
    bool analysing_ = false;
};

} // namespace morph::ui
