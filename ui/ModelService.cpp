#include "ModelService.h"

#include "Async.h"
#include "BackgroundJobs.h"
#include "model/CheckpointInfo.h"
#include "model/ModelRunner.h"
#include "morph/MorphEngine.h"
#include "util/Errors.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSettings>

#include <chrono>

namespace morph::ui {

namespace {
constexpr int kSlicesPerNote = 124;  // a 4 s note (METHOD §2): the batch every morph decodes
const char* const kPrecisionKey = "model/precision";
}

ModelService::ModelService(BackgroundJobs* jobs, QObject* parent)
    : QObject(parent), jobs_(jobs), precision_(QSettings().value(kPrecisionKey, QStringLiteral("auto")).toString())
{
}

bool ModelService::setPrecisionChoice(const QString& choice)
{
    try {
        parseInferencePrecision(choice.toStdString());  // the one list of names
    } catch (const ConfigError&) {
        return false;
    }
    if (choice == precision_) return true;
    precision_ = choice;
    QSettings().setValue(kPrecisionKey, choice);
    if (current_) load(current_->path);
    return true;
}

ModelService::~ModelService() = default;

std::shared_ptr<const ModelRunner> ModelService::model() const
{
    return current_ ? current_->runner : nullptr;
}

std::shared_ptr<const MorphEngine> ModelService::engine() const
{
    return current_ ? current_->engine : nullptr;
}

QString ModelService::path() const { return current_ ? current_->path : QString(); }

QString ModelService::describeFile(const QString& path)
{
    return QString::fromStdString(readCheckpointInfo(std::filesystem::path(path.toStdString())).describe());
}

LoadedModel ModelService::loadNow(const QString& path, const QString& device, const QString& precision)
{
    const auto start = std::chrono::steady_clock::now();
    const std::filesystem::path file(path.toStdString());
    const CheckpointInfo info = readCheckpointInfo(file);
    std::unique_ptr<ModelRunner> loadedRunner = ModelRunner::load(file, device.toStdString());
    // "auto": the slider budget, bfloat16 hidden layers where the CPU has them (docs/MODELS.md).
    loadedRunner->setPrecision(parseInferencePrecision(precision.toStdString()));
    loadedRunner->warmUp(kSlicesPerNote);  // here on the loader thread, not on the first slider move
    std::shared_ptr<const ModelRunner> runner = std::move(loadedRunner);
    LoadedModel loaded;
    loaded.engine = std::make_shared<const MorphEngine>(runner);
    loaded.runner = std::move(runner);
    loaded.path = path;
    loaded.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // Short enough for the status bar: "default/model.pt (single log-mag, 16-32-32-32)".
    const QFileInfo shown(path);
    loaded.summary = QStringLiteral("%1/%2 (%3 %4, %5)")
                         .arg(shown.dir().dirName(), shown.fileName(),
                              QString::fromLatin1(architectureName(info.config.arch)),
                              info.config.mel ? QStringLiteral("mel") : QStringLiteral("log-mag"),
                              QString::fromStdString(channelsText(info.config.effectiveChannels())));
    loaded.description = QString::fromStdString(info.describe()) +
                         QStringLiteral("\nRunning on %1, %3 (loaded in %2 s).\n\nEverything the checkpoint says about "
                                        "itself:\n")
                             .arg(QString::fromStdString(loaded.runner->device()))
                             .arg(loaded.seconds, 0, 'f', 2)
                             .arg(QString::fromLatin1(inferencePrecisionName(loaded.runner->precision()))) +
                         QString::fromStdString(info.metadataJson);
    return loaded;
}

void ModelService::load(const QString& path, const QString& device)
{
    const std::uint64_t generation = ++generation_;
    ++running_;
    const int job = jobs_ ? jobs_->start(tr("Loading model %1").arg(QFileInfo(path).fileName())) : 0;
    emit loadStarted(path);
    runAsync(
        this, [path, device, precision = precision_] {
            return std::make_shared<const LoadedModel>(loadNow(path, device, precision));
        },
        [this, generation, job, path](Outcome<std::shared_ptr<const LoadedModel>> outcome) {
            --running_;
            if (jobs_) jobs_->finish(job);
            if (generation != generation_) return; // a newer load was asked for meanwhile
            if (!outcome.ok()) {
                emit loadFailed(path, outcome.error);
                return;
            }
            current_ = *outcome.value; // the swap: the previous model lives on while workers hold it
            emit modelChanged();
        });
}

QString ModelService::defaultModelPath()
{
    const QString rel = QStringLiteral("models/default/model.pt");
    const QDir app(QCoreApplication::applicationDirPath());
    const QStringList candidates = {app.absoluteFilePath(QStringLiteral("../../") + rel), // build/app/morphstation
                                    app.absoluteFilePath(QStringLiteral("../") + rel),
                                    QDir::current().absoluteFilePath(rel)};
    for (const QString& c : candidates)
        if (QFileInfo(c).isFile()) return QFileInfo(c).canonicalFilePath();
    return {};
}

} // namespace morph::ui
