#include "TrainingPanel.h"

#include "TrainingRunner.h"
#include "model/CheckpointInfo.h"
#include "model/ModelConfig.h"
#include "model/TorchRuntime.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QVBoxLayout>

#include <cmath>
#include <algorithm>

namespace morph::ui {

namespace {

const QString kKey = QStringLiteral("training/");

QString duration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("–");
    const qint64 s = qint64(std::lround(seconds));
    if (s >= 3600) return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

std::vector<int> parseChannels(const QString& text)
{
    std::vector<int> out;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const int v = part.trimmed().toInt(&ok);
        if (ok && v > 0) out.push_back(v);
    }
    return out;
}

/// Ticks at 1, 2 and 5 times the powers of ten: readable on a log axis that spans less than a
/// decade (loss curves usually do), where QCPAxisTickerLog would label a single power of ten.
class OneTwoFiveTicker : public QCPAxisTicker {
protected:
    QVector<double> createTickVector(double, const QCPRange& range) override
    {
        QVector<double> ticks;
        if (range.lower <= 0) return ticks;
        for (int e = int(std::floor(std::log10(range.lower))); e <= int(std::ceil(std::log10(range.upper))); ++e)
            for (double m : {1.0, 2.0, 5.0}) {
                const double v = m * std::pow(10.0, e);
                if (v >= range.lower && v <= range.upper) ticks.push_back(v);
            }
        return ticks;
    }
    QVector<double> createSubTickVector(int, const QVector<double>&) override { return {}; }
    QString getTickLabel(double tick, const QLocale& locale, QChar, int) override
    {
        return locale.toString(tick, 'g', 3);
    }
};

} // namespace

