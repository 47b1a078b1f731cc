#include "StyleTransferPanel.h"

#include "AudioController.h"
#include "SpectrogramView.h"
#include "StyleTransferService.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace morph::ui {

namespace {

enum Graph { Total = 0, ContentTerm, StyleTerm, EnergyTerm, FrequencyTerm, GraphCount };

QDoubleSpinBox* weightBox(double value, const QString& tip)
{
    auto* box = new QDoubleSpinBox;
    box->setDecimals(4);
    box->setRange(0.0, 1e6);
    box->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
    box->setValue(value);
    box->setToolTip(tip);
    return box;
}

} // namespace

StyleTransferPanel::StyleTransferPanel(StyleTransferService* service, AudioController* audio, QWidget* parent)
    : QWidget(parent), service_(service), audio_(audio)
{
    const style::StyleTransferOptions defaults;

    // Notes: content and style.
    auto* notesBox = new QGroupBox(tr("Notes"));
    auto* notesGrid = new QGridLayout(notesBox);
    const QString roleNames[2] = {tr("Content"), tr("Style")};
    const QString assignTexts[2] = {tr("Use selected as &content"), tr("Use selected as &style")};
    for (int r = 0; r < 2; ++r) {
        noteLabels_[std::size_t(r)] = new QLabel(tr("(none: select a note in the browser)"));
        noteLabels_[std::size_t(r)]->setTextInteractionFlags(Qt::TextSelectableByMouse);
        assign_[std::size_t(r)] = new QPushButton(assignTexts[r]);
        assign_[std::size_t(r)]->setObjectName(r == 0 ? QStringLiteral("useAsContent") : QStringLiteral("useAsStyle"));
        assign_[std::size_t(r)]->setToolTip(tr("Take the note selected in the Browser tab"));
        connect(assign_[std::size_t(r)], &QPushButton::clicked, this, [this, r] { emit assignRequested(r); });
        notesGrid->addWidget(new QLabel(roleNames[r] + QLatin1Char(':')), r, 0);
        notesGrid->addWidget(noteLabels_[std::size_t(r)], r, 1);
        notesGrid->addWidget(assign_[std::size_t(r)], r, 2);
    }
    notesGrid->setColumnStretch(1, 1);

    // Settings.
    auto* settingsBox = new QGroupBox(tr("Settings"));
    auto* form = new QFormLayout(settingsBox);
    alpha_ = weightBox(defaults.contentWeight, tr("Weight of the content loss (seed 003: 0.01)"));
    beta_ = weightBox(defaults.styleWeight, tr("Weight of the Gram-matrix style loss"));
    gamma_ = weightBox(defaults.energyWeight, tr("Weight of the temporal energy-envelope loss (seed 004), e.g. 100"));
    delta_ = weightBox(defaults.frequencyWeight, tr("Weight of the frequency-envelope loss (seed 004), e.g. 100"));
    iterations_ = new QSpinBox;
    iterations_->setRange(1, 100000);
    iterations_->setValue(defaults.iterations);
    features_ = new QComboBox;
    features_->addItem(tr("random convolution"), QStringLiteral("random"));
    features_->addItem(tr("model encoder"), QStringLiteral("encoder"));
    features_->setToolTip(tr("Random: one untrained Conv1d (seed 003). Model encoder: the loaded checkpoint's "
                             "encoder, in its own pre-processing"));
    optimizer_ = new QComboBox;
    optimizer_->addItem(QStringLiteral("L-BFGS"), QStringLiteral("lbfgs"));
    optimizer_->addItem(QStringLiteral("Adam"), QStringLiteral("adam"));
    init_ = new QComboBox;
    init_->addItem(tr("noise"), QStringLiteral("noise"));
    init_->addItem(tr("content"), QStringLiteral("content"));
    nFft_ = new QComboBox;
    for (int n : {512, 1024, 2048})
        nFft_->addItem(QStringLiteral("%1 (hop %2)").arg(n).arg(n / 4), n);
    nFft_->setCurrentIndex(nFft_->findData(defaults.nFft));
    filters_ = new QSpinBox;
    filters_->setRange(1, 65536);
    filters_->setValue(defaults.filters);
    kernel_ = new QSpinBox;
    kernel_->setRange(1, 63);
    kernel_->setValue(defaults.kernel);
    glIterations_ = new QSpinBox;
    glIterations_->setRange(0, 10000);
    glIterations_->setValue(defaults.griffinLimIterations);
    form->addRow(tr("α content"), alpha_);
    form->addRow(tr("β style"), beta_);
    form->addRow(tr("γ energy envelope"), gamma_);
    form->addRow(tr("δ frequency envelope"), delta_);
    form->addRow(tr("Iterations"), iterations_);
    form->addRow(tr("Features"), features_);
    form->addRow(tr("Optimiser"), optimizer_);
    form->addRow(tr("Start from"), init_);
    form->addRow(tr("FFT size"), nFft_);
    form->addRow(tr("Filters"), filters_);
    form->addRow(tr("Kernel (frames)"), kernel_);
    form->addRow(tr("Griffin-Lim iterations"), glIterations_);

    run_ = new QPushButton(tr("&Run"));
    run_->setObjectName(QStringLiteral("runStyleTransfer"));
    stop_ = new QPushButton(tr("Sto&p"));
    export_ = new QPushButton(tr("&Export WAV…"));
    const QString playTexts[3] = {tr("Play content"), tr("Play style"), tr("Play &result")};
    for (int k = 0; k < 3; ++k) {
        play_[std::size_t(k)] = new QPushButton(playTexts[k]);
        connect(play_[std::size_t(k)], &QPushButton::clicked, this, [this, k] { play(k); });
    }
    connect(run_, &QPushButton::clicked, this, [this] { run(); });
    connect(stop_, &QPushButton::clicked, this, &StyleTransferPanel::stop);
    connect(export_, &QPushButton::clicked, this, &StyleTransferPanel::exportWithDialog);
    status_ = new QLabel;
    status_->setWordWrap(true);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(run_);
    buttons->addWidget(stop_);
    buttons->addStretch();
    auto* playRow = new QHBoxLayout;
    for (auto* b : play_) playRow->addWidget(b);
    playRow->addWidget(export_);
    playRow->addStretch();

    auto* left = new QVBoxLayout;
    left->addWidget(notesBox);
    left->addWidget(settingsBox);
    left->addLayout(buttons);
    left->addLayout(playRow);
    left->addWidget(status_);
    left->addStretch();
    auto* leftWidget = new QWidget;
    leftWidget->setLayout(left);

    // Loss plot (log y) and the three spectrograms.
    plot_ = new QCustomPlot;
    plot_->setObjectName(QStringLiteral("styleLossPlot"));
    plot_->setMinimumHeight(180);
    resetPlot(defaults.iterations);
    auto* viewsRow = new QSplitter(Qt::Horizontal);
    const QString viewTitles[3] = {tr("content"), tr("style"), tr("result")};
    for (int k = 0; k < 3; ++k) {
        views_[std::size_t(k)] = new SpectrogramView;
        views_[std::size_t(k)]->showMessage(viewTitles[k]);
        viewsRow->addWidget(views_[std::size_t(k)]);
    }
    auto* right = new QSplitter(Qt::Vertical);
    right->addWidget(plot_);
    right->addWidget(viewsRow);
    right->setStretchFactor(0, 1);
    right->setStretchFactor(1, 2);

    auto* top = new QHBoxLayout(this);
    top->addWidget(leftWidget);
    top->addWidget(right, 1);

    connect(service_, &StyleTransferService::datasetChanged, this, [this] {
        for (int r = 0; r < 2; ++r) {
            notes_[std::size_t(r)].reset();
            noteLabels_[std::size_t(r)]->setText(tr("(none: select a note in the browser)"));
        }
        updateButtons();
    });
    connect(service_, &StyleTransferService::started, this, &StyleTransferPanel::onStarted);
    connect(service_, &StyleTransferService::progress, this, &StyleTransferPanel::onProgress);
    connect(service_, &StyleTransferService::resultReady, this, &StyleTransferPanel::onResult);
    connect(service_, &StyleTransferService::finished, this, &StyleTransferPanel::onFinished);
    connect(service_, &StyleTransferService::exportFinished, this, [this](bool ok, const QString& message) {
        status_->setText(message);
        emit statusMessage(message);
        Q_UNUSED(ok);
    });
    updateButtons();
}

