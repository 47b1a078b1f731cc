// bench_ui_morph: how the workstation's GUI thread behaves under its heaviest work (figures, not
// pass/fail). The GUI stall is the longest gap between ticks of a 5 ms timer on the GUI thread.
//  0. baseline: the window idle (this shared machine's load alone);
//  1. dragging the morph slider: valueChanged at 60 Hz for 4 s (slider held down, Live on, loop
//     playback into a private PulseAudio null sink when one can be started), right after the
//     pair was chosen (ladder still rendering) and again once the ladder is complete;
//  2. a training run going on (TrainingRunner + TrainingPanel curves) for ~10 s;
//  3. the time from a click on a correlation cell to the first morph audio ready (A and B
//     encoded, first render of the slider position delivered), for several fresh pairs.
// Environment: MORPH_BENCH_MODEL = checkpoint (default: the tiny test fixture),
//              MORPH_BENCH_DATA  = dataset (default: nsynth-test-pitch60).
#include "AudioController.h"
#include "CorrelationPanel.h"
#include "CorrelationService.h"
#include "CorrelationView.h"
#include "DatasetBrowser.h"
#include "MainWindow.h"
#include "MorphController.h"
#include "MorphPanel.h"
#include "PairList.h"
#include "TrainingPanel.h"
#include "TrainingRunner.h"
#include "dataset/NSynthDataset.h"
#include "morph/LiveMorph.h"
#include "support/PrivatePulseServer.h"
#include "support/UiTestSupport.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSlider>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>

using namespace morph;
using namespace morph::ui;

namespace {

/// Records the gaps between ticks of a 5 ms precise timer on the GUI thread.
class StallMeter {
public:
    StallMeter()
    {
        timer_.setTimerType(Qt::PreciseTimer);
        timer_.setInterval(5);
        QObject::connect(&timer_, &QTimer::timeout, [this] {
            const qint64 now = clock_.nsecsElapsed();
            gaps_.push_back((now - last_) / 1e6);
            last_ = now;
        });
    }
    void start()
    {
        gaps_.clear();
        clock_.start();
        last_ = 0;
        timer_.start();
    }
    void stop() { timer_.stop(); }
    double max() const { return gaps_.empty() ? 0 : *std::max_element(gaps_.begin(), gaps_.end()); }
    double percentile(double p) const
    {
        if (gaps_.empty()) return 0;
        std::vector<double> g = gaps_;
        std::sort(g.begin(), g.end());
        return g[std::min(g.size() - 1, std::size_t(p * double(g.size())))];
    }
    std::size_t over(double ms) const { return std::size_t(std::count_if(gaps_.begin(), gaps_.end(), [ms](double g) { return g > ms; })); }
    std::size_t ticks() const { return gaps_.size(); }

private:
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 last_ = 0;
    std::vector<double> gaps_;
};

void waitUntil(const std::function<bool()>& pred, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!pred() && t.elapsed() < timeoutMs) QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

void runFor(int ms)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms) QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

void report(const char* what, const StallMeter& m)
{
    std::printf("  %-44s longest stall %6.1f ms   p99 %5.1f ms   p50 %4.1f ms   gaps > 30 ms: %zu of %zu\n", what,
                m.max(), m.percentile(0.99), m.percentile(0.5), m.over(30.0), m.ticks());
}

QString modelPath()
{
    const QByteArray env = qgetenv("MORPH_BENCH_MODEL");
    return env.isEmpty() ? morph::test::tinyModel() : QString::fromLocal8Bit(env);
}

QString dataPath()
{
    const QByteArray env = qgetenv("MORPH_BENCH_DATA");
    return env.isEmpty() ? morph::test::pitch60Dir() : QString::fromLocal8Bit(env);
}

