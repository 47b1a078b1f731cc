#include "MorphPanel.h"

#include "AudioController.h"
#include "EmbeddingView.h"
#include "MorphController.h"
#include "SpectrogramView.h"
#include "XYPad.h"

#include <QCheckBox>
#include <QDir>
#include <QFileInfo>
#include <QFileDialog>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QStyle>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace morph::ui {

namespace {
int keyOf(float t) { return int(std::lround(double(t) * 10000.0)); }
const QString kSettings = QStringLiteral("morph/");
} // namespace

MorphPanel::MorphPanel(MorphController* controller, AudioController* audio, QWidget* parent)
    : QWidget(parent), controller_(controller), audio_(audio)
{
    QSettings s;
    auto* layout = new QVBoxLayout(this);

    // ---- slots ---------------------------------------------------------------------------
    auto* slotsBox = new QGroupBox(tr("Notes"));
    auto* grid = new QGridLayout(slotsBox);
    const QStringList letters = {tr("A"), tr("B"), tr("C"), tr("D")};
    for (int k = 0; k < 4; ++k) {
        auto* letter = new QLabel(QStringLiteral("<b>%1</b>").arg(letters[k]));
        slotNames_[k] = new QLabel(k < 2 ? tr("(press %1 on a note in the browser)").arg(letters[k]) : tr("(= %1)").arg(letters[k - 2]));
        slotNames_[k]->setObjectName(QStringLiteral("slotName%1").arg(letters[k]));
        slotNames_[k]->setTextInteractionFlags(Qt::TextSelectableByMouse);
        slotDetails_[k] = new QLabel;
        slotDetails_[k]->setStyleSheet(QStringLiteral("color: palette(mid);"));
        slotPlay_[k] = new QToolButton;
        slotPlay_[k]->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
        slotPlay_[k]->setToolTip(tr("Play note %1 as recorded").arg(letters[k]));
        slotPlay_[k]->setEnabled(false);
        connect(slotPlay_[k], &QToolButton::clicked, this, [this, k] {
            const auto& audio = controller_->slotAudio(k);
            if (audio.empty()) return;
            livePlaying_ = false;
            audio_->play(audio, controller_->sampleRate(), loop_->isChecked());
        });
        const int row = k % 2, col = (k / 2) * 5;
        grid->addWidget(letter, row, col);
        grid->addWidget(slotPlay_[k], row, col + 1);
        grid->addWidget(slotNames_[k], row, col + 2);
        grid->addWidget(slotDetails_[k], row, col + 3);
        if (k >= 2) {
            auto* use = new QToolButton;
            use->setText(tr("Use current note"));
            use->setToolTip(tr("Put the note selected in the browser on pad corner %1").arg(letters[k]));
            connect(use, &QToolButton::clicked, this, [this, k] { emit cornerAssignRequested(k); });
            grid->addWidget(use, row, col + 4);
        }
    }
    grid->setColumnStretch(3, 1);
    grid->setColumnStretch(8, 1);
    layout->addWidget(slotsBox);

    // ---- slider / pad ----------------------------------------------------------------------
    modes_ = new QTabWidget;
    modes_->setObjectName(QStringLiteral("morphModes"));
    auto* sliderPage = new QWidget;
    auto* sliderLayout = new QVBoxLayout(sliderPage);
    auto* sliderRow = new QHBoxLayout;
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setObjectName(QStringLiteral("morphSlider"));
    slider_->setRange(0, 1000);
    slider_->setPageStep(100);
    slider_->setTickInterval(100);
    slider_->setTickPosition(QSlider::TicksBelow);
    slider_->setToolTip(tr("Interpolation: 0 = A, 1000 = B. The nearest pre-rendered morph plays at once; the "
                           "exact one follows."));
    tLabel_ = new QLabel(tr("t = 0.000"));
    tLabel_->setMinimumWidth(80);
    sliderRow->addWidget(new QLabel(QStringLiteral("<b>A</b>")));
    sliderRow->addWidget(slider_, 1);
    sliderRow->addWidget(new QLabel(QStringLiteral("<b>B</b>")));
    sliderRow->addWidget(tLabel_);
    sliderLayout->addLayout(sliderRow);
    ladder_ = new QLabel;
    ladder_->setObjectName(QStringLiteral("ladderStatus"));
    sliderLayout->addWidget(ladder_);
    modes_->addTab(sliderPage, tr("Slider A ↔ B"));

    auto* padPage = new QWidget;
    auto* padLayout = new QHBoxLayout(padPage);
    pad_ = new XYPad;
    padLayout->addWidget(pad_);
    padLabel_ = new QLabel(tr("Corners: A bottom-left, B bottom-right, C top-left, D top-right. C and D default "
                              "to A and B until you set them (keys C / D on a note in the browser, or “Use current "
                              "note”)."));
    padLabel_->setWordWrap(true);
    padLayout->addWidget(padLabel_, 1);
    modes_->addTab(padPage, tr("XY pad (4 notes)"));
    layout->addWidget(modes_);
    // The slider needs one row; the pad a square: size the mode area to the page shown.
    auto fitModes = [this](int index) { modes_->setFixedHeight(index == 1 ? 270 : 110); };
    connect(modes_, &QTabWidget::currentChanged, this, fitModes);
    fitModes(0);

    // ---- transport + options + export ------------------------------------------------------
    auto* controls = new QHBoxLayout;
    play_ = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Play"));
    play_->setToolTip(tr("Play the morph shown (Space)"));
    stop_ = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"));
    stop_->setToolTip(tr("Stop playback (Esc)"));
    loop_ = new QCheckBox(tr("Loop"));
    loop_->setChecked(s.value(kSettings + QStringLiteral("loop"), true).toBool());
    live_ = new QCheckBox(tr("Live"));
    live_->setObjectName(QStringLiteral("liveMorph"));
    live_->setToolTip(tr("Play while the slider or the pad moves: each new render is swapped in at the same "
                         "playback position"));
    live_->setChecked(s.value(kSettings + QStringLiteral("live"), true).toBool());
    playOnRelease_ = new QCheckBox(tr("Play on release"));
    playOnRelease_->setToolTip(tr("When the slider is released, play the exact morph from the start"));
    playOnRelease_->setChecked(s.value(kSettings + QStringLiteral("playOnRelease"), false).toBool());
    controls->addWidget(play_);
    controls->addWidget(stop_);
    controls->addWidget(loop_);
    controls->addWidget(live_);
    controls->addWidget(playOnRelease_);
    controls->addSpacing(16);
    iterations_ = new QSpinBox;
    iterations_->setObjectName(QStringLiteral("glIterations"));
    iterations_->setRange(1, 500);
    iterations_->setValue(s.value(kSettings + QStringLiteral("glIterations"), 32).toInt());
    iterations_->setPrefix(tr("Griffin-Lim "));
    iterations_->setSuffix(tr(" iterations"));
    iterations_->setToolTip(tr("More iterations: cleaner phase, slower renders (32 is the default)"));
    energy_ = new QCheckBox(tr("Energy correction"));
    energy_->setObjectName(QStringLiteral("energyCorrection"));
    energy_->setToolTip(tr("Scale each frame to the average energy of A and B (METHOD §5)"));
    energy_->setChecked(s.value(kSettings + QStringLiteral("energy"), true).toBool());
    spherical_ = new QCheckBox(tr("Spherical"));
    spherical_->setToolTip(tr("Spherical instead of linear interpolation of the embeddings"));
    spherical_->setChecked(s.value(kSettings + QStringLiteral("spherical"), false).toBool());
    controls->addWidget(iterations_);
    controls->addWidget(energy_);
    controls->addWidget(spherical_);
    controls->addStretch(1);
    export_ = new QPushButton(tr("Export WAV…"));
    export_->setToolTip(tr("Write the morph at the slider's t to a 16-bit WAV"));
    seriesSteps_ = new QSpinBox;
    seriesSteps_->setRange(2, 101);
    seriesSteps_->setValue(s.value(kSettings + QStringLiteral("seriesSteps"), 11).toInt());
    seriesSteps_->setSuffix(tr(" steps"));
    seriesSteps_->setToolTip(tr("How many morphs t = 0..1 the series writes"));
    exportSeries_ = new QPushButton(tr("Export Series…"));
    exportSeries_->setToolTip(tr("Write the morphs t = 0, 1/(K-1), …, 1 to WAV files in a folder"));
    controls->addWidget(export_);
    controls->addWidget(seriesSteps_);
    controls->addWidget(exportSeries_);
    layout->addLayout(controls);

    status_ = new QLabel;
    status_->setObjectName(QStringLiteral("morphStatus"));
    layout->addWidget(status_);

    // ---- views -------------------------------------------------------------------------
    views_ = new QTabWidget;
    views_->setObjectName(QStringLiteral("morphViews"));
    auto* spectra = new QSplitter(Qt::Horizontal);
    auto titled = [](SpectrogramView* view, QLabel* title) {
        auto* w = new QWidget;
        auto* l = new QVBoxLayout(w);
        l->setContentsMargins(0, 0, 0, 0);
        title->setAlignment(Qt::AlignCenter);
        l->addWidget(title);
        l->addWidget(view, 1);
        return w;
    };
    reconA_ = new SpectrogramView;
    morphView_ = new SpectrogramView;
    reconB_ = new SpectrogramView;
    reconA_->showMessage(tr("A's reconstruction"));
    morphView_->showMessage(tr("Choose notes A and B"));
    reconB_->showMessage(tr("B's reconstruction"));
    morphTitle_ = new QLabel(tr("Morph"));
    morphTitle_->setObjectName(QStringLiteral("morphTitle"));
    spectra->addWidget(titled(reconA_, new QLabel(tr("A (reconstruction, t = 0)"))));
    spectra->addWidget(titled(morphView_, morphTitle_));
    spectra->addWidget(titled(reconB_, new QLabel(tr("B (reconstruction, t = 1)"))));
    for (int i = 0; i < 3; ++i) spectra->setStretchFactor(i, 1);
    spectra->setSizes({1000, 1000, 1000});
    views_->addTab(spectra, tr("Spectrograms"));
    embeddings_ = new EmbeddingView;
    views_->addTab(embeddings_, tr("Embeddings"));
    layout->addWidget(views_, 1);

    viewTimer_ = new QTimer(this);
    viewTimer_->setSingleShot(true);
    connect(viewTimer_, &QTimer::timeout, this, &MorphPanel::updateViews);
    connect(views_, &QTabWidget::currentChanged, this, [this] { updateEmbeddings(); });

    optionsDebounce_ = new QTimer(this);
    optionsDebounce_->setSingleShot(true);
    optionsDebounce_->setInterval(300);
    connect(optionsDebounce_, &QTimer::timeout, this, &MorphPanel::applyOptions);
    connect(iterations_, &QSpinBox::valueChanged, optionsDebounce_, qOverload<>(&QTimer::start));
    connect(energy_, &QCheckBox::toggled, this, &MorphPanel::applyOptions);
    connect(spherical_, &QCheckBox::toggled, this, &MorphPanel::applyOptions);
    for (auto [box, key] : {std::pair{loop_, "loop"}, std::pair{live_, "live"}, std::pair{playOnRelease_, "playOnRelease"}})
        connect(box, &QCheckBox::toggled, this,
                [key = QString::fromLatin1(key)](bool on) { QSettings().setValue(kSettings + key, on); });
    connect(loop_, &QCheckBox::toggled, this, [this](bool on) { audio_->output().setLoop(on); });
    connect(seriesSteps_, &QSpinBox::valueChanged, this,
            [](int v) { QSettings().setValue(kSettings + QStringLiteral("seriesSteps"), v); });

    connect(slider_, &QSlider::valueChanged, this, &MorphPanel::onSlider);
    connect(slider_, &QSlider::sliderReleased, this, &MorphPanel::onSliderReleased);
    connect(pad_, &XYPad::positionChanged, this, [this](double x, double y) {
        controller_->requestPad(float(x), float(y));
    });
    connect(play_, &QPushButton::clicked, this, &MorphPanel::playShown);
    connect(stop_, &QPushButton::clicked, this, &MorphPanel::stop);
    connect(export_, &QPushButton::clicked, this, &MorphPanel::exportCurrent);
    connect(exportSeries_, &QPushButton::clicked, this, &MorphPanel::exportSeries);
    connect(modes_, &QTabWidget::currentChanged, this, [this](int index) {
        if (index == 1)
            controller_->requestPad(float(pad_->x()), float(pad_->y()));
        else
            onSlider(slider_->value());
    });
    auto* space = new QShortcut(QKeySequence(Qt::Key_Space), this, this, &MorphPanel::playShown);
    space->setContext(Qt::WidgetWithChildrenShortcut);

    connect(controller_, &MorphController::frameReady, this, &MorphPanel::onFrame);
    connect(controller_, &MorphController::padFrameReady, this, &MorphPanel::onPadFrame);
    connect(controller_, &MorphController::pairChanged, this, &MorphPanel::onPairChanged);
    connect(controller_, &MorphController::slotEncoded, this, [this] { updateSlotWidgets(); });
    connect(controller_, &MorphController::slotFailed, this, [this](int slot, const QString& message) {
        status_->setText(tr("Cannot encode note %1: %2").arg(QChar('A' + slot)).arg(message));
        updateSlotWidgets();
    });
    connect(controller_, &MorphController::padFailed, this,
            [this](const QString& message) { status_->setText(tr("Pad render failed: %1").arg(message)); });
    connect(controller_, &MorphController::ladderProgress, this, [this](int ready, int total) {
        ladder_->setText(ready < total ? tr("Pre-rendering: %1 of %2 slider positions ready").arg(ready).arg(total)
                                       : tr("All %1 slider positions pre-rendered; other positions render on demand.")
                                             .arg(total));
    });
    connect(controller_, &MorphController::exportFinished, this, [this](bool, const QString& message) {
        status_->setText(message);
        emit statusMessage(message);
    });
    connect(audio_, &AudioController::positionChanged, morphView_, &SpectrogramView::setPlayhead);
    connect(audio_, &AudioController::playbackStopped, this, [this] { livePlaying_ = false; });

    controller_->setOptions([this] {
        MorphOptions o = controller_->options();
        o.griffinLimIterations = iterations_->value();
        o.energyCorrection = energy_->isChecked();
        o.interpolation = spherical_->isChecked() ? InterpolationMode::Spherical : InterpolationMode::Linear;
        return o;
    }());
    onPairChanged(controller_->pairReady());
    updateSlotWidgets();
}

