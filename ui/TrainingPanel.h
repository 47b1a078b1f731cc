#pragma once
// The "Training" tab: dataset and note sets, architecture (single/double/triple/frame1d, mel),
// channel widths, epochs, learning rate, batch, slices per epoch, device (CPU, or CUDA when
// LibTorch sees one), run folder; Start / Stop / Resume; live training and validation loss
// curves (log scale) with the learning rate, an epoch progress bar, slices/s and ETA; the
// checkpoints of the run folder, and "Use this model" to load one into the workstation.
// The run itself happens in TrainingRunner (its own thread); this panel only edits and shows.
// Thread contract: GUI thread only.
#include "train/Trainer.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace morph {
class NSynthDataset;
}

namespace morph::ui {

class TrainingRunner;
struct TrainRequest;

class TrainingPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrainingPanel(TrainingRunner* runner, QWidget* parent = nullptr);
    ~TrainingPanel() override;

    /// The dataset open in the workstation (used when the dataset field names it).
    void setOpenDataset(std::shared_ptr<const NSynthDataset> dataset, const QString& path);

    /// The request the fields describe now (resume = continue the run folder).
    TrainRequest request(bool resume) const;
    /// Starts / resumes / stops (the buttons).
    void startRun();
    void resumeRun();
    void stopRun();

    // Field access for tests and the command line.
    void setDatasetPath(const QString& path);
    void setRunFolder(const QString& path);
    QString runFolder() const;
    void setArchitecture(const QString& name);
    void setChannels(const QString& text);
    /// ModelConfig::positionBias; available (enabled) for the 2D architectures only.
    void setPositionBias(bool on);
    bool positionBiasAvailable() const;
    /// Checkpoint a new run starts from ("" = random initialisation); see TrainConfig::initFrom.
    void setInitialCheckpoint(const QString& path);
    void setEpochs(int epochs);
    void setBatchSize(int batch);
    void setLearningRate(double lr);
    void setMaxNotes(int notes);
    void setSlicesPerEpoch(int slices);
    void setTrainSplit(const QString& split);

    /// Loss points plotted: train and validation per epoch, running train loss.
    int epochPoints() const;
    int validPoints() const;
    int runningPoints() const;
    QStringList checkpoints() const;
    QString progressText() const;
    QString stageText() const;
    QCustomPlot* plot() const { return plot_; }
    QListWidget* checkpointList() const { return checkpoints_; }
    void refreshCheckpoints();

signals:
    void useModelRequested(const QString& checkpoint);

private:
    void onStarted(const QString& device, qulonglong trainSlices, qulonglong validSlices);
    void onProgress(const TrainProgress& p);
    void onEpoch(const EpochRecord& r);
    void onFinished(bool ok, bool cancelled, const QString& message);
    void appendLog(const QString& line);
    void updateButtons();
    void resetPlot();
    void saveFields() const;
    void loadFields();
    void useSelected();
    QString defaultRunFolder() const;

    TrainingRunner* runner_;
    std::shared_ptr<const NSynthDataset> openDataset_;
    QString openPath_;

    QLineEdit* dataset_ = nullptr;
    QComboBox* trainSplit_ = nullptr;
    QComboBox* validSplit_ = nullptr;
    QSpinBox* maxNotes_ = nullptr;
    QComboBox* arch_ = nullptr;
    QCheckBox* mel_ = nullptr;
    QLineEdit* channels_ = nullptr;
    QCheckBox* positionBias_ = nullptr;
    QLineEdit* initFrom_ = nullptr;
    QSpinBox* epochs_ = nullptr;
    QDoubleSpinBox* lr_ = nullptr;
    QSpinBox* batch_ = nullptr;
    QSpinBox* slices_ = nullptr;
    QComboBox* device_ = nullptr;
    QLineEdit* runDir_ = nullptr;
    QPushButton* start_ = nullptr;
    QPushButton* stop_ = nullptr;
    QPushButton* resume_ = nullptr;
    QLabel* stage_ = nullptr;
    QProgressBar* epochBar_ = nullptr;
    QLabel* progress_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QListWidget* checkpoints_ = nullptr;
    QPushButton* use_ = nullptr;
    QPlainTextEdit* log_ = nullptr;
    double runningBase_ = 0.0; ///< x offset of the running-loss curve (epochs done before)
};

} // namespace morph::ui