TrainingPanel::TrainingPanel(TrainingRunner* runner, QWidget* parent) : QWidget(parent), runner_(runner)
{
    auto* layout = new QHBoxLayout(this);

    // ---- left: the settings ------------------------------------------------------------
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);

    auto* data = new QGroupBox(tr("Data"));
    auto* dataForm = new QFormLayout(data);
    dataset_ = new QLineEdit;
    dataset_->setObjectName(QStringLiteral("trainDataset"));
    dataset_->setPlaceholderText(tr("NSynth dataset folder"));
    auto* browseData = new QPushButton(tr("…"));
    browseData->setToolTip(tr("Choose the dataset folder"));
    browseData->setMaximumWidth(32);
    connect(browseData, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Dataset to train on"), dataset_->text());
        if (!dir.isEmpty()) dataset_->setText(dir);
    });
    auto* dataRow = new QHBoxLayout;
    dataRow->addWidget(dataset_, 1);
    dataRow->addWidget(browseData);
    dataForm->addRow(tr("Dataset"), dataRow);
    const QStringList splits = {QStringLiteral("train"), QStringLiteral("valid"), QStringLiteral("test"),
                                QStringLiteral("unknown")};
    trainSplit_ = new QComboBox;
    trainSplit_->addItems(splits);
    trainSplit_->setToolTip(tr("The split whose notes the model learns from"));
    validSplit_ = new QComboBox;
    validSplit_->addItems(splits);
    validSplit_->setCurrentIndex(1);
    validSplit_->setToolTip(tr("Validation notes; if the dataset has none, instruments of the training split are "
                               "held out instead"));
    auto* splitRow = new QHBoxLayout;
    splitRow->addWidget(trainSplit_);
    splitRow->addWidget(new QLabel(tr("validate on")));
    splitRow->addWidget(validSplit_);
    dataForm->addRow(tr("Train on"), splitRow);
    maxNotes_ = new QSpinBox;
    maxNotes_->setRange(0, 1000000);
    maxNotes_->setSpecialValueText(tr("all notes"));
    maxNotes_->setToolTip(tr("At most this many notes per set, spread evenly (0 = all): for quick runs"));
    dataForm->addRow(tr("Notes per set"), maxNotes_);
    leftLayout->addWidget(data);

    auto* model = new QGroupBox(tr("Model"));
    auto* modelForm = new QFormLayout(model);
    arch_ = new QComboBox;
    arch_->setObjectName(QStringLiteral("trainArchitecture"));
    for (Architecture a : {Architecture::Single, Architecture::Double, Architecture::Triple, Architecture::Frame1d})
        arch_->addItem(QString::fromUtf8(architectureName(a)));
    arch_->setToolTip(tr("single/double/triple: 2D slice autoencoders with 1/2/3 strided layers; frame1d: 1D "
                         "frame autoencoder (METHOD §3)"));
    mel_ = new QCheckBox(tr("Mel (128 bands)"));
    mel_->setToolTip(tr("Train on mel magnitudes instead of the 513 linear STFT bins"));
    auto* archRow = new QHBoxLayout;
    archRow->addWidget(arch_, 1);
    archRow->addWidget(mel_);
    modelForm->addRow(tr("Architecture"), archRow);
    channels_ = new QLineEdit;
    channels_->setObjectName(QStringLiteral("trainChannels"));
    channels_->setPlaceholderText(tr("default widths"));
    channels_->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("^\\s*(\\d+\\s*,\\s*)*\\d*\\s*$")), channels_));
    channels_->setToolTip(tr("Encoder channel widths, one per layer, e.g. 16,32,32,32 (empty = the "
                             "architecture's defaults)"));
    positionBias_ = new QCheckBox(tr("Position biases"));
    positionBias_->setObjectName(QStringLiteral("trainPositionBias"));
    positionBias_->setToolTip(tr("A learned bias per layer output position (frequency x time) besides the per-channel "
                                 "one, so the network can treat low and high frequencies differently; free at "
                                 "inference. 2D models only. A plain checkpoint in \"Start from\" continues with "
                                 "them unchanged"));
    auto* channelsRow = new QHBoxLayout;
    channelsRow->addWidget(channels_, 1);
    channelsRow->addWidget(positionBias_);
    modelForm->addRow(tr("Channels"), channelsRow);
    connect(arch_, &QComboBox::currentTextChanged, this, &TrainingPanel::updateButtons);
    initFrom_ = new QLineEdit;
    initFrom_->setObjectName(QStringLiteral("trainInitFrom"));
    initFrom_->setPlaceholderText(tr("random initialisation"));
    initFrom_->setToolTip(tr("Start a new run from a trained checkpoint of the same architecture: with the same "
                             "channels it fine-tunes (e.g. the shipped model on your own notes), with wider "
                             "channels it widens the model without changing what it computes"));
    auto* browseInit = new QPushButton(tr("…"));
    browseInit->setMaximumWidth(32);
    browseInit->setToolTip(tr("Choose the checkpoint to start from"));
    connect(browseInit, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Start from checkpoint"), initFrom_->text(),
                                                          tr("Checkpoints (*.pt);;All files (*)"));
        if (!file.isEmpty()) initFrom_->setText(file);
    });
    auto* initRow = new QHBoxLayout;
    initRow->addWidget(initFrom_, 1);
    initRow->addWidget(browseInit);
    modelForm->addRow(tr("Start from"), initRow);
    leftLayout->addWidget(model);

    auto* optim = new QGroupBox(tr("Training"));
    auto* optimForm = new QFormLayout(optim);
    epochs_ = new QSpinBox;
    epochs_->setRange(1, 10000);
    epochs_->setValue(30);
    epochs_->setToolTip(tr("Upper bound; early stopping usually ends the run first"));
    optimForm->addRow(tr("Epochs"), epochs_);
    lr_ = new QDoubleSpinBox;
    lr_->setDecimals(6);
    lr_->setRange(1e-6, 1.0);
    lr_->setSingleStep(1e-4);
    lr_->setValue(1e-3);
    lr_->setToolTip(tr("Adam learning rate (reduced on plateau)"));
    optimForm->addRow(tr("Learning rate"), lr_);
    batch_ = new QSpinBox;
    batch_->setRange(1, 4096);
    batch_->setValue(32);
    optimForm->addRow(tr("Batch"), batch_);
    slices_ = new QSpinBox;
    slices_->setRange(0, 100000000);
    slices_->setSingleStep(1000);
    slices_->setSpecialValueText(tr("all slices"));
    slices_->setToolTip(tr("Slices per epoch (a fresh random subset each epoch; 0 = all)"));
    optimForm->addRow(tr("Slices/epoch"), slices_);
    device_ = new QComboBox;
    device_->setObjectName(QStringLiteral("trainDevice"));
    device_->addItem(tr("CPU"), QStringLiteral("cpu"));
    if (cudaAvailable())
        device_->addItem(tr("CUDA: %1").arg(QString::fromStdString(describeBestDevice())), QStringLiteral("cuda"));
    device_->setToolTip(tr("Where the network trains (CUDA appears when LibTorch sees a GPU)"));
    optimForm->addRow(tr("Device"), device_);
    runDir_ = new QLineEdit;
    runDir_->setObjectName(QStringLiteral("trainRunFolder"));
    runDir_->setPlaceholderText(tr("new folder under %1").arg(QDir::toNativeSeparators(defaultRunFolder())));
    runDir_->setToolTip(tr("Run folder: config.json, train.log, metrics.jsonl, last.pt, best.pt, checkpoints/"));
    auto* browseRun = new QPushButton(tr("…"));
    browseRun->setMaximumWidth(32);
    browseRun->setToolTip(tr("Choose a run folder (an existing one can be resumed)"));
    connect(browseRun, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Run folder"),
                                                              runDir_->text().isEmpty() ? defaultRunFolder() : runDir_->text());
        if (!dir.isEmpty()) setRunFolder(dir);
    });
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(runDir_, 1);
    runRow->addWidget(browseRun);
    optimForm->addRow(tr("Run folder"), runRow);
    leftLayout->addWidget(optim);

    auto* buttons = new QHBoxLayout;
    start_ = new QPushButton(tr("Start"));
    start_->setObjectName(QStringLiteral("trainStart"));
    start_->setToolTip(tr("Prepare the features and train a new model in the run folder"));
    stop_ = new QPushButton(tr("Stop"));
    stop_->setToolTip(tr("Stop after the current batch; last.pt keeps the state for Resume"));
    resume_ = new QPushButton(tr("Resume"));
    resume_->setToolTip(tr("Continue the run folder exactly where it stopped"));
    buttons->addWidget(start_);
    buttons->addWidget(stop_);
    buttons->addWidget(resume_);
    leftLayout->addLayout(buttons);
    leftLayout->addStretch(1);
    left->setMaximumWidth(440);
    layout->addWidget(left);

    // ---- right: progress, curves, checkpoints, log ----------------------------------------
    auto* right = new QSplitter(Qt::Vertical);
    auto* top = new QWidget;
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    stage_ = new QLabel(tr("Not training."));
    stage_->setObjectName(QStringLiteral("trainStage"));
    stage_->setWordWrap(true);
    epochBar_ = new QProgressBar;
    epochBar_->setRange(0, 1000);
    epochBar_->setValue(0);
    epochBar_->setFormat(tr("epoch"));
    progress_ = new QLabel;
    progress_->setObjectName(QStringLiteral("trainProgress"));
    topLayout->addWidget(stage_);
    topLayout->addWidget(epochBar_);
    topLayout->addWidget(progress_);
    plot_ = new QCustomPlot;
    plot_->setObjectName(QStringLiteral("lossPlot"));
    plot_->setMinimumHeight(220);
    topLayout->addWidget(plot_, 1);
    right->addWidget(top);

    auto* bottom = new QSplitter(Qt::Horizontal);
    auto* ckptBox = new QWidget;
    auto* ckptLayout = new QVBoxLayout(ckptBox);
    ckptLayout->setContentsMargins(0, 0, 0, 0);
    ckptLayout->addWidget(new QLabel(tr("<b>Checkpoints</b> in the run folder")));
    checkpoints_ = new QListWidget;
    checkpoints_->setObjectName(QStringLiteral("checkpointList"));
    ckptLayout->addWidget(checkpoints_, 1);
    use_ = new QPushButton(tr("Use This Model"));
    use_->setObjectName(QStringLiteral("useModel"));
    use_->setToolTip(tr("Load the selected checkpoint (best.pt by default) into the workstation"));
    ckptLayout->addWidget(use_);
    log_ = new QPlainTextEdit;
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(2000);
    log_->setPlaceholderText(tr("Training log"));
    bottom->addWidget(ckptBox);
    bottom->addWidget(log_);
    bottom->setStretchFactor(0, 1);
    bottom->setStretchFactor(1, 1);
    bottom->setSizes({450, 550});
    right->addWidget(bottom);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 1);
    layout->addWidget(right, 1);

    resetPlot();
    loadFields();

    connect(start_, &QPushButton::clicked, this, &TrainingPanel::startRun);
    connect(stop_, &QPushButton::clicked, this, &TrainingPanel::stopRun);
    connect(resume_, &QPushButton::clicked, this, &TrainingPanel::resumeRun);
    connect(use_, &QPushButton::clicked, this, &TrainingPanel::useSelected);
    connect(checkpoints_, &QListWidget::itemDoubleClicked, this, &TrainingPanel::useSelected);
    connect(runDir_, &QLineEdit::editingFinished, this, [this] { refreshCheckpoints(); updateButtons(); });
    connect(runner_, &TrainingRunner::stageChanged, this, [this](const QString& text) { stage_->setText(text); });
    connect(runner_, &TrainingRunner::trainingStarted, this, &TrainingPanel::onStarted);
    connect(runner_, &TrainingRunner::progress, this, &TrainingPanel::onProgress);
    connect(runner_, &TrainingRunner::epochFinished, this, &TrainingPanel::onEpoch);
    connect(runner_, &TrainingRunner::logLine, this, &TrainingPanel::appendLog);
    connect(runner_, &TrainingRunner::finished, this, &TrainingPanel::onFinished);
    updateButtons();
}