MorphPanel::~MorphPanel()
{
    // Child widgets emit while they are torn down (a tab widget changes its current page):
    // nothing may reach the controller then.
    modes_->blockSignals(true);
    slider_->blockSignals(true);
    pad_->blockSignals(true);
}

void MorphPanel::setSlotInfo(int slot, const QString& name, const QString& details)
{
    if (slot < 0 || slot > 3) return;
    slotNames_[std::size_t(slot)]->setText(name);
    slotDetails_[std::size_t(slot)]->setText(details);
    pad_->setCornerLabel(slot, QStringLiteral("%1: %2").arg(QChar('A' + slot)).arg(name));
    updateSlotWidgets();
}

void MorphPanel::updateSlotWidgets()
{
    for (int k = 0; k < 4; ++k) slotPlay_[std::size_t(k)]->setEnabled(!controller_->slotAudio(k).empty());
    const bool ready = controller_->pairReady();
    export_->setEnabled(ready);
    exportSeries_->setEnabled(ready);
    play_->setEnabled(ready);
}

void MorphPanel::setMode(Mode mode) { modes_->setCurrentIndex(mode == Mode::Pad ? 1 : 0); }
MorphPanel::Mode MorphPanel::mode() const { return modes_->currentIndex() == 1 ? Mode::Pad : Mode::Slider; }
QString MorphPanel::statusText() const { return status_->text(); }
bool MorphPanel::liveEnabled() const { return live_->isChecked(); }
void MorphPanel::setLiveEnabled(bool on) { live_->setChecked(on); }
void MorphPanel::setPlayOnRelease(bool on) { playOnRelease_->setChecked(on); }
void MorphPanel::setLoop(bool on) { loop_->setChecked(on); }

