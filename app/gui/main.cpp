// morphstation: the Qt workstation. Wiring only: parses the command line and shows MainWindow.
//   morphstation [--data DIR] [--model CKPT] [--select NOTE] [--axis linear|log|mel] [--no-audio]
//                [--tab browser|correlation|morph|training|model] [--correlate] [--pair A,B]
//                [--slider T] [--pad X,Y] [--train RUN [--train-arch A] [--train-epochs N]
//                [--train-notes N] [--train-slices N] [--train-channels LIST]]
//                [--screenshot FILE [--size WxH] [--screenshot-epochs N]]
// --screenshot renders the window once everything asked for is ready (dataset, note analysis,
// model, correlation matrix, the pair's morph renders; with --train, N finished epochs while
// the run goes on), saves it as PNG and exits (exit code 0 = saved); tests/screenshots.sh
// runs it under xvfb-run.
#include "CorrelationPanel.h"
#include "CorrelationService.h"
#include "DatasetBrowser.h"
#include "MainWindow.h"
#include "MorphController.h"
#include "MorphPanel.h"
#include "NoteViewer.h"
#include "TrainingPanel.h"
#include "TrainingRunner.h"
#include "XYPad.h"
#include "dataset/NSynthDataset.h"
#include "model/TorchRuntime.h"

#include <QApplication>
#include <QIcon>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QSlider>
#include <QTimer>

#include <cstdio>

