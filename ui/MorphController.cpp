#include "MorphController.h"

#include "Async.h"
#include "BackgroundJobs.h"
#include "GuiRelay.h"
#include "dataset/AudioFile.h"
#include "dataset/NSynthDataset.h"
#include "dsp/DbScale.h"
#include "model/ModelRunner.h"
#include "morph/LiveMorph.h"
#include "util/Errors.h"

#include <QDir>
#include <QThreadPool>

#include <algorithm>
#include <cmath>

namespace morph::ui {

namespace {

int keyOf(float t) { return int(std::lround(double(t) * 10000.0)); }
constexpr int kRungKey = 10000 / MorphController::kLadderSteps;
bool isRung(int key) { return key % kRungKey == 0; }
constexpr std::size_t kMaxFrames = 48; ///< frames kept for display besides the ladder rungs

/// A LiveMorph's destructor finishes the render in progress: let a pool thread wait for it.
void disposeInBackground(std::unique_ptr<LiveMorph> live)
{
    if (!live) return;
    live->setReadyCallback({});
    live->setPaused(true);
    std::shared_ptr<LiveMorph> owned(std::move(live));
    QThreadPool::globalInstance()->start([owned]() mutable { owned.reset(); });
}

struct EncodedSlot {
    std::shared_ptr<const EncodedNote> encoded;
    std::vector<float> audio;
};

} // namespace

std::shared_ptr<const SpectrogramData> spectrogramOfRender(const MorphRender& render, int sampleRate, int nFft, int hop)
{
    auto s = std::make_shared<SpectrogramData>();
    const dsp::Spectrogram& m = render.magnitude;
    const float ref = std::max(dsp::maxValue(m), 1e-5f);
    const dsp::Spectrogram db = dsp::amplitudeToDb(m, ref);
    s->bins = db.bins;
    s->frames = db.frames;
    s->db = db.values;
    s->sampleRate = sampleRate;
    s->nFft = nFft;
    s->hop = hop;
    return s;
}

MorphController::MorphController(BackgroundJobs* jobs, QObject* parent)
    : QObject(parent), jobs_(jobs), relay_(GuiRelay::create(this))
{
}

MorphController::~MorphController()
{
    relay_->detach();
    finishLadderJob();
    live_.reset(); // joins its worker after the render in progress (only at exit)
}

int MorphController::sampleRate() const { return engine_ ? engine_->model().config().sampleRate : 16000; }

void MorphController::setEngine(std::shared_ptr<const MorphEngine> engine)
{
    engine_ = std::move(engine);
    ++engineGeneration_;
    lastPad_.reset();
    padPending_.reset();
    resetLive();
    for (int s = 0; s < kSlots; ++s) {
        slots_[std::size_t(s)].encoded.reset();
        encodeSlot(s);
    }
    updatePair();
}

void MorphController::setDataset(std::shared_ptr<const NSynthDataset> dataset)
{
    dataset_ = std::move(dataset);
    ++engineGeneration_;
    lastPad_.reset();
    padPending_.reset();
    for (Slot& s : slots_) {
        s = Slot{std::nullopt, nullptr, {}, s.generation + 1, false};
    }
    resetLive();
    updatePair();
}

void MorphController::setSlot(int slot, std::optional<std::size_t> note)
{
    if (slot < 0 || slot >= kSlots) return;
    Slot& s = slots_[std::size_t(slot)];
    if (s.note == note && (s.encoded || s.encoding)) return;
    s.note = note;
    s.encoded.reset();
    s.audio.clear();
    if (slot >= 2) lastPad_.reset();
    encodeSlot(slot);
    if (slot < 2) updatePair();
}

void MorphController::encodeSlot(int slot)
{
    Slot& s = slots_[std::size_t(slot)];
    const std::uint64_t generation = ++s.generation;
    s.encoding = false;
    if (!s.note || !engine_ || !dataset_) return;
    for (const Slot& other : slots_) // the same note in another slot: share its encoding
        if (&other != &s && other.note == s.note && other.encoded) {
            s.encoded = other.encoded;
            s.audio = other.audio;
            emit slotEncoded(slot);
            return;
        }
    s.encoding = true;
    const std::size_t index = *s.note;
    runAsync(
        this,
        [engine = engine_, dataset = dataset_, index] {
            const ModelRunner& model = engine->model();
            LoadedAudio audio = loadNoteAudio(dataset->audioPath(index), model.config().sampleRate);
            EncodedSlot out;
            out.encoded = std::make_shared<const EncodedNote>(
                encodeNote(model, audio.samples, dataset->note(index).noteStr));
            out.audio = std::move(audio.samples);
            return out;
        },
        [this, slot, generation, engineGeneration = engineGeneration_](Outcome<EncodedSlot> outcome) {
            Slot& s = slots_[std::size_t(slot)];
            if (generation != s.generation || engineGeneration != engineGeneration_) return;
            s.encoding = false;
            if (!outcome.ok()) {
                emit slotFailed(slot, outcome.error);
                return;
            }
            s.encoded = outcome.value->encoded;
            s.audio = std::move(outcome.value->audio);
            emit slotEncoded(slot);
            if (slot < 2) updatePair();
        });
}

void MorphController::resetLive()
{
    finishLadderJob();
    disposeInBackground(std::move(live_));
    frames_.clear();
    ladderReady_ = 0;
    pairReady_ = false;
    if (!engine_) return;
    live_ = std::make_unique<LiveMorph>(engine_, kLadderSteps);
    live_->setOptions(options_);
    const std::uint64_t generation = ++liveGeneration_;
    const ModelConfig& c = engine_->model().config();
    live_->setReadyCallback([relay = relay_, this, generation, sr = c.sampleRate, nFft = c.nFft,
                             hop = c.hop](float t, const std::shared_ptr<const MorphRender>& render, bool exact) {
        // Worker thread: prepare the display here, then hand the frame to the GUI thread.
        auto frame = std::make_shared<MorphFrame>();
        frame->t = t;
        frame->exact = exact;
        frame->render = render;
        frame->spectrogram = spectrogramOfRender(*render, sr, nFft, hop);
        relay->post([this, generation, frame = std::shared_ptr<const MorphFrame>(frame)] {
            if (generation == liveGeneration_) onLiveFrame(frame);
        });
    });
}

void MorphController::updatePair()
{
    const auto a = slots_[0].encoded;
    const auto b = slots_[1].encoded;
    const bool ready = a && b && live_;
    finishLadderJob();
    frames_.clear();
    ladderReady_ = 0;
    if (ready) {
        live_->setPair(a, b, currentT_);
        if (jobs_)
            ladderJob_ = jobs_->start(tr("Pre-rendering %1 → %2").arg(QString::fromStdString(a->name),
                                                                       QString::fromStdString(b->name)));
    } else if (live_ && pairReady_) {
        live_->setPair(nullptr, nullptr);
    }
    pairReady_ = ready;
    emit pairChanged(ready);
    if (ready) emit ladderProgress(0, kLadderSteps + 1);
}

void MorphController::finishLadderJob()
{
    if (ladderJob_ && jobs_) jobs_->finish(ladderJob_);
    ladderJob_ = 0;
}

void MorphController::setOptions(const MorphOptions& options)
{
    options_ = options;
    if (!live_) return;
    live_->setOptions(options_);
    if (pairReady_) updatePair(); // renders were invalidated: the ladder starts again
}

std::shared_ptr<const MorphFrame> MorphController::request(float t)
{
    currentT_ = std::clamp(t, 0.f, 1.f);
    if (!live_ || !pairReady_) return nullptr;
    const auto render = live_->request(currentT_);
    if (!render) return nullptr;
    for (const auto& [key, frame] : frames_)
        if (frame->render == render) return frame;
    // Ready in LiveMorph but its callback (with the spectrogram made on the worker) has not
    // reached us yet: a frame without spectrogram plays now; the callback's frame follows.
    const auto [readyT, readyRender] = live_->nearestReady(currentT_);
    auto frame = std::make_shared<MorphFrame>();
    frame->t = readyRender == render ? readyT : currentT_;
    frame->exact = keyOf(frame->t) == keyOf(currentT_);
    frame->render = render;
    return frame;
}

std::shared_ptr<const MorphFrame> MorphController::frameAt(float t) const
{
    const auto it = frames_.find(keyOf(t));
    return it == frames_.end() ? nullptr : it->second;
}

void MorphController::onLiveFrame(std::shared_ptr<const MorphFrame> frame)
{
    if (!pairReady_) return;
    // A render of a previous pair/options may arrive after setPair/setOptions: LiveMorph dropped
    // it, so it is not among its ready renders any more.
    if (live_->nearestReady(frame->t).second != frame->render) return;
    const int key = keyOf(frame->t);
    frames_[key] = frame;
    if (frames_.size() > kMaxFrames + kLadderSteps + 1) {
        // Forget the non-rung frame farthest from the slider.
        auto victim = frames_.end();
        int worst = -1;
        for (auto it = frames_.begin(); it != frames_.end(); ++it) {
            const int d = std::abs(it->first - keyOf(currentT_));
            if (!isRung(it->first) && d > worst) {
                worst = d;
                victim = it;
            }
        }
        if (victim != frames_.end()) frames_.erase(victim);
    }
    int rungs = 0;
    for (const auto& [k, f] : frames_)
        if (isRung(k)) ++rungs;
    if (rungs != ladderReady_) {
        ladderReady_ = rungs;
        if (jobs_ && ladderJob_)
            jobs_->setProgress(ladderJob_, double(rungs) / (kLadderSteps + 1),
                               tr("%1 of %2 slider positions ready").arg(rungs).arg(kLadderSteps + 1));
        emit ladderProgress(rungs, kLadderSteps + 1);
        if (rungs == kLadderSteps + 1) finishLadderJob();
    }
    emit frameReady(frame);
}

void MorphController::requestPad(float x, float y)
{
    if (!engine_ || !slots_[0].encoded || !slots_[1].encoded) return;
    if (padBusy_) {
        padPending_ = std::make_pair(x, y);
        return;
    }
    startPad(x, y);
}

void MorphController::startPad(float x, float y)
{
    padBusy_ = true;
    std::array<std::shared_ptr<const EncodedNote>, 4> corners = {
        slots_[0].encoded, slots_[1].encoded, slots_[2].encoded ? slots_[2].encoded : slots_[0].encoded,
        slots_[3].encoded ? slots_[3].encoded : slots_[1].encoded};
    const ModelConfig& c = engine_->model().config();
    runAsync(
        this,
        [engine = engine_, corners, x, y, options = options_, warm = lastPad_, sr = c.sampleRate, nFft = c.nFft,
         hop = c.hop] {
            std::vector<const EncodedNote*> notes;
            for (const auto& n : corners) notes.push_back(n.get());
            auto render = std::make_shared<const MorphRender>(
                engine->render(notes, MorphEngine::cornerWeights(x, y), options, warm ? &warm->phase : nullptr));
            auto frame = std::make_shared<MorphFrame>();
            frame->pad = true;
            frame->x = x;
            frame->y = y;
            frame->exact = true;
            frame->spectrogram = spectrogramOfRender(*render, sr, nFft, hop);
            frame->render = std::move(render);
            return std::shared_ptr<const MorphFrame>(frame);
        },
        [this, engineGeneration = engineGeneration_](Outcome<std::shared_ptr<const MorphFrame>> outcome) {
            padBusy_ = false;
            if (engineGeneration != engineGeneration_) return;
            if (outcome.ok()) {
                lastPad_ = (*outcome.value)->render;
                emit padFrameReady(*outcome.value);
            } else {
                emit padFailed(outcome.error);
            }
            if (padPending_) {
                const auto [px, py] = *padPending_;
                padPending_.reset();
                requestPad(px, py);
            }
        });
}

void MorphController::exportWav(const QString& file, float t)
{
    const auto a = slots_[0].encoded, b = slots_[1].encoded;
    if (!engine_ || !a || !b) {
        emit exportFinished(false, tr("Choose notes A and B first."));
        return;
    }
    const auto ready = frameAt(t);
    ++exporting_;
    const int job = jobs_ ? jobs_->start(tr("Exporting %1").arg(QDir::toNativeSeparators(file))) : 0;
    runAsync(
        this,
        [engine = engine_, a, b, t, options = options_, render = ready ? ready->render : nullptr, file,
         sr = sampleRate()] {
            auto r = render ? render : std::make_shared<const MorphRender>(engine->renderPair(*a, *b, t, options));
            writeWav16(std::filesystem::path(file.toStdString()), r->audio, sr);
            return r->audio.size();
        },
        [this, job, file](Outcome<std::size_t> outcome) {
            --exporting_;
            if (jobs_) jobs_->finish(job);
            emit exportFinished(outcome.ok(), outcome.ok() ? tr("Wrote %1 (%2 samples)").arg(file).arg(*outcome.value)
                                                           : tr("Cannot export: %1").arg(outcome.error));
        });
}

void MorphController::exportSeries(const QString& folder, const QString& base, int steps)
{
    const auto a = slots_[0].encoded, b = slots_[1].encoded;
    if (!engine_ || !a || !b || steps < 1) {
        emit exportFinished(false, tr("Choose notes A and B first."));
        return;
    }
    ++exporting_;
    CancelToken cancel;
    const int job = jobs_ ? jobs_->start(tr("Exporting %1 morphs to %2").arg(steps).arg(folder), cancel) : 0;
    runAsync(
        this,
        [engine = engine_, a, b, steps, folder, base, options = options_, cancel, relay = relay_, this, job,
         sr = sampleRate()] {
            std::shared_ptr<const MorphRender> previous;
            for (int k = 0; k < steps; ++k) {
                if (cancel.isCancelled()) throw CancelledError("export cancelled after " + std::to_string(k) + " files");
                const float t = steps == 1 ? 0.f : float(k) / float(steps - 1);
                auto r = std::make_shared<const MorphRender>(
                    engine->renderPair(*a, *b, t, options, previous ? &previous->phase : nullptr));
                const QString name = QStringLiteral("%1_%2_t%3.wav")
                                         .arg(base)
                                         .arg(k, 2, 10, QLatin1Char('0'))
                                         .arg(double(t), 0, 'f', 3);
                writeWav16(std::filesystem::path(QDir(folder).filePath(name).toStdString()), r->audio, sr);
                previous = r;
                relay->post([this, job, done = k + 1, steps] {
                    if (jobs_ && job) jobs_->setProgress(job, double(done) / steps, tr("%1 / %2 files").arg(done).arg(steps));
                });
            }
            return steps;
        },
        [this, job, folder](Outcome<int> outcome) {
            --exporting_;
            if (jobs_) jobs_->finish(job);
            emit exportFinished(outcome.ok(), outcome.ok() ? tr("Wrote %1 files to %2").arg(*outcome.value).arg(folder)
                                                           : tr("Export stopped: %1").arg(outcome.error));
        });
}

bool MorphController::busy() const
{
    for (const Slot& s : slots_)
        if (s.encoding) return true;
    return padBusy_ || exporting_ > 0;
}

} // namespace morph::ui