void MorphPanel::applyOptions()
{
    MorphOptions o = controller_->options();
    o.griffinLimIterations = iterations_->value();
    o.energyCorrection = energy_->isChecked();
    o.interpolation = spherical_->isChecked() ? InterpolationMode::Spherical : InterpolationMode::Linear;
    QSettings s;
    s.setValue(kSettings + QStringLiteral("glIterations"), o.griffinLimIterations);
    s.setValue(kSettings + QStringLiteral("energy"), o.energyCorrection);
    s.setValue(kSettings + QStringLiteral("spherical"), spherical_->isChecked());
    controller_->setOptions(o);
    shown_.reset();
    if (mode() == Mode::Slider)
        onSlider(slider_->value());
    else
        controller_->requestPad(float(pad_->x()), float(pad_->y()));
}

void MorphPanel::onPairChanged(bool ready)
{
    shown_.reset();
    updateSlotWidgets();
    reconA_->showMessage(ready ? tr("Rendering…") : tr("A's reconstruction"));
    reconB_->showMessage(ready ? tr("Rendering…") : tr("B's reconstruction"));
    if (!ready) {
        morphView_->showMessage(tr("Choose notes A and B: keys A / B in the browser, or a pair in the Correlation tab"));
        embeddings_->clearAll();
        ladder_->clear();
        return;
    }
    const auto a = controller_->encoded(0), b = controller_->encoded(1);
    embeddings_->setEndpoints(a->embedding, b->embedding, QString::fromStdString(a->name),
                              QString::fromStdString(b->name));
    morphView_->showMessage(tr("Rendering…"));
    status_->setText(tr("Morphing %1 → %2").arg(QString::fromStdString(a->name), QString::fromStdString(b->name)));
    if (mode() == Mode::Slider)
        onSlider(slider_->value());
    else
        controller_->requestPad(float(pad_->x()), float(pad_->y()));
}

