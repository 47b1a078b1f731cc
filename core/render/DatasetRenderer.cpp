#include "render/DatasetRenderer.h"

#include "dataset/AudioFile.h"
#include "render/GmPrograms.h"
#include "util/AtomicFile.h"
#include "util/Errors.h"

#include <fluidsynth.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

namespace morph::render {
namespace {

constexpr const char* kCompleteMarker = ".complete";
constexpr const char* kRenderMarker = ".morph-render";  // "this folder is ours": partial renders may be replaced
constexpr const char* kSplitDirs[3] = {"nsynth-train", "nsynth-valid", "nsynth-test"};
constexpr float kClipPeak = 0.999f;

/// fluidsynth prints warnings/info to stderr by default; keep errors only, once per process.
void quietFluidLogs()
{
    static std::once_flag once;
    std::call_once(once, [] {
        fluid_set_log_function(FLUID_WARN, nullptr, nullptr);
        fluid_set_log_function(FLUID_INFO, nullptr, nullptr);
        fluid_set_log_function(FLUID_DBG, nullptr, nullptr);
    });
}

double secondsSince(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Task {
    int program, pitch, velocity;
};

struct TaskResult {
    bool written = false;
    bool silent = false;
    bool clipped = false;
    uint16_t qualities = 0;
};

void validate(const RenderOptions& o)
{
    std::error_code ec;
    if (o.soundfont.empty() || !std::filesystem::is_regular_file(o.soundfont, ec))
        throw ConfigError("SoundFont " + o.soundfont.string()
                          + " not found; install fluid-soundfont-gm (/usr/share/sounds/sf2/FluidR3_GM.sf2) or pass --soundfont FILE");
    if (o.outDir.empty())
        throw ConfigError("no output folder given (--out DIR)");
    if (o.pitchMin < 0 || o.pitchMax > 127 || o.pitchMin > o.pitchMax)
        throw ConfigError("pitch range " + std::to_string(o.pitchMin) + ".." + std::to_string(o.pitchMax)
                          + " must lie in 0..127 with min <= max");
    if (o.pitchStep < 1)
        throw ConfigError("pitch step must be at least 1");
    if (o.velocities.empty())
        throw ConfigError("no velocities given");
    for (int v : o.velocities)
        if (v < 1 || v > 127)
            throw ConfigError("velocity " + std::to_string(v) + " is outside 1..127");
    for (int p : o.programs)
        if (p < 0 || p > 127)
            throw ConfigError("program " + std::to_string(p) + " is outside 0..127");
    if (o.validFraction < 0 || o.testFraction < 0 || o.validFraction + o.testFraction >= 1.0)
        throw ConfigError("valid and test fractions must be >= 0 and sum to less than 1");
    if (o.sampleRate < 8000 || o.sampleRate > 96000)
        throw ConfigError("sample rate must be 8000..96000 Hz (fluidsynth's range)");
    if (o.normalizePeak < 0.f || o.normalizePeak > 1.f)
        throw ConfigError("normalisation peak must be 0 (off) or in (0, 1]");
    if (o.holdSeconds <= 0 || o.releaseSeconds < 0)
        throw ConfigError("hold must be > 0 s and release >= 0 s");
}

/// Throws ConfigError unless the output folder may be (re)written: new or empty; a partial
/// render of ours; or a completed one with `force`. Changes nothing.
void checkOutDir(const RenderOptions& o)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path& out = o.outDir;
    if (!fs::exists(out, ec))
        return;
    if (!fs::is_directory(out, ec))
        throw ConfigError(out.string() + " exists and is not a folder");
    const bool ours = fs::exists(out / kRenderMarker, ec);
    const bool complete = fs::exists(out / kCompleteMarker, ec);
    const bool empty = fs::directory_iterator(out, ec) == fs::directory_iterator();
    if (!empty && !ours)
        throw ConfigError(out.string() + " is not empty and was not rendered by morphstation; choose an empty or new folder");
    if (complete && !o.force)
        throw ConfigError(out.string() + " already holds a complete rendered dataset; pass --force to render it again");
}

/// After checkOutDir: removes the marker and split folders of an earlier render, marks the
/// folder as ours.
void prepareOutDir(const RenderOptions& o)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path& out = o.outDir;
    fs::remove(out / kCompleteMarker, ec);
    for (const char* d : kSplitDirs) {
        fs::remove_all(out / d, ec);
        if (ec)
            throw IoError("cannot remove the old " + (out / d).string() + ": " + ec.message());
    }
    fs::create_directories(out, ec);
    if (ec)
        throw IoError("cannot create " + out.string() + ": " + ec.message());
    writeFileAtomically(out / kRenderMarker, "rendered by morphstation-cli render-dataset\n");
}

std::string jsonEntry(const NoteMeta& n)
{
    std::ostringstream os;
    os << "    \"" << n.noteStr << "\": {\n";
    os << "        \"qualities\": [\n";
    for (int q = 0; q < kQualityCount; ++q)
        os << "            " << (n.hasQuality(q) ? 1 : 0) << (q + 1 < kQualityCount ? ",\n" : "\n");
    os << "        ],\n";
    os << "        \"pitch\": " << n.pitch << ",\n";
    os << "        \"note\": " << n.note << ",\n";
    os << "        \"instrument_source_str\": \"" << sourceName(n.source) << "\",\n";
    os << "        \"velocity\": " << n.velocity << ",\n";
    os << "        \"instrument_str\": \"" << n.instrumentStr << "\",\n";
    os << "        \"instrument\": " << n.instrument << ",\n";
    os << "        \"sample_rate\": " << n.sampleRate << ",\n";
    std::vector<const char*> names;
    for (int q = 0; q < kQualityCount; ++q)
        if (n.hasQuality(q))
            names.push_back(qualityName(q));
    if (names.empty()) {
        os << "        \"qualities_str\": [],\n";
    } else {
        os << "        \"qualities_str\": [\n";
        for (std::size_t i = 0; i < names.size(); ++i)
            os << "            \"" << names[i] << "\"" << (i + 1 < names.size() ? ",\n" : "\n");
        os << "        ],\n";
    }
    os << "        \"instrument_source\": " << n.source << ",\n";
    os << "        \"note_str\": \"" << n.noteStr << "\",\n";
    os << "        \"instrument_family\": " << n.family << ",\n";
    os << "        \"instrument_family_str\": \"" << familyName(n.family) << "\"\n";
    os << "    }";
    return os.str();
}

} // namespace