TrainingPanel::~TrainingPanel() = default;

QString TrainingPanel::defaultRunFolder() const
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("runs"));
}

void TrainingPanel::resetPlot()
{
    plot_->clearGraphs();
    plot_->legend->setVisible(true);
    plot_->legend->setFont(font());
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    plot_->xAxis->setLabel(tr("epoch"));
    plot_->yAxis->setLabel(tr("loss (MSE, dB²)"));
    plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new OneTwoFiveTicker));
    plot_->yAxis2->setVisible(true);
    plot_->yAxis2->setLabel(tr("learning rate"));
    plot_->yAxis2->setScaleType(QCPAxis::stLogarithmic);
    plot_->yAxis2->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    plot_->yAxis2->setNumberFormat(QStringLiteral("eb"));
    plot_->yAxis2->setNumberPrecision(0);
    auto* running = plot_->addGraph();
    running->setName(tr("training (running)"));
    running->setPen(QPen(QColor(120, 170, 220), 1.0));
    auto* train = plot_->addGraph();
    train->setName(tr("training"));
    train->setPen(QPen(QColor(31, 119, 180), 2.0));
    train->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    auto* valid = plot_->addGraph();
    valid->setName(tr("validation"));
    valid->setPen(QPen(QColor(255, 127, 14), 2.0));
    valid->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    auto* lr = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
    lr->setName(tr("learning rate"));
    lr->setPen(QPen(QColor(120, 120, 120), 1.0, Qt::DashLine));
    lr->setLineStyle(QCPGraph::lsStepLeft);
    plot_->xAxis->setRange(0, 1);
    plot_->yAxis->setRange(1, 1000);
    plot_->yAxis2->setRange(1e-5, 1e-2);
    runningBase_ = 0;
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