StyleTransferPanel::~StyleTransferPanel() = default;

void StyleTransferPanel::setNote(Role role, std::size_t index, const QString& name)
{
    notes_[std::size_t(role)] = index;
    noteLabels_[std::size_t(role)]->setText(name);
    updateButtons();
}

void StyleTransferPanel::setModelPath(const QString& path)
{
    modelPath_ = path;
}

style::StyleTransferOptions StyleTransferPanel::options() const
{
    style::StyleTransferOptions o;
    o.contentWeight = alpha_->value();
    o.styleWeight = beta_->value();
    o.energyWeight = gamma_->value();
    o.frequencyWeight = delta_->value();
    o.iterations = iterations_->value();
    o.features = style::parseFeatureKind(features_->currentData().toString().toStdString());
    o.checkpoint = modelPath_.toStdString();
    o.optimizer = style::parseOptimizerKind(optimizer_->currentData().toString().toStdString());
    o.init = style::parseInitKind(init_->currentData().toString().toStdString());
    o.nFft = nFft_->currentData().toInt();
    o.hop = o.nFft / 4;
    o.filters = filters_->value();
    o.kernel = kernel_->value();
    o.griffinLimIterations = glIterations_->value();
    return o;
}

void StyleTransferPanel::setOptions(const style::StyleTransferOptions& o)
{
    alpha_->setValue(o.contentWeight);
    beta_->setValue(o.styleWeight);
    gamma_->setValue(o.energyWeight);
    delta_->setValue(o.frequencyWeight);
    iterations_->setValue(o.iterations);
    features_->setCurrentIndex(features_->findData(QString::fromUtf8(style::featureKindName(o.features))));
    optimizer_->setCurrentIndex(optimizer_->findData(QString::fromUtf8(style::optimizerKindName(o.optimizer))));
    init_->setCurrentIndex(init_->findData(QString::fromUtf8(style::initKindName(o.init))));
    int fft = nFft_->findData(o.nFft);
    if (fft < 0) {
        nFft_->addItem(QStringLiteral("%1 (hop %2)").arg(o.nFft).arg(o.nFft / 4), o.nFft);
        fft = nFft_->count() - 1;
    }
    nFft_->setCurrentIndex(fft);
    filters_->setValue(o.filters);
    kernel_->setValue(o.kernel);
    glIterations_->setValue(o.griffinLimIterations);
}