// ---------------------------------------------------------------------------------------------

struct NoteSynth::Impl {
    fluid_settings_t* settings = nullptr;
    fluid_synth_t* synth = nullptr;
    int sfont = -1;
    int sampleRate = 16000;
    std::vector<float> left, right;
};

NoteSynth::NoteSynth(const std::filesystem::path& soundfont, int sampleRate, float gain) : d_(std::make_unique<Impl>())
{
    quietFluidLogs();
    d_->sampleRate = sampleRate;
    d_->settings = new_fluid_settings();
    if (!d_->settings)
        throw ConfigError("fluidsynth: cannot create settings (out of memory?)");
    fluid_settings_setnum(d_->settings, "synth.sample-rate", sampleRate);
    fluid_settings_setint(d_->settings, "synth.reverb.active", 0);
    fluid_settings_setint(d_->settings, "synth.chorus.active", 0);
    fluid_settings_setint(d_->settings, "synth.cpu-cores", 1);
    fluid_settings_setint(d_->settings, "synth.threadsafe-api", 0);
    fluid_settings_setint(d_->settings, "synth.polyphony", 256);
    fluid_settings_setnum(d_->settings, "synth.gain", gain);
    d_->synth = new_fluid_synth(d_->settings);
    if (!d_->synth) {
        delete_fluid_settings(d_->settings);
        throw ConfigError("fluidsynth: cannot create a synthesizer at " + std::to_string(sampleRate) + " Hz");
    }
    d_->sfont = fluid_synth_sfload(d_->synth, soundfont.c_str(), 1);
    if (d_->sfont == FLUID_FAILED) {
        delete_fluid_synth(d_->synth);
        delete_fluid_settings(d_->settings);
        throw ConfigError("fluidsynth cannot load the SoundFont " + soundfont.string()
                          + " (not a SoundFont 2 file, or unreadable)");
    }
}

