#pragma once
// The model the workstation uses: loads a self-describing checkpoint on the thread pool (read
// the header, rebuild the network, load the weights, build the morph engine), then swaps it in
// on the GUI thread ("load aside, then swap"); a failed load leaves the current model in place.
// The latest load() wins; the work shows in the Background work dock.
//
// Thread contract: GUI thread only. model() / engine() hand out shared pointers that workers may
// keep using after a swap (the old model lives until its last user lets go).
#include <QObject>
#include <QPointer>
#include <QString>

#include <cstdint>
#include <memory>

namespace morph {
class ModelRunner;
class MorphEngine;
} // namespace morph

namespace morph::ui {

class BackgroundJobs;

/// What a finished load hands over.
struct LoadedModel {
    std::shared_ptr<const ModelRunner> runner;
    std::shared_ptr<const MorphEngine> engine;
    QString path;
    QString description;   ///< readCheckpointInfo().describe() + where it runs
    QString summary;       ///< one line: architecture and file name
    double seconds = 0.0;  ///< time to load, measured on the worker
};

class ModelService : public QObject {
    Q_OBJECT
public:
    explicit ModelService(BackgroundJobs* jobs, QObject* parent = nullptr);
    ~ModelService() override;

    /// Starts loading `path` on the pool; device "auto" = CUDA when available, else CPU.
    void load(const QString& path, const QString& device = QStringLiteral("auto"));

    /// Arithmetic of the CPU fast path: "auto" (bfloat16 where the CPU has it natively),
    /// "float32" (exact) or "bfloat16". Remembered in QSettings; a change reloads the current
    /// model with it (load aside, then swap, as any load). False (and no change) for another name.
    QString precisionChoice() const { return precision_; }
    bool setPrecisionChoice(const QString& choice);
    bool busy() const { return running_ > 0; }

    std::shared_ptr<const ModelRunner> model() const;
    std::shared_ptr<const MorphEngine> engine() const;
    const LoadedModel* current() const { return current_.get(); }
    QString path() const;

    /// Loads synchronously (what the worker runs). Throws CheckpointError / ConfigError.
    static LoadedModel loadNow(const QString& path, const QString& device = QStringLiteral("auto"),
                               const QString& precision = QStringLiteral("auto"));
    /// readCheckpointInfo(path).describe(): fast, no LibTorch. Throws CheckpointError.
    static QString describeFile(const QString& path);
    /// <repo>/models/default/model.pt (next to the build tree or the working folder), if it exists.
    static QString defaultModelPath();

signals:
    void loadStarted(const QString& path);
    void modelChanged();
    void loadFailed(const QString& path, const QString& message);

private:
    QPointer<BackgroundJobs> jobs_; // may go before us when the window is destroyed
    std::shared_ptr<const LoadedModel> current_;
    std::uint64_t generation_ = 0;
    int running_ = 0;
    QString precision_;
};

} // namespace morph::ui