void MorphPanel::onSlider(int value)
{
    const float t = float(value) / 1000.f;
    tLabel_->setText(tr("t = %1").arg(double(t), 0, 'f', 3));
    if (mode() != Mode::Slider) return;
    if (auto frame = controller_->request(t)) showFrame(frame);
}

void MorphPanel::onSliderReleased()
{
    if (!playOnRelease_->isChecked()) return;
    const float t = controller_->currentT();
    if (shown_ && !shown_->pad && keyOf(shown_->t) == keyOf(t)) {
        play(*shown_, false);
        return;
    }
    playOnReleaseKey_ = keyOf(t); // played when the exact render arrives
}

void MorphPanel::onFrame(std::shared_ptr<const MorphFrame> frame)
{
    const int key = keyOf(frame->t);
    if (key == 0) reconA_->setSpectrogram(frame->spectrogram);
    if (key == 10000) reconB_->setSpectrogram(frame->spectrogram);
    if (mode() != Mode::Slider) return;
    const int want = keyOf(controller_->currentT());
    const bool better = !shown_ || shown_->pad || std::abs(key - want) < std::abs(keyOf(shown_->t) - want);
    if (shown_ && shown_->render == frame->render) {
        // The same render, now with its spectrogram (made on the worker): views only.
        shown_ = frame;
        updateViews();
    } else if (key == want || better) {
        showFrame(frame);
    }
    if (playOnReleaseKey_ && *playOnReleaseKey_ == key) {
        playOnReleaseKey_.reset();
        play(*frame, false);
    }
}