NoteSynth::~NoteSynth()
{
    delete_fluid_synth(d_->synth);
    delete_fluid_settings(d_->settings);
}

bool NoteSynth::hasProgram(int program) const
{
    fluid_sfont_t* sf = fluid_synth_get_sfont_by_id(d_->synth, d_->sfont);
    return sf && fluid_sfont_get_preset(sf, 0, program) != nullptr;
}

std::vector<float> NoteSynth::render(int program, int pitch, int velocity, double holdSeconds, double releaseSeconds)
{
    fluid_synth_t* s = d_->synth;
    // A note must not depend on the notes this synth rendered before, because which notes a
    // worker thread gets varies from run to run. Seen without this: the first 64 samples of 173 of
    // 2552 notes differed between two renders (the voices started from the previous preset's
    // state). So each note is preceded by a short throwaway note of the same program, pitch and
    // velocity, then silence, which leaves the voices in the same state whatever came before.
    // (fluid_synth_system_reset made it worse: 900 notes differed over their whole length.)
    fluid_synth_all_sounds_off(s, -1);
    if (fluid_synth_program_select(s, 0, d_->sfont, 0, program) != FLUID_OK)
        throw ConfigError("the SoundFont has no preset for GM program " + std::to_string(program) + " (bank 0)");
    constexpr int kPrime = 2048, kFlush = 1024;
    d_->left.assign(kPrime, 0.f);
    d_->right.assign(kPrime, 0.f);
    fluid_synth_write_float(s, kFlush, d_->left.data(), 0, 1, d_->right.data(), 0, 1);  // voices free
    fluid_synth_noteon(s, 0, pitch, velocity);
    fluid_synth_write_float(s, kPrime, d_->left.data(), 0, 1, d_->right.data(), 0, 1);
    fluid_synth_all_sounds_off(s, -1);
    fluid_synth_write_float(s, kFlush, d_->left.data(), 0, 1, d_->right.data(), 0, 1);
    const int hold = static_cast<int>(std::lround(holdSeconds * d_->sampleRate));
    const int total = static_cast<int>(std::lround((holdSeconds + releaseSeconds) * d_->sampleRate));
    d_->left.assign(static_cast<std::size_t>(total), 0.f);
    d_->right.assign(static_cast<std::size_t>(total), 0.f);
    fluid_synth_noteon(s, 0, pitch, velocity);
    fluid_synth_write_float(s, hold, d_->left.data(), 0, 1, d_->right.data(), 0, 1);
    fluid_synth_noteoff(s, 0, pitch);
    if (total > hold)
        fluid_synth_write_float(s, total - hold, d_->left.data() + hold, 0, 1, d_->right.data() + hold, 0, 1);
    fluid_synth_all_sounds_off(s, -1);
    std::vector<float> mono(static_cast<std::size_t>(total));
    for (std::size_t i = 0; i < mono.size(); ++i)
        mono[i] = 0.5f * (d_->left[i] + d_->right[i]);
    return mono;
}

// ---------------------------------------------------------------------------------------------