bool StyleTransferPanel::run()
{
    if (service_->running() || !notes_[0] || !notes_[1]) return false;
    const style::StyleTransferOptions o = options();
    if (o.features == style::FeatureKind::Encoder && modelPath_.isEmpty()) {
        status_->setText(tr("Encoder features need a model: open one (File › Open Model…)"));
        return false;
    }
    try {
        o.validate();
    } catch (const std::exception& e) {
        status_->setText(QString::fromStdString(e.what()));
        return false;
    }
    const bool started = service_->start(*notes_[0], *notes_[1], o);
    if (!started) status_->setText(tr("Open a dataset first"));
    updateButtons();
    return started;
}

void StyleTransferPanel::stop()
{
    service_->stop();
    status_->setText(tr("Stopping…"));
}

void StyleTransferPanel::resetPlot(int iterations)
{
    plot_->clearGraphs();
    plot_->legend->setVisible(true);
    plot_->legend->setFont(font());
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    plot_->xAxis->setLabel(tr("iteration"));
    plot_->yAxis->setLabel(tr("loss (unweighted terms)"));
    plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    plot_->yAxis->setNumberFormat(QStringLiteral("eb"));
    plot_->yAxis->setNumberPrecision(0);
    const struct {
        QString name;
        QColor color;
        double width;
    } graphs[GraphCount] = {{tr("total"), QColor(0, 0, 0), 2.0},
                            {tr("content"), QColor(31, 119, 180), 1.2},
                            {tr("style"), QColor(214, 39, 40), 1.2},
                            {tr("energy envelope"), QColor(44, 160, 44), 1.2},
                            {tr("frequency envelope"), QColor(255, 127, 14), 1.2}};
    for (const auto& g : graphs) {
        QCPGraph* graph = plot_->addGraph();
        graph->setName(g.name);
        graph->setPen(QPen(g.color, g.width));
    }
    plot_->xAxis->setRange(0, std::max(1, iterations));
    plot_->yAxis->setRange(1e-2, 1e6);
    yMin_ = yMax_ = 0;
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void StyleTransferPanel::onStarted(int iterations)
{
    resetPlot(iterations);
    status_->setText(tr("Running…"));
    updateButtons();
}

void StyleTransferPanel::onProgress(int iteration, int iterations, const style::LossTerms& loss)
{
    const double values[GraphCount] = {loss.total, loss.content, loss.style, loss.energy, loss.frequency};
    for (int g = 0; g < GraphCount; ++g) {
        if (!(values[g] > 0)) continue; // a log axis shows positive values only
        plot_->graph(g)->addData(iteration, values[g]);
        yMin_ = yMin_ > 0 ? std::min(yMin_, values[g]) : values[g];
        yMax_ = std::max(yMax_, values[g]);
    }
    if (yMin_ > 0) plot_->yAxis->setRange(yMin_ / 2, yMax_ * 2);
    plot_->replot(QCustomPlot::rpQueuedReplot);
    status_->setText(tr("Iteration %1 / %2: loss %3 (style %4, content %5)")
                         .arg(iteration)
                         .arg(iterations)
                         .arg(loss.total, 0, 'g', 4)
                         .arg(loss.style, 0, 'g', 4)
                         .arg(loss.content, 0, 'g', 4));
}

void StyleTransferPanel::onResult(std::shared_ptr<const StyleTransferOutcome> outcome)
{
    views_[0]->setSpectrogram(outcome->content);
    views_[1]->setSpectrogram(outcome->style);
    views_[2]->setSpectrogram(outcome->output);
    // The plot gets the full curve (the live updates were throttled).
    for (int g = 0; g < GraphCount; ++g) plot_->graph(g)->data()->clear();
    yMin_ = yMax_ = 0;
    const auto& curve = outcome->result.lossCurve;
    for (std::size_t i = 0; i < curve.size(); ++i) {
        const auto& l = curve[i];
        const double values[GraphCount] = {l.total, l.content, l.style, l.energy, l.frequency};
        for (int g = 0; g < GraphCount; ++g) {
            if (!(values[g] > 0)) continue;
            plot_->graph(g)->addData(double(i), values[g]);
            yMin_ = yMin_ > 0 ? std::min(yMin_, values[g]) : values[g];
            yMax_ = std::max(yMax_, values[g]);
        }
    }
    plot_->xAxis->setRange(0, std::max<double>(1, double(curve.size()) - 1));
    if (yMin_ > 0) plot_->yAxis->setRange(yMin_ / 2, yMax_ * 2);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void StyleTransferPanel::onFinished(bool ok, bool cancelled, const QString& message)
{
    status_->setText(cancelled ? tr("Stopped") : ok ? message : tr("Failed: %1").arg(message));
    emit statusMessage(status_->text());
    updateButtons();
}

bool StyleTransferPanel::play(int which)
{
    const auto outcome = service_->outcome();
    if (!outcome || !audio_) return false;
    const std::vector<float>& samples = which == 0   ? outcome->contentAudio
                                        : which == 1 ? outcome->styleAudio
                                                     : outcome->result.audio;
    return audio_->play(samples, outcome->result.sampleRate);
}

bool StyleTransferPanel::exportTo(const QString& file)
{
    return service_->exportWav(file);
}

void StyleTransferPanel::exportWithDialog()
{
    const auto outcome = service_->outcome();
    if (!outcome) return;
    const QString suggested = QStringLiteral("%1_in_style_of_%2.wav").arg(outcome->contentName, outcome->styleName);
    const QString file = QFileDialog::getSaveFileName(this, tr("Export style transfer"), suggested,
                                                      tr("WAV files (*.wav)"));
    if (!file.isEmpty()) exportTo(file);
}

void StyleTransferPanel::updateButtons()
{
    const bool running = service_->running();
    const bool haveResult = service_->outcome() != nullptr;
    run_->setEnabled(!running && notes_[0] && notes_[1]);
    stop_->setEnabled(running);
    export_->setEnabled(haveResult && !running);
    for (auto* b : play_) b->setEnabled(haveResult);
}

QString StyleTransferPanel::statusText() const
{
    return status_->text();
}

} // namespace morph::ui