int TrainingPanel::runningPoints() const { return plot_->graph(0)->dataCount(); }
int TrainingPanel::epochPoints() const { return plot_->graph(1)->dataCount(); }
int TrainingPanel::validPoints() const { return plot_->graph(2)->dataCount(); }
QString TrainingPanel::progressText() const { return progress_->text(); }
QString TrainingPanel::stageText() const { return stage_->text(); }

void TrainingPanel::setOpenDataset(std::shared_ptr<const NSynthDataset> dataset, const QString& path)
{
    openDataset_ = std::move(dataset);
    openPath_ = path;
    if (dataset_->text().isEmpty()) dataset_->setText(path);
    // A dataset without a "train" split (e.g. NSynth's test set alone): train on what it has.
    if (openDataset_ && QDir(dataset_->text()) == QDir(path)) {
        const auto present = openDataset_->splits();
        const auto wanted = parseSplit(trainSplit_->currentText().toStdString());
        if (!present.empty() && (!wanted || std::find(present.begin(), present.end(), *wanted) == present.end()))
            trainSplit_->setCurrentText(QString::fromUtf8(splitName(present.front())));
    }
    updateButtons();
}

void TrainingPanel::setDatasetPath(const QString& path) { dataset_->setText(path); }
void TrainingPanel::setRunFolder(const QString& path)
{
    runDir_->setText(path);
    refreshCheckpoints();
    updateButtons();
}
QString TrainingPanel::runFolder() const { return runDir_->text(); }
void TrainingPanel::setArchitecture(const QString& name) { arch_->setCurrentText(name); }
void TrainingPanel::setChannels(const QString& text) { channels_->setText(text); }
void TrainingPanel::setPositionBias(bool on) { positionBias_->setChecked(on); }
bool TrainingPanel::positionBiasAvailable() const { return positionBias_->isEnabled(); }
void TrainingPanel::setInitialCheckpoint(const QString& path) { initFrom_->setText(path); }
void TrainingPanel::setEpochs(int epochs) { epochs_->setValue(epochs); }
void TrainingPanel::setBatchSize(int batch) { batch_->setValue(batch); }
void TrainingPanel::setLearningRate(double lr) { lr_->setValue(lr); }
void TrainingPanel::setMaxNotes(int notes) { maxNotes_->setValue(notes); }
void TrainingPanel::setSlicesPerEpoch(int slices) { slices_->setValue(slices); }
void TrainingPanel::setTrainSplit(const QString& split) { trainSplit_->setCurrentText(split); }