uint16_t envelopeQualities(const std::vector<float>& audio, int sampleRate, double noteOffSeconds)
{
    const std::size_t frame = static_cast<std::size_t>(sampleRate / 100);  // 10 ms
    if (frame == 0 || audio.size() < 2 * frame)
        return 0;
    const std::size_t frames = audio.size() / frame;
    std::vector<double> energy(frames, 0.0);
    double maxEnergy = 0.0;
    for (std::size_t f = 0; f < frames; ++f) {
        double e = 0.0;
        for (std::size_t i = f * frame; i < (f + 1) * frame; ++i)
            e += static_cast<double>(audio[i]) * audio[i];
        energy[f] = e / static_cast<double>(frame);
        maxEnergy = std::max(maxEnergy, energy[f]);
    }
    if (maxEnergy <= 0.0)
        return 0;
    auto levelDb = [&](double t0, double t1) {  // mean energy in [t0, t1) seconds, dB re loudest frame
        const auto f0 = static_cast<std::size_t>(std::max(0.0, t0) * 100.0);
        const auto f1 = std::min(frames, static_cast<std::size_t>(std::max(0.0, t1) * 100.0));
        if (f1 <= f0)
            return -200.0;
        double e = 0.0;
        for (std::size_t f = f0; f < f1; ++f)
            e += energy[f];
        e /= static_cast<double>(f1 - f0);
        return 10.0 * std::log10(std::max(e, 1e-30) / maxEnergy);
    };
    const double end = static_cast<double>(audio.size()) / sampleRate;
    uint16_t q = 0;
    if (levelDb(noteOffSeconds - 0.1, noteOffSeconds) < -30.0)
        q |= 1u << 3;  // fast_decay
    if (levelDb(end - 0.1, end) > -40.0)
        q |= 1u << 4;  // long_release
    return q;
}

std::map<int, Split> assignSplits(const std::vector<int>& programs, uint32_t seed, double validFraction,
                                  double testFraction)
{
    std::vector<std::vector<int>> byFamily(kFamilyCount);
    for (int p : programs)
        byFamily[gmProgramClass(p).family].push_back(p);
    std::mt19937 rng(seed);
    std::map<int, Split> out;
    double wantValid = 0.0, wantTest = 0.0;
    long gotValid = 0, gotTest = 0;
    for (auto& fam : byFamily) {
        std::sort(fam.begin(), fam.end());
        // Fisher-Yates with mt19937 words (std::shuffle's algorithm is implementation-defined).
        for (std::size_t i = fam.size(); i > 1; --i)
            std::swap(fam[i - 1], fam[rng() % i]);
        const long n = static_cast<long>(fam.size());
        wantValid += static_cast<double>(n) * validFraction;
        wantTest += static_cast<double>(n) * testFraction;
        const long maxHeldOut = std::max(0L, n - 1);  // keep one training instrument per family
        long nValid = std::clamp(static_cast<long>(std::floor(wantValid + 0.5)) - gotValid, 0L, maxHeldOut);
        long nTest = std::clamp(static_cast<long>(std::floor(wantTest + 0.5)) - gotTest, 0L, maxHeldOut - nValid);
        gotValid += nValid;
        gotTest += nTest;
        for (long i = 0; i < n; ++i)
            out[fam[static_cast<std::size_t>(i)]] = i < nValid ? Split::Valid : (i < nValid + nTest ? Split::Test : Split::Train);
    }
    return out;
}

std::string RenderReport::summary() const
{
    std::ostringstream os;
    os << written << " notes written (" << notesBySplit[0] << " train / " << notesBySplit[1] << " valid / "
       << notesBySplit[2] << " test; instruments " << instrumentsBySplit[0] << " / " << instrumentsBySplit[1] << " / "
       << instrumentsBySplit[2] << ") of " << planned << " planned; skipped " << skippedSilent << " silent, "
       << skippedOutOfRange << " outside the instrument's range";
    if (!missingPrograms.empty())
        os << "; " << missingPrograms.size() << " programs missing from the SoundFont";
    if (clippedNotes)
        os << "; " << clippedNotes << " notes reached full scale";
    char rate[64];
    std::snprintf(rate, sizeof rate, "; %.1f s, %.1f notes/s with %d jobs", seconds, notesPerSecond, jobs);
    os << rate;
    return os.str();
}