void MorphPanel::onPadFrame(std::shared_ptr<const MorphFrame> frame)
{
    if (mode() == Mode::Pad) showFrame(frame);
}

void MorphPanel::showFrame(std::shared_ptr<const MorphFrame> frame)
{
    if (!frame || frame == shown_) return;
    shown_ = std::move(frame);
    // Sound first, at once; the views follow at most every kViewIntervalMs (a drag delivers a
    // new frame per slider event, and a spectrogram replot costs a few ms).
    const bool moving = slider_->isSliderDown() || livePlaying_;
    if (live_->isChecked() && moving) play(*shown_, true);
    const qint64 since = viewClock_.isValid() ? viewClock_.elapsed() : kViewIntervalMs;
    if (since >= kViewIntervalMs)
        updateViews();
    else if (!viewTimer_->isActive())
        viewTimer_->start(int(kViewIntervalMs - since));
}

void MorphPanel::updateViews()
{
    viewTimer_->stop();
    viewClock_.start();
    if (!shown_) return;
    if (shown_->spectrogram) morphView_->updateSpectrogram(shown_->spectrogram);
    const QString what = shown_->pad ? tr("pad x = %1, y = %2").arg(double(shown_->x), 0, 'f', 2).arg(double(shown_->y), 0, 'f', 2)
                                     : tr("t = %1").arg(double(shown_->t), 0, 'f', 3);
    const bool exact = shown_->pad || keyOf(shown_->t) == keyOf(controller_->currentT());
    morphTitle_->setText(exact ? tr("Morph at %1").arg(what) : tr("Morph at %1 (nearest ready; exact one rendering)").arg(what));
    embeddingsStale_ = true;
    if (embeddings_->isVisible()) updateEmbeddings();
}