namespace {

using morph::ui::MainWindow;

struct StartupPlan {
    bool correlate = false;
    QStringList pair;
    double slider = -1.0;
    double padX = -1.0, padY = -1.0;
    QString trainRun;
    int screenshotEpochs = 2;
    bool correlationDone = false, pairDone = false, trainingDone = false;
};

MainWindow::Tab parseTab(const QString& name)
{
    const QString n = name.toLower();
    if (n == QLatin1String("correlation")) return MainWindow::Tab::Correlation;
    if (n == QLatin1String("morph")) return MainWindow::Tab::Morph;
    if (n == QLatin1String("training")) return MainWindow::Tab::Training;
    if (n == QLatin1String("model")) return MainWindow::Tab::Model;
    if (n == QLatin1String("style")) return MainWindow::Tab::Style;
    return MainWindow::Tab::Browser;
}

/// Runs the steps asked for on the command line as soon as what they need is there.
void advance(MainWindow& w, StartupPlan& plan)
{
    const bool haveData = w.loadedDataset().has_value() && w.browser()->currentNote().has_value();
    const bool haveModel = w.correlationService()->ready();
    if (plan.correlate && !plan.correlationDone && haveData && haveModel && !w.browser()->queryRunning()) {
        plan.correlationDone = true;
        w.correlationPanel()->compute();
    }
    if (!plan.pair.isEmpty() && !plan.pairDone && w.loadedDataset()) {
        const auto a = w.loadedDataset()->dataset.find(plan.pair.value(0).toStdString());
        const auto b = w.loadedDataset()->dataset.find(plan.pair.value(1).toStdString());
        plan.pairDone = true;
        if (a && b)
            w.choosePair(*a, *b);
        else
            std::fprintf(stderr, "morphstation: --pair %s not found\n", qPrintable(plan.pair.join(QLatin1Char(','))));
    }
    if (!plan.trainRun.isEmpty() && !plan.trainingDone && w.loadedDataset()) {
        plan.trainingDone = true;
        w.trainingPanel()->setRunFolder(plan.trainRun);
        w.trainingPanel()->startRun();
    }
}

/// Whether what the screenshot should show is ready.
bool readyForShot(MainWindow& w, const StartupPlan& plan)
{
    if (!w.isIdle()) return false;
    if (plan.correlate && (!plan.correlationDone || !w.correlationService()->result())) return false;
    if (!plan.pair.isEmpty()) {
        auto* m = w.morphController();
        if (!plan.pairDone || !m->pairReady() || m->ladderReady() < morph::ui::MorphController::kLadderSteps + 1)
            return false;
        if (!w.morphPanel()->shownFrame()) return false;
    }
    if (!plan.trainRun.isEmpty() && w.trainingPanel()->epochPoints() < plan.screenshotEpochs) return false;
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    morph::relaunchWithPassiveOpenMp(argc, argv);  // before any thread exists (see TorchRuntime.h)
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Morphstation"));
    QApplication::setApplicationName(QStringLiteral("morphstation"));
    QApplication::setApplicationVersion(QStringLiteral("0.2"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/morphstation.png")));  // resources/morphstation.qrc

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Neural audio synthesis by interpolation: the workstation"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption data({QStringLiteral("d"), QStringLiteral("data")},
                                  QStringLiteral("NSynth dataset folder to open."), QStringLiteral("DIR"));
    const QCommandLineOption model({QStringLiteral("m"), QStringLiteral("model")},
                                   QStringLiteral("Model checkpoint to use (remembered)."), QStringLiteral("CKPT"));
    const QCommandLineOption select(QStringLiteral("select"), QStringLiteral("Note to select (note_str)."),
                                    QStringLiteral("NOTE"));
    const QCommandLineOption axis(QStringLiteral("axis"), QStringLiteral("Spectrogram frequency axis."),
                                  QStringLiteral("linear|log|mel"));
    const QCommandLineOption tab(QStringLiteral("tab"), QStringLiteral("Tab to show at start."),
                                 QStringLiteral("browser|correlation|morph|training|model|style"));
    const QCommandLineOption correlate(QStringLiteral("correlate"),
                                       QStringLiteral("Compute the correlation matrix once data and model are loaded."));
    const QCommandLineOption pair(QStringLiteral("pair"), QStringLiteral("Notes A and B (note_str,note_str)."),
                                  QStringLiteral("A,B"));
    const QCommandLineOption slider(QStringLiteral("slider"), QStringLiteral("Morph slider position 0..1."),
                                    QStringLiteral("T"));
    const QCommandLineOption pad(QStringLiteral("pad"), QStringLiteral("Show the XY pad at this position."),
                                 QStringLiteral("X,Y"));
    const QCommandLineOption train(QStringLiteral("train"),
                                   QStringLiteral("Start training into this run folder once the dataset is open."),
                                   QStringLiteral("RUN"));
    const QCommandLineOption trainArch(QStringLiteral("train-arch"), QStringLiteral("Architecture for --train."),
                                       QStringLiteral("single|double|triple|frame1d"));
    const QCommandLineOption trainEpochs(QStringLiteral("train-epochs"), QStringLiteral("Epochs for --train."),
                                         QStringLiteral("N"));
    const QCommandLineOption trainNotes(QStringLiteral("train-notes"), QStringLiteral("Notes per set for --train."),
                                        QStringLiteral("N"));
    const QCommandLineOption trainSlices(QStringLiteral("train-slices"),
                                         QStringLiteral("Slices per epoch for --train."), QStringLiteral("N"));
    const QCommandLineOption trainChannels(QStringLiteral("train-channels"),
                                           QStringLiteral("Channel widths for --train."), QStringLiteral("LIST"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Save the window as PNG once loaded, then exit."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size for --screenshot."),
                                  QStringLiteral("WxH"), QStringLiteral("1400x900"));
    const QCommandLineOption shotEpochs(QStringLiteral("screenshot-epochs"),
                                        QStringLiteral("With --train: take the screenshot after N epochs."),
                                        QStringLiteral("N"), QStringLiteral("2"));
    const QCommandLineOption noAudio(QStringLiteral("no-audio"), QStringLiteral("Do not open an audio device."));
    parser.addOptions({data, model, select, axis, tab, correlate, pair, slider, pad, train, trainArch, trainEpochs,
                       trainNotes, trainSlices, trainChannels, screenshot, size, shotEpochs, noAudio});
    parser.process(app);

    morph::ui::MainWindowOptions options;
    options.dataPath = parser.value(data);
    options.modelPath = parser.value(model);
    options.openAudio = !parser.isSet(noAudio);
    options.restoreLast = !parser.isSet(screenshot);
    MainWindow window(options);
    if (parser.isSet(axis)) {
        const QString a = parser.value(axis).toLower();
        window.viewer()->setFrequencyAxis(a == QLatin1String("log")   ? morph::ui::FrequencyAxis::Log
                                          : a == QLatin1String("mel") ? morph::ui::FrequencyAxis::Mel
                                                                      : morph::ui::FrequencyAxis::Linear);
    }
    if (parser.isSet(tab)) window.showTab(parseTab(parser.value(tab)));
    if (parser.isSet(select)) {
        const QString note = parser.value(select);
        QObject::connect(&window, &MainWindow::datasetOpened, &window, [&window, note] {
            if (!window.browser()->selectNote(note))
                std::fprintf(stderr, "morphstation: note %s not found\n", qPrintable(note));
        });
    }

    StartupPlan plan;
    plan.correlate = parser.isSet(correlate);
    if (parser.isSet(pair)) plan.pair = parser.value(pair).split(QLatin1Char(','));
    if (parser.isSet(slider)) window.morphPanel()->slider()->setValue(int(parser.value(slider).toDouble() * 1000));
    if (parser.isSet(pad)) {
        const QStringList xy = parser.value(pad).split(QLatin1Char(','));
        window.morphPanel()->setMode(morph::ui::MorphPanel::Mode::Pad);
        window.morphPanel()->pad()->setPosition(xy.value(0).toDouble(), xy.value(1).toDouble());
    }
    if (parser.isSet(train)) {
        plan.trainRun = parser.value(train);
        plan.screenshotEpochs = parser.value(shotEpochs).toInt();
        auto* t = window.trainingPanel();
        if (parser.isSet(data)) t->setDatasetPath(parser.value(data));
        if (parser.isSet(trainArch)) t->setArchitecture(parser.value(trainArch));
        if (parser.isSet(trainEpochs)) t->setEpochs(parser.value(trainEpochs).toInt());
        if (parser.isSet(trainNotes)) t->setMaxNotes(parser.value(trainNotes).toInt());
        if (parser.isSet(trainSlices)) t->setSlicesPerEpoch(parser.value(trainSlices).toInt());
        if (parser.isSet(trainChannels)) t->setChannels(parser.value(trainChannels));
    }
    auto* driver = new QTimer(&window);
    QObject::connect(driver, &QTimer::timeout, &window, [&window, &plan] { advance(window, plan); });
    driver->start(100);

    if (parser.isSet(screenshot)) {
        const QStringList wh = parser.value(size).split(QLatin1Char('x'));
        window.resize(wh.value(0).toInt() > 0 ? wh.value(0).toInt() : 1400, wh.value(1).toInt() > 0 ? wh.value(1).toInt() : 900);
        window.show();
        window.setCloseConfirmation([] { return true; });
        const QString file = parser.value(screenshot);
        auto* poll = new QTimer(&window);
        auto* clock = new QElapsedTimer;
        clock->start();
        int idleTicks = 0;
        const int timeoutMs = plan.trainRun.isEmpty() ? 120000 : 480000;
        QObject::connect(poll, &QTimer::timeout, &window, [&window, &app, &plan, poll, clock, file, &idleTicks, timeoutMs] {
            idleTicks = readyForShot(window, plan) ? idleTicks + 1 : 0;
            const bool timedOut = clock->elapsed() > timeoutMs;
            if (idleTicks < 5 && !timedOut) return; // ready for 0.5 s: queued replots are done
            poll->stop();
            const bool saved = window.grab().save(file, "PNG");
            std::fprintf(stderr, "morphstation: %s %s%s\n", saved ? "saved" : "could not save", qPrintable(file),
                         timedOut ? " (timed out waiting for work to finish)" : "");
            delete clock;
            if (window.trainingRunner()->running()) { // stop the run cleanly, then quit
                QObject::connect(window.trainingRunner(), &morph::ui::TrainingRunner::finished, &app,
                                 [&app, saved] { app.exit(saved ? 0 : 1); });
                window.trainingRunner()->stop();
                return;
            }
            app.exit(saved ? 0 : 1);
        });
        poll->start(100);
        return app.exec();
    }
    window.show();
    return app.exec();
}