RenderReport renderDataset(const RenderOptions& options, const std::function<void(const RenderProgress&)>& progress,
                           const CancelToken* cancel)
{
    namespace fs = std::filesystem;
    validate(options);
    checkOutDir(options);
    const auto t0 = std::chrono::steady_clock::now();
    RenderReport report;

    std::vector<int> programs = options.programs;
    if (programs.empty())
        for (int p = 0; p < 128; ++p)
            if (options.includeSoundEffects || !gmProgramClass(p).skipByDefault)
                programs.push_back(p);
    std::sort(programs.begin(), programs.end());
    programs.erase(std::unique(programs.begin(), programs.end()), programs.end());

    unsigned jobs = options.jobs > 0 ? static_cast<unsigned>(options.jobs) : std::max(1u, std::thread::hardware_concurrency());
    // One synth per worker, all made here (SoundFont errors surface before anything is written).
    std::vector<std::unique_ptr<NoteSynth>> synths;
    synths.push_back(std::make_unique<NoteSynth>(options.soundfont, options.sampleRate, options.gain));
    std::vector<int> present;
    for (int p : programs) {
        if (synths[0]->hasProgram(p))
            present.push_back(p);
        else
            report.missingPrograms.push_back(p);
    }
    if (present.empty())
        throw ConfigError("the SoundFont " + options.soundfont.string() + " has none of the requested programs in bank 0");

    std::vector<int> velocities = options.velocities;
    std::sort(velocities.begin(), velocities.end());
    velocities.erase(std::unique(velocities.begin(), velocities.end()), velocities.end());
    std::vector<Task> tasks;
    for (int p : present) {
        const GmProgramClass& c = gmProgramClass(p);
        for (int pitch = options.pitchMin; pitch <= options.pitchMax; pitch += options.pitchStep) {
            if (pitch < c.pitchLow || pitch > c.pitchHigh) {
                report.skippedOutOfRange += velocities.size();
                continue;
            }
            for (int v : velocities)
                tasks.push_back({p, pitch, v});
        }
    }
    report.planned = tasks.size();
    if (tasks.empty())
        throw ConfigError("no note to render: the pitch range lies outside every requested instrument's range");

    const std::map<int, Split> splits = assignSplits(present, options.seed, options.validFraction, options.testFraction);
    prepareOutDir(options);
    for (const auto& [program, split] : splits) {
        const fs::path dir = options.outDir / kSplitDirs[static_cast<int>(split)] / "audio";
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec)
            throw IoError("cannot create " + dir.string() + ": " + ec.message());
    }

    jobs = std::min<unsigned>(jobs, static_cast<unsigned>(tasks.size()));
    while (synths.size() < jobs)
        synths.push_back(std::make_unique<NoteSynth>(options.soundfont, options.sampleRate, options.gain));
    report.jobs = static_cast<int>(jobs);

    std::vector<TaskResult> results(tasks.size());
    std::atomic<std::size_t> next{0}, done{0}, written{0};
    std::atomic<bool> stop{false};
    std::exception_ptr error;
    std::mutex errorMutex;
    const float silence = std::pow(10.f, options.silenceDb / 20.f);
    auto worker = [&](NoteSynth& synth) {
        try {
            for (;;) {
                if (stop.load() || (cancel && cancel->isCancelled()))
                    return;
                const std::size_t i = next.fetch_add(1);
                if (i >= tasks.size())
                    return;
                const Task& t = tasks[i];
                std::vector<float> audio = synth.render(t.program, t.pitch, t.velocity, options.holdSeconds,
                                                              options.releaseSeconds);
                float peak = 0.f;
                for (float v : audio)
                    peak = std::max(peak, std::abs(v));
                TaskResult& r = results[i];
                if (peak < silence) {
                    r.silent = true;
                } else {
                    r.clipped = peak >= kClipPeak;
                    r.qualities = envelopeQualities(audio, options.sampleRate, options.holdSeconds);
                    if (options.normalizePeak > 0.f) {
                        const float scale = options.normalizePeak / peak;
                        for (float& v : audio)
                            v *= scale;
                    }
                    const Split split = splits.at(t.program);
                    const std::string noteStr = formatNoteStr(gmInstrumentStr(t.program), t.pitch, t.velocity);
                    writeWav16(options.outDir / kSplitDirs[static_cast<int>(split)] / "audio" / (noteStr + ".wav"), audio,
                               options.sampleRate, /*durable=*/false);  // one syncfs() before .complete
                    r.written = true;
                    written.fetch_add(1);
                }
                done.fetch_add(1);
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(errorMutex);
            if (!error)
                error = std::current_exception();
            stop.store(true);
        }
    };
    std::vector<std::thread> threads;
    for (unsigned j = 1; j < jobs; ++j)
        threads.emplace_back(worker, std::ref(*synths[j]));
    std::thread first(worker, std::ref(*synths[0]));
    // Progress on the calling thread.
    for (;;) {
        const std::size_t d = done.load();
        if (progress)
            progress({d, tasks.size(), written.load(), secondsSince(t0)});
        if (d >= tasks.size() || stop.load() || (cancel && cancel->isCancelled()))
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    first.join();
    for (auto& t : threads)
        t.join();
    if (error)
        std::rethrow_exception(error);
    if (cancel && cancel->isCancelled())
        throw CancelledError("dataset rendering cancelled; " + options.outDir.string() + " is incomplete (no .complete marker)");

    // examples.json per split, notes numbered in (program, pitch, velocity) order.
    std::array<std::vector<NoteMeta>, 3> bySplit;
    std::array<std::vector<int>, 3> instrumentsBySplit;
    int noteId = 0;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        const TaskResult& r = results[i];
        if (r.silent)
            ++report.skippedSilent;
        if (!r.written)
            continue;
        if (r.clipped)
            ++report.clippedNotes;
        const Task& t = tasks[i];
        const GmProgramClass& c = gmProgramClass(t.program);
        NoteMeta n;
        n.instrumentStr = gmInstrumentStr(t.program);
        n.noteStr = formatNoteStr(n.instrumentStr, t.pitch, t.velocity);
        n.note = noteId++;
        n.instrument = t.program;
        n.pitch = t.pitch;
        n.velocity = t.velocity;
        n.sampleRate = options.sampleRate;
        n.family = c.family;
        n.source = c.source;
        n.qualities = r.qualities;
        n.split = splits.at(t.program);
        const int s = static_cast<int>(n.split);
        ++report.notesBySplit[s];
        ++report.notesByFamily[c.family];
        if (instrumentsBySplit[s].empty() || instrumentsBySplit[s].back() != t.program)
            instrumentsBySplit[s].push_back(t.program);
        bySplit[s].push_back(std::move(n));
    }
    for (int s = 0; s < 3; ++s) {
        report.instrumentsBySplit[s] = instrumentsBySplit[s].size();
        const fs::path dir = options.outDir / kSplitDirs[s];
        if (bySplit[s].empty()) {
            std::error_code ec;
            fs::remove_all(dir, ec);  // no instrument of this split made a sound
            continue;
        }
        std::sort(bySplit[s].begin(), bySplit[s].end(),
                  [](const NoteMeta& a, const NoteMeta& b) { return a.noteStr < b.noteStr; });
        std::string json = "{\n";
        for (std::size_t i = 0; i < bySplit[s].size(); ++i) {
            json += jsonEntry(bySplit[s][i]);
            json += i + 1 < bySplit[s].size() ? ",\n" : "\n";
        }
        json += "}\n";
        writeFileAtomically(dir / "examples.json", json);
    }
    report.written = written.load();
    report.seconds = secondsSince(t0);
    report.notesPerSecond = report.seconds > 0 ? static_cast<double>(report.written) / report.seconds : 0.0;

    // The WAVs were written without an fsync each; make them durable at once before the marker
    // says the dataset is complete.
    if (const int fd = ::open(options.outDir.c_str(), O_RDONLY | O_DIRECTORY); fd >= 0) {
        const int rc = ::syncfs(fd);
        const int err = errno;
        ::close(fd);
        if (rc != 0)
            throw IoError("cannot sync " + options.outDir.string() + ": " + std::strerror(err));
    }
    std::ostringstream marker;
    marker << "soundfont " << options.soundfont.string() << "\nprograms";
    for (int p : present)
        marker << " " << p;
    marker << "\npitches " << options.pitchMin << ".." << options.pitchMax << " step " << options.pitchStep
           << "\nvelocities";
    for (int v : velocities)
        marker << " " << v;
    marker << "\nseed " << options.seed << "\n" << report.summary() << "\n";
    writeFileAtomically(options.outDir / kCompleteMarker, marker.str());
    return report;
}

} // namespace morph::render
