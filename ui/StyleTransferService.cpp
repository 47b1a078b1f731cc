#include "StyleTransferService.h"

#include "Async.h"
#include "BackgroundJobs.h"
#include "GuiRelay.h"
#include "dataset/AudioFile.h"
#include "dataset/NSynthDataset.h"
#include "dsp/DbScale.h"
#include "model/TorchRuntime.h"
#include "util/Errors.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace morph::ui {

std::shared_ptr<const SpectrogramData> displaySpectrogram(const dsp::Spectrogram& representation, bool db,
                                                         int sampleRate, int nFft, int hop)
{
    dsp::Spectrogram mag = representation;
    if (db) {
        dsp::dbToAmplitudeInPlace(mag, 1.f);
    } else {
        for (float& v : mag.values)
            v = std::expm1(std::max(v, 0.f));
    }
    const float ref = std::max(dsp::maxValue(mag), 1e-5f);
    dsp::amplitudeToDbInPlace(mag, ref);
    auto s = std::make_shared<SpectrogramData>();
    s->bins = mag.bins;
    s->frames = mag.frames;
    s->db = std::move(mag.values);
    s->sampleRate = sampleRate;
    s->nFft = nFft;
    s->hop = hop;
    return s;
}

StyleTransferService::StyleTransferService(BackgroundJobs* jobs, QObject* parent)
    : QObject(parent), jobs_(jobs), relay_(GuiRelay::create(this))
{
    if (jobs_)
        connect(jobs_, &BackgroundJobs::jobChanged, this, [this](int id) {
            const BackgroundJobs::Job* j = jobs_->job(id);
            if (id == job_ && j && j->cancelRequested) stop();
        });
    connect(&worker_, &WorkerThread::finished, this, &StyleTransferService::onThreadEnded);
    connect(this, &StyleTransferService::progress, this, [this](int iteration, int iterations, const style::LossTerms& l) {
        if (!jobs_ || !job_) return;
        jobs_->setProgress(job_, iterations > 0 ? double(iteration) / iterations : 1.0,
                           tr("iteration %1 / %2, loss %3").arg(iteration).arg(iterations).arg(l.total, 0, 'g', 4));
    });
}

StyleTransferService::~StyleTransferService()
{
    relay_->detach();
    worker_.cancelAndJoin(); // exit only: the run stops before its next loss evaluation
    if (job_ && jobs_) jobs_->finish(job_);
}

void StyleTransferService::setDataset(std::shared_ptr<const NSynthDataset> dataset)
{
    if (dataset == dataset_) return;
    dataset_ = std::move(dataset);
    emit datasetChanged();
}