TrainRequest TrainingPanel::request(bool resume) const
{
    TrainRequest r;
    r.datasetPath = dataset_->text();
    if (openDataset_ && !openPath_.isEmpty() && QDir(openPath_) == QDir(r.datasetPath)) r.dataset = openDataset_;
    r.selection.trainSplit = trainSplit_->currentText().toStdString();
    r.selection.validSplit = validSplit_->currentText().toStdString();
    r.selection.maxNotes = std::size_t(maxNotes_->value());
    TrainConfig& c = r.config;
    c.model.arch = parseArchitecture(arch_->currentText().toStdString());
    c.model.mel = mel_->isChecked();
    c.model.channels = parseChannels(channels_->text());
    c.model.positionBias = positionBias_->isEnabled() && positionBias_->isChecked();
    c.initFrom = std::filesystem::path(initFrom_->text().trimmed().toStdString());
    c.epochs = epochs_->value();
    c.learningRate = lr_->value();
    c.batchSize = batch_->value();
    c.maxSlicesPerEpoch = std::uint64_t(slices_->value());
    c.device = device_->currentData().toString().toStdString();
    c.runDir = std::filesystem::path(runDir_->text().toStdString());
    r.resume = resume;
    return r;
}

void TrainingPanel::startRun()
{
    if (runner_->running()) return;
    if (runDir_->text().trimmed().isEmpty()) {
        const QString name = QStringLiteral("%1%2-%3")
                                 .arg(arch_->currentText(), mel_->isChecked() ? QStringLiteral("-mel") : QString(),
                                      QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
        runDir_->setText(QDir(defaultRunFolder()).filePath(name));
    }
    TrainRequest r;
    try {
        r = request(false);
        r.config.model.validate();
    } catch (const std::exception& e) {
        stage_->setText(tr("Cannot start: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    saveFields();
    resetPlot();
    log_->clear();
    epochBar_->setValue(0);
    progress_->clear();
    if (runner_->start(std::move(r))) stage_->setText(tr("Starting…"));
    updateButtons();
}

void TrainingPanel::resumeRun()
{
    if (runner_->running() || runDir_->text().isEmpty()) return;
    TrainRequest r = request(true);
    saveFields();
    resetPlot();
    // Earlier epochs of the run, so the curves continue where they stopped.
    QFile metrics(QDir(runDir_->text()).filePath(QStringLiteral("metrics.jsonl")));
    if (metrics.open(QIODevice::ReadOnly)) {
        for (const QByteArray& line : metrics.readAll().split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.isEmpty()) continue;
            EpochRecord e;
            e.epoch = o.value(QStringLiteral("epoch")).toInt();
            e.trainLoss = o.value(QStringLiteral("train_loss")).toDouble();
            e.validLoss = o.value(QStringLiteral("valid_loss")).toDouble();
            e.learningRate = o.value(QStringLiteral("lr")).toDouble();
            onEpoch(e);
        }
    }
    if (runner_->start(std::move(r))) stage_->setText(tr("Resuming…"));
    updateButtons();
}

void TrainingPanel::stopRun() { runner_->stop(); updateButtons(); }

void TrainingPanel::onStarted(const QString& device, qulonglong trainSlices, qulonglong validSlices)
{
    stage_->setText(tr("Training on %1: %2 training slices per epoch, %3 validation slices")
                        .arg(device)
                        .arg(trainSlices)
                        .arg(validSlices));
    refreshCheckpoints();
}

void TrainingPanel::onProgress(const TrainProgress& p)
{
    const double within = p.batches ? double(p.batch) / double(p.batches) : 0.0;
    epochBar_->setValue(int(within * 1000));
    epochBar_->setFormat(tr("epoch %1 / %2 — %3 %4%").arg(p.epoch).arg(p.epochs)
                             .arg(p.phase == TrainPhase::Train ? tr("training") : tr("validation"))
                             .arg(int(within * 100)));
    progress_->setText(tr("loss %1 dB² · lr %2 · %3 slices/s · ETA %4 (this epoch)")
                           .arg(p.loss, 0, 'f', 3)
                           .arg(p.learningRate, 0, 'g', 3)
                           .arg(p.slicesPerSecond, 0, 'f', 0)
                           .arg(duration(p.etaSeconds)));
    if (p.phase == TrainPhase::Train && p.loss > 0 && std::isfinite(p.loss)) {
        plot_->graph(0)->addData(p.epoch - 1 + within, p.loss);
        plot_->xAxis->setRange(0, std::max<double>(plot_->xAxis->range().upper, p.epoch));
        bool found = false;
        const QCPRange yr = plot_->graph(0)->getValueRange(found);
        if (found) {
            QCPRange all = yr;
            for (int g = 1; g <= 2; ++g) {
                bool f2 = false;
                const QCPRange r = plot_->graph(g)->getValueRange(f2);
                if (f2) all.expand(r);
            }
            plot_->yAxis->setRange(all.lower * 0.8, all.upper * 1.25);
        }
        plot_->replot(QCustomPlot::rpQueuedReplot);
    }
}

void TrainingPanel::onEpoch(const EpochRecord& r)
{
    if (r.trainLoss > 0) plot_->graph(1)->addData(r.epoch, r.trainLoss);
    if (r.validLoss > 0) plot_->graph(2)->addData(r.epoch, r.validLoss);
    if (r.learningRate > 0) plot_->graph(3)->addData(r.epoch, r.learningRate);
    plot_->rescaleAxes();
    plot_->xAxis->setRange(0, std::max(1, r.epoch) + 0.5);
    const QCPRange y = plot_->yAxis->range();
    if (y.lower > 0) plot_->yAxis->setRange(y.lower * 0.8, y.upper * 1.25);
    const QCPRange y2 = plot_->yAxis2->range();
    if (y2.lower > 0) plot_->yAxis2->setRange(y2.lower / 3, y2.upper * 3);
    plot_->replot(QCustomPlot::rpQueuedReplot);
    refreshCheckpoints();
}

void TrainingPanel::onFinished(bool ok, bool cancelled, const QString& message)
{
    stage_->setText(cancelled ? tr("Stopped: %1. Resume continues from last.pt.").arg(message)
                    : ok     ? tr("Finished: %1").arg(message)
                             : tr("Training failed: %1").arg(message));
    appendLog(stage_->text());
    refreshCheckpoints();
    updateButtons();
}

void TrainingPanel::appendLog(const QString& line) { log_->appendPlainText(line); }

QStringList TrainingPanel::checkpoints() const
{
    QStringList out;
    for (int i = 0; i < checkpoints_->count(); ++i) out << checkpoints_->item(i)->data(Qt::UserRole).toString();
    return out;
}

void TrainingPanel::refreshCheckpoints()
{
    const QString selected = checkpoints_->currentItem() ? checkpoints_->currentItem()->data(Qt::UserRole).toString()
                                                         : QString();
    checkpoints_->clear();
    const QDir run(runDir_->text());
    if (runDir_->text().isEmpty() || !run.exists()) {
        updateButtons();
        return;
    }
    QStringList files;
    for (const QString& name : {QStringLiteral("best.pt"), QStringLiteral("last.pt")})
        if (run.exists(name)) files << run.filePath(name);
    const QDir sub(run.filePath(QStringLiteral("checkpoints")));
    const QStringList epochs = sub.entryList({QStringLiteral("*.pt")}, QDir::Files, QDir::Name | QDir::Reversed);
    for (const QString& name : epochs) files << sub.filePath(name);
    for (const QString& f : files) {
        auto* item = new QListWidgetItem(QDir(runDir_->text()).relativeFilePath(f));
        item->setData(Qt::UserRole, f);
        try { // header + metadata only: a few kB
            const CheckpointInfo info = readCheckpointInfo(std::filesystem::path(f.toStdString()));
            item->setToolTip(QString::fromStdString(info.describe()));
            if (info.validLoss)
                item->setText(tr("%1 — epoch %2, validation %3 dB²").arg(item->text()).arg(info.epoch).arg(*info.validLoss, 0, 'f', 3));
        } catch (const std::exception& e) { // e.g. being written: show it, say why it is unusable
            item->setToolTip(QString::fromStdString(e.what()));
        }
        checkpoints_->addItem(item);
        if (f == selected) checkpoints_->setCurrentItem(item);
    }
    if (!checkpoints_->currentItem() && checkpoints_->count() > 0) checkpoints_->setCurrentRow(0);
    updateButtons();
}

void TrainingPanel::useSelected()
{
    if (auto* item = checkpoints_->currentItem()) emit useModelRequested(item->data(Qt::UserRole).toString());
}

void TrainingPanel::updateButtons()
{
    const bool running = runner_->running();
    start_->setEnabled(!running);
    stop_->setEnabled(running && !runner_->stopping());
    resume_->setEnabled(!running && !runDir_->text().isEmpty() &&
                        QFileInfo::exists(QDir(runDir_->text()).filePath(QStringLiteral("last.pt"))));
    use_->setEnabled(checkpoints_->count() > 0);
    for (QWidget* w : std::initializer_list<QWidget*>{dataset_, trainSplit_, validSplit_, maxNotes_, arch_, mel_, channels_,
                                                      initFrom_, epochs_, lr_, batch_, slices_, device_, runDir_})
        w->setEnabled(!running);
    // Position biases exist for the 2D slice models only (ModelConfig::validate).
    positionBias_->setEnabled(!running && arch_->currentText() != QString::fromUtf8(architectureName(Architecture::Frame1d)));
}

void TrainingPanel::saveFields() const
{
    QSettings s;
    s.setValue(kKey + QStringLiteral("dataset"), dataset_->text());
    s.setValue(kKey + QStringLiteral("trainSplit"), trainSplit_->currentText());
    s.setValue(kKey + QStringLiteral("validSplit"), validSplit_->currentText());
    s.setValue(kKey + QStringLiteral("maxNotes"), maxNotes_->value());
    s.setValue(kKey + QStringLiteral("arch"), arch_->currentText());
    s.setValue(kKey + QStringLiteral("mel"), mel_->isChecked());
    s.setValue(kKey + QStringLiteral("channels"), channels_->text());
    s.setValue(kKey + QStringLiteral("positionBias"), positionBias_->isChecked());
    s.setValue(kKey + QStringLiteral("initFrom"), initFrom_->text());
    s.setValue(kKey + QStringLiteral("epochs"), epochs_->value());
    s.setValue(kKey + QStringLiteral("lr"), lr_->value());
    s.setValue(kKey + QStringLiteral("batch"), batch_->value());
    s.setValue(kKey + QStringLiteral("slices"), slices_->value());
    s.setValue(kKey + QStringLiteral("runDir"), runDir_->text());
}

void TrainingPanel::loadFields()
{
    QSettings s;
    dataset_->setText(s.value(kKey + QStringLiteral("dataset")).toString());
    trainSplit_->setCurrentText(s.value(kKey + QStringLiteral("trainSplit"), QStringLiteral("train")).toString());
    validSplit_->setCurrentText(s.value(kKey + QStringLiteral("validSplit"), QStringLiteral("valid")).toString());
    maxNotes_->setValue(s.value(kKey + QStringLiteral("maxNotes"), 0).toInt());
    arch_->setCurrentText(s.value(kKey + QStringLiteral("arch"), QStringLiteral("single")).toString());
    mel_->setChecked(s.value(kKey + QStringLiteral("mel"), false).toBool());
    channels_->setText(s.value(kKey + QStringLiteral("channels")).toString());
    positionBias_->setChecked(s.value(kKey + QStringLiteral("positionBias"), false).toBool());
    initFrom_->setText(s.value(kKey + QStringLiteral("initFrom")).toString());
    epochs_->setValue(s.value(kKey + QStringLiteral("epochs"), 30).toInt());
    lr_->setValue(s.value(kKey + QStringLiteral("lr"), 1e-3).toDouble());
    batch_->setValue(s.value(kKey + QStringLiteral("batch"), 32).toInt());
    slices_->setValue(s.value(kKey + QStringLiteral("slices"), 0).toInt());
    runDir_->setText(s.value(kKey + QStringLiteral("runDir")).toString());
    refreshCheckpoints();
}

} // namespace morph::ui
