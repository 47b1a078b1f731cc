#pragma once
// Qt-test support (no torch here): a tiny real checkpoint written at build time by the
// morph_make_tiny_model fixture tool (a separate, torch-only executable), the pitch-60
// dataset path, and the main-window set-up of the whole-window tests.
#include "MainWindow.h"

#include <QCoreApplication>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QString>
#include <QStringList>
#include <QtTest>

namespace morph::test {

/// Private, empty settings for this test executable (QStandardPaths test mode).
inline void isolateSettings(const char* testName)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("MorphstationTest"));
    QCoreApplication::setApplicationName(QString::fromLatin1(testName));
    QSettings().clear();
}

inline QString pitch60Dir() { return QStringLiteral(MORPH_SHARED_DATA_DIR "/nsynth-test-pitch60"); }

/// The checkpoint the build trained (tests/fixtures/tiny_single.pt in the build tree).
inline QString tinyModel() { return QStringLiteral(MORPH_TINY_MODEL); }

/// Writes a tiny trained checkpoint to `file` (a few seconds); returns false with a warning.
inline bool makeTinyModel(const QString& file, const QString& arch = QStringLiteral("single"), int steps = 60)
{
    QProcess p;
    p.start(QStringLiteral(MORPH_TINY_MODEL_TOOL), {file, arch, QString::number(steps)});
    if (!p.waitForFinished(120000) || p.exitCode() != 0) {
        qWarning("morph_make_tiny_model failed: %s", p.readAllStandardError().constData());
        return false;
    }
    return true;
}

/// Main-window options of the whole-window tests: the 60 pitch-60 notes, the build's tiny model,
/// no audio device, and `embeddingCache` (e.g. a QTemporaryDir's path) as the embedding cache.
inline ui::MainWindowOptions pitch60WindowOptions(const QString& embeddingCache)
{
    ui::MainWindowOptions options;
    options.dataPath = pitch60Dir();
    options.modelPath = tinyModel();
    options.openAudio = false;
    options.embeddingCache = embeddingCache;
    return options;
}

} // namespace morph::test