void dragSlider(MainWindow& w, StallMeter& meter, const char* label)
{
    MorphPanel* panel = w.morphPanel();
    QSlider* slider = panel->slider();
    LiveMorph* live = w.morphController()->liveMorph();
    const LiveMorphStats before = live->stats();
    int shownChanges = 0;
    auto shown = panel->shownFrame();
    QTimer drag;
    drag.setTimerType(Qt::PreciseTimer);
    drag.setInterval(16); // ~60 Hz
    int step = 0;
    QObject::connect(&drag, &QTimer::timeout, [&] {
        // Triangle sweep 0 -> 1000 -> 0 over 2 s: 17 units per event, like a brisk drag.
        const int phase = (step++ * 17) % 2000;
        slider->setValue(phase < 1000 ? phase : 2000 - phase);
        if (panel->shownFrame() != shown) {
            shown = panel->shownFrame();
            ++shownChanges;
        }
    });
    slider->setSliderDown(true);
    meter.start();
    drag.start();
    runFor(4000);
    drag.stop();
    slider->setSliderDown(false);
    meter.stop();
    const LiveMorphStats after = live->stats();
    report(label, meter);
    std::printf("  %-44s %d slider events, shown frame changed %d times, %zu renders done, %zu stale requests "
                "dropped, %zu cache hits\n",
                "", step, shownChanges, after.rendered - before.rendered, after.droppedStale - before.droppedStale,
                after.cacheHits - before.cacheHits);
}

} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    morph::test::isolateSettings("bench_ui_morph");
    morph::test::PrivatePulseServer pulse;
    const bool sound = pulse.ok();
    if (sound) qputenv("PULSE_SERVER", pulse.address().c_str());
    std::printf("bench_ui_morph: model %s, data %s, audio %s, %u hardware threads\n", qPrintable(modelPath()),
                qPrintable(dataPath()), sound ? "private PulseAudio null sink" : "none (no PulseAudio here)",
                std::thread::hardware_concurrency());

    QTemporaryDir cache;
    MainWindowOptions options;
    options.dataPath = dataPath();
    options.modelPath = modelPath();
    options.openAudio = sound;
    options.restoreLast = false;
    options.embeddingCache = cache.path();
    MainWindow w(options);
    w.resize(1400, 900);
    w.show();
    waitUntil([&] { return w.loadedDataset() && w.correlationService()->ready() && w.browser()->currentNote(); }, 60000);
    if (!w.loadedDataset() || !w.correlationService()->ready()) {
        std::printf("could not load the data or the model\n");
        return 1;
    }

    // ---- baseline: the same meter with nothing to do (what this machine's load alone costs) ----
    {
        StallMeter idle;
        idle.start();
        runFor(3000);
        idle.stop();
        std::printf("baseline (window idle):\n");
        report("idle, 3 s", idle);
    }

    // ---- 3 first (the correlation matrix is needed): click -> first morph audio ready ------
    w.showTab(MainWindow::Tab::Correlation);
    w.correlationPanel()->compute();
    waitUntil([&] { return w.correlationService()->result() != nullptr; }, 300000);
    const auto result = w.correlationService()->result();
    std::printf("correlation: %zu notes encoded and correlated in %.2f s\n", result->notes.size(), result->seconds);
    PairList* list = w.correlationPanel()->pairList();
    CorrelationView* view = w.correlationPanel()->view();
    view->replot();
    MorphController* morph = w.morphController();
    std::printf("click on a correlation cell -> first morph audio ready (fresh pair each time):\n");
    for (int row = 0; row < std::min(5, list->rowCount()); row += 1) {
        const RankedPair p = list->pair(row);
        QElapsedTimer clock;
        bool first = false;
        double firstMs = 0, pairMs = 0;
        auto c1 = QObject::connect(morph, &MorphController::pairChanged, [&](bool ready) {
            if (ready) pairMs = clock.nsecsElapsed() / 1e6;
        });
        auto c2 = QObject::connect(morph, &MorphController::frameReady, [&](std::shared_ptr<const MorphFrame>) {
            if (!first) firstMs = clock.nsecsElapsed() / 1e6;
            first = true;
        });
        clock.start();
        QTest::mouseClick(view, Qt::LeftButton, {}, view->cellCenter(int(p.a), int(p.b)).toPoint());
        waitUntil([&] { return first; }, 60000);
        QObject::disconnect(c1);
        QObject::disconnect(c2);
        std::printf("  pair %d (r = %.3f): A and B encoded after %6.1f ms, first render ready after %6.1f ms\n", row,
                    double(p.r), pairMs, firstMs);
        waitUntil([&] { return morph->ladderReady() == MorphController::kLadderSteps + 1; }, 120000);
    }

    // ---- 1: slider drag ---------------------------------------------------------------------
    w.showTab(MainWindow::Tab::Morph);
    std::printf("slider drag at 60 Hz for 4 s (GUI thread, 5 ms timer):\n");
    {
        const RankedPair p = list->pair(std::min(5, list->rowCount() - 1));
        w.choosePair(result->notes[p.a], result->notes[p.b]);
        waitUntil([&] { return morph->pairReady(); }, 60000);
        StallMeter meter;
        dragSlider(w, meter, "new pair (ladder rendering meanwhile)");
        waitUntil([&] { return morph->ladderReady() == MorphController::kLadderSteps + 1; }, 120000);
        StallMeter meter2;
        dragSlider(w, meter2, "ladder complete");
    }
    w.morphPanel()->stop();

    // ---- 2: training --------------------------------------------------------------------------
    std::printf("training run on %s (GUI thread, 5 ms timer, training panel shown):\n", qPrintable(dataPath()));
    {
        w.showTab(MainWindow::Tab::Training);
        QTemporaryDir runs;
        TrainRequest r;
        r.dataset = w.sharedDataset();
        r.selection.trainSplit = "test";
        r.selection.testSplit = "";
        r.selection.maxNotes = 24;
        r.config.model.arch = Architecture::Single;
        r.config.model.channels = {8, 16, 16, 16};
        r.config.epochs = 100;
        r.config.maxSlicesPerEpoch = 320;
        r.config.maxValidSlices = 96;
        r.config.device = "cpu";
        r.config.runDir = runs.filePath(QStringLiteral("run")).toStdString();
        int epochs = 0, progress = 0;
        QObject::connect(w.trainingRunner(), &TrainingRunner::epochFinished, [&](const EpochRecord&) { ++epochs; });
        QObject::connect(w.trainingRunner(), &TrainingRunner::progress, [&](const TrainProgress&) { ++progress; });
        bool started = false;
        QObject::connect(w.trainingRunner(), &TrainingRunner::trainingStarted, [&] { started = true; });
        StallMeter prep;
        prep.start();
        w.trainingRunner()->start(r);
        waitUntil([&] { return started || !w.trainingRunner()->running(); }, 120000);
        prep.stop();
        report("preparing features (24 notes x 2 sets)", prep);
        StallMeter meter;
        meter.start();
        runFor(10000);
        meter.stop();
        report("training, 10 s", meter);
        std::printf("  %-44s %d epochs, %d progress signals in 10 s\n", "", epochs, progress);
        QElapsedTimer stop;
        stop.start();
        bool finished = false;
        QObject::connect(w.trainingRunner(), &TrainingRunner::finished, [&] { finished = true; });
        w.trainingRunner()->stop();
        waitUntil([&] { return finished; }, 60000);
        std::printf("  stop -> run ended (last.pt saved): %.0f ms\n", stop.nsecsElapsed() / 1e6);
    }
    qunsetenv("PULSE_SERVER");
    return 0;
}
