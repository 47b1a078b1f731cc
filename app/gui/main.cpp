// morphstation: the Qt workstation. Wiring only: parses the command line and shows MainWindow.
//   morphstation [--data DIR] [--model CKPT] [--select NOTE] [--axis linear|log|mel]
//                [--screenshot FILE [--size WxH]]
// --screenshot renders the window once everything has loaded (dataset, note analysis), saves it
// as PNG and exits (exit code 0 = saved); used by tests/screenshots.sh under xvfb-run.
#include "DatasetBrowser.h"
#include "MainWindow.h"
#include "model/TorchRuntime.h"
#include "NoteViewer.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QTimer>

#include <cstdio>

int main(int argc, char** argv)
{
    morph::relaunchWithPassiveOpenMp(argc, argv);  // before any thread exists (see TorchRuntime.h)
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Morphstation"));
    QApplication::setApplicationName(QStringLiteral("morphstation"));
    QApplication::setApplicationVersion(QStringLiteral("0.1"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Neural audio synthesis by interpolation: the workstation"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption data({QStringLiteral("d"), QStringLiteral("data")},
                                  QStringLiteral("NSynth dataset folder to open."), QStringLiteral("DIR"));
    const QCommandLineOption model({QStringLiteral("m"), QStringLiteral("model")},
                                   QStringLiteral("Model checkpoint to use."), QStringLiteral("CKPT"));
    const QCommandLineOption select(QStringLiteral("select"), QStringLiteral("Note to select (note_str)."),
                                    QStringLiteral("NOTE"));
    const QCommandLineOption axis(QStringLiteral("axis"), QStringLiteral("Spectrogram frequency axis."),
                                  QStringLiteral("linear|log|mel"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Save the window as PNG once loaded, then exit."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size for --screenshot."),
                                  QStringLiteral("WxH"), QStringLiteral("1400x900"));
    const QCommandLineOption noAudio(QStringLiteral("no-audio"), QStringLiteral("Do not open an audio device."));
    parser.addOptions({data, model, select, axis, screenshot, size, noAudio});
    parser.process(app);

    morph::ui::MainWindowOptions options;
    options.dataPath = parser.value(data);
    options.modelPath = parser.value(model);
    options.openAudio = !parser.isSet(noAudio);
    options.restoreLast = !parser.isSet(screenshot);
    morph::ui::MainWindow window(options);
    if (parser.isSet(axis)) {
        const QString a = parser.value(axis).toLower();
        window.viewer()->setFrequencyAxis(a == QLatin1String("log")   ? morph::ui::FrequencyAxis::Log
                                          : a == QLatin1String("mel") ? morph::ui::FrequencyAxis::Mel
                                                                      : morph::ui::FrequencyAxis::Linear);
    }
    if (parser.isSet(select)) {
        const QString note = parser.value(select);
        QObject::connect(&window, &morph::ui::MainWindow::datasetOpened, &window, [&window, note] {
            if (!window.browser()->selectNote(note))
                std::fprintf(stderr, "morphstation: note %s not found\n", qPrintable(note));
        });
    }

    if (parser.isSet(screenshot)) {
        const QStringList wh = parser.value(size).split(QLatin1Char('x'));
        window.resize(wh.value(0).toInt() > 0 ? wh.value(0).toInt() : 1400, wh.value(1).toInt() > 0 ? wh.value(1).toInt() : 900);
        window.show();
        const QString file = parser.value(screenshot);
        auto* poll = new QTimer(&window);
        auto* clock = new QElapsedTimer;
        clock->start();
        int idleTicks = 0;
        QObject::connect(poll, &QTimer::timeout, &window, [&window, &app, poll, clock, file, &idleTicks] {
            idleTicks = window.isIdle() ? idleTicks + 1 : 0;
            const bool timedOut = clock->elapsed() > 60000;
            if (idleTicks < 5 && !timedOut) return; // idle for 0.5 s: queued replots are done
            poll->stop();
            const bool saved = window.grab().save(file, "PNG");
            std::fprintf(stderr, "morphstation: %s %s%s\n", saved ? "saved" : "could not save", qPrintable(file),
                         timedOut ? " (timed out waiting for work to finish)" : "");
            delete clock;
            app.exit(saved ? 0 : 1);
        });
        poll->start(100);
        return app.exec();
    }
    window.show();
    return app.exec();
}