void MorphPanel::updateEmbeddings()
{
    if (!embeddingsStale_ || !shown_) return;
    embeddingsStale_ = false;
    const QString what = shown_->pad ? tr("pad x = %1, y = %2").arg(double(shown_->x), 0, 'f', 2).arg(double(shown_->y), 0, 'f', 2)
                                     : tr("t = %1").arg(double(shown_->t), 0, 'f', 3);
    embeddings_->setMorph(shown_->render->embedding, tr("morph, %1").arg(what));
}

void MorphPanel::play(const MorphFrame& frame, bool keepPosition)
{
    if (!audio_->available()) return;
    const std::size_t at = keepPosition && livePlaying_ && audio_->isPlaying() ? audio_->positionSamples() : 0;
    if (audio_->play(frame.render->audio, controller_->sampleRate(), loop_->isChecked(), at)) livePlaying_ = true;
}

void MorphPanel::playShown()
{
    if (shown_) play(*shown_, false);
}

void MorphPanel::stop()
{
    livePlaying_ = false;
    playOnReleaseKey_.reset();
    audio_->stop();
}

void MorphPanel::exportCurrent()
{
    const auto a = controller_->encoded(0), b = controller_->encoded(1);
    if (!a || !b) return;
    const float t = controller_->currentT();
    const QString dir = QSettings().value(kSettings + QStringLiteral("exportDir"),
                                          QStandardPaths::writableLocation(QStandardPaths::MusicLocation)).toString();
    const QString name = QStringLiteral("%1__%2_t%3.wav")
                             .arg(QString::fromStdString(a->name), QString::fromStdString(b->name))
                             .arg(double(t), 0, 'f', 3);
    const QString file = QFileDialog::getSaveFileName(this, tr("Export morph as WAV"), QDir(dir).filePath(name),
                                                      tr("WAV audio (*.wav)"));
    if (file.isEmpty()) return;
    QSettings().setValue(kSettings + QStringLiteral("exportDir"), QFileInfo(file).absolutePath());
    controller_->exportWav(file, t);
}

void MorphPanel::exportSeries()
{
    const auto a = controller_->encoded(0), b = controller_->encoded(1);
    if (!a || !b) return;
    const QString start = QSettings().value(kSettings + QStringLiteral("exportDir"),
                                            QStandardPaths::writableLocation(QStandardPaths::MusicLocation)).toString();
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Folder for the morph series"), start);
    if (folder.isEmpty()) return;
    QSettings().setValue(kSettings + QStringLiteral("exportDir"), folder);
    controller_->exportSeries(folder, QStringLiteral("%1__%2").arg(QString::fromStdString(a->name), QString::fromStdString(b->name)),
                              seriesSteps_->value());
}

} // namespace morph::ui