bool StyleTransferService::start(std::size_t contentNote, std::size_t styleNote,
                                 const style::StyleTransferOptions& options)
{
    if (worker_.running() || !dataset_ || contentNote >= dataset_->size() || styleNote >= dataset_->size()) return false;
    cancel_ = CancelToken();
    const QString contentName = QString::fromStdString(dataset_->note(contentNote).noteStr);
    const QString styleName = QString::fromStdString(dataset_->note(styleNote).noteStr);
    if (jobs_) {
        job_ = jobs_->start(tr("Style transfer: %1 in the style of %2").arg(contentName, styleName), cancel_);
        jobs_->setProgress(job_, -1.0, tr("preparing"));
    }
    auto relay = relay_;
    CancelToken cancel = cancel_;
    const std::filesystem::path contentPath = dataset_->audioPath(contentNote);
    const std::filesystem::path stylePath = dataset_->audioPath(styleNote);
    emit started(options.iterations);
    worker_.start(cancel_, [this, relay, cancel, options, contentPath, stylePath, contentName, styleName] {
        // ---- worker thread: touch only the captured values, `cancel` and the relay ----
        WorkerOutcome done;
        // LibTorch's thread count is per calling thread here and defaults to 1: use every core
        // for this run (the thread runs at low priority, so the GUI and audio still come first).
        configureTorchRuntime(0);
        try {
            auto load = [](const std::filesystem::path& path) {
                const LoadedAudio audio = loadAudio(path, 0);
                style::AudioClip clip;
                clip.samples = audio.samples;
                clip.sampleRate = audio.sampleRate;
                clip.name = path.filename().string();
                return clip;
            };
            const style::AudioClip content = load(contentPath), styleClip = load(stylePath);
            const style::StyleTransfer transfer(options);
            auto lastPost = std::chrono::steady_clock::now() - std::chrono::seconds(1);
            style::StyleTransferResult result = transfer.run(
                content, styleClip,
                [&](const style::StyleTransferProgress& p) {
                    const auto now = std::chrono::steady_clock::now();
                    if (p.iteration < p.iterations && p.iteration > 0
                        && now - lastPost < std::chrono::milliseconds(kProgressIntervalMs))
                        return;
                    lastPost = now;
                    relay->post([this, p] { emit progress(p.iteration, p.iterations, p.loss); });
                },
                &cancel);
            auto outcome = std::make_shared<StyleTransferOutcome>();
            const bool db = result.representation == "dB";
            outcome->content = displaySpectrogram(result.content, db, result.sampleRate, result.nFft, result.hop);
            outcome->style = displaySpectrogram(result.style, db, result.sampleRate, result.nFft, result.hop);
            outcome->output = displaySpectrogram(result.output, db, result.sampleRate, result.nFft, result.hop);
            outcome->contentName = contentName;
            outcome->styleName = styleName;
            outcome->contentAudio = content.sampleRate == result.sampleRate
                                        ? content.samples
                                        : resampleMono(content.samples, content.sampleRate, result.sampleRate);
            outcome->styleAudio = styleClip.sampleRate == result.sampleRate
                                      ? styleClip.samples
                                      : resampleMono(styleClip.samples, styleClip.sampleRate, result.sampleRate);
            const auto& first = result.lossCurve.front();
            const auto& last = result.lossCurve.back();
            done.message = tr("Done in %1 s (+ Griffin-Lim %2 s) on %3: style loss %4 → %5%6")
                               .arg(result.optimiseSeconds, 0, 'f', 1)
                               .arg(result.griffinLimSeconds, 0, 'f', 2)
                               .arg(QString::fromStdString(result.device))
                               .arg(first.style, 0, 'g', 4)
                               .arg(last.style, 0, 'g', 4)
                               .arg(result.peakGain < 1.f ? tr(" (peak-limited)") : QString());
            outcome->result = std::move(result);
            done.ok = true;
            relay->post([this, o = std::shared_ptr<const StyleTransferOutcome>(outcome)] {
                outcome_ = o;
                emit resultReady(o);
            });
        } catch (const CancelledError&) {
            done.cancelled = true;
            done.message = tr("Stopped");
        } catch (const std::exception& e) { // typed morph errors: shown to the user
            done.message = QString::fromStdString(e.what());
        }
        return done;
    });
    return true;
}

void StyleTransferService::stop()
{
    if (worker_.running()) cancel_.cancel();
}

void StyleTransferService::onThreadEnded(const WorkerOutcome& outcome)
{
    // The run's last post (the result) was queued before the thread's end: it has run.
    if (job_ && jobs_) jobs_->finish(job_);
    job_ = 0;
    emit finished(outcome.ok, outcome.cancelled, outcome.message);
}

bool StyleTransferService::waitForFinished(int milliseconds) { return worker_.waitForFinished(milliseconds); }

bool StyleTransferService::exportWav(const QString& file)
{
    if (!outcome_) return false;
    auto outcome = outcome_;
    runAsync(this,
             [outcome, path = file.toStdString()] {
                 writeWav16(path, outcome->result.audio, outcome->result.sampleRate);
                 return true;
             },
             [this, file](Outcome<bool> o) {
                 emit exportFinished(o.ok(), o.ok() ? tr("Wrote %1").arg(file) : o.error);
             });
    return true;
}

} // namespace morph::ui
