#include "train/FeatureCache.h"

#include "dataset/AudioFile.h"
#include "dataset/NSynthDataset.h"
#include "dsp/NoteAnalysis.h"
#include "dsp/Slicing.h"
#include "model/CheckpointInfo.h"
#include "train/Half.h"
#include "util/Errors.h"
#include "util/Timestamp.h"
#include "util/ThreadPool.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace morph {

namespace {

constexpr char kMagic[10] = {'M', 'O', 'R', 'P', 'H', 'F', 'E', 'A', 'T', '\n'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeaderSize = 16 + 9 * 8;  // 88
constexpr std::size_t kDataOffset = 128;
constexpr std::size_t kChunkNotes = 192;

std::string q(const std::filesystem::path& p)
{
    return "'" + p.string() + "'";
}

void putU64(unsigned char* p, std::uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        p[i] = static_cast<unsigned char>((v >> (8 * i)) & 0xff);
}

std::uint64_t getU64(const unsigned char* p)
{
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

nlohmann::json settingsJson(const FeatureSettings& s)
{
    return {{"scale", s.mel ? "mel" : "log-mag"}, {"sample_rate", s.sampleRate}, {"n_fft", s.nFft},
            {"hop", s.hop},   {"bins", s.bins()},  {"trim_threshold_db", s.trimThresholdDb},
            {"min_frames", s.minFrames}, {"dtype", "float16"}, {"db_ref", "note max magnitude"},
            {"amin", 1e-5},   {"top_db", 80}};
}

FeatureSettings settingsFromJson(const nlohmann::json& j)
{
    FeatureSettings s;
    s.mel = j.at("scale").get<std::string>() == "mel";
    s.sampleRate = j.at("sample_rate").get<int>();
    s.nFft = j.at("n_fft").get<int>();
    s.hop = j.at("hop").get<int>();
    s.trimThresholdDb = j.at("trim_threshold_db").get<float>();
    s.minFrames = j.at("min_frames").get<int>();
    return s;
}

/// Sequential writer of a temp file, header patched at the end, fsync + rename on commit.
class TempFile {
public:
    explicit TempFile(std::filesystem::path target) : target_(std::move(target))
    {
        if (target_.has_parent_path())
            std::filesystem::create_directories(target_.parent_path());
        temp_ = target_;
        temp_ += ".tmp-" + std::to_string(::getpid());
        fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd_ < 0)
            throw IoError("cannot create " + q(temp_) + ": " + std::strerror(errno));
    }
    ~TempFile()
    {
        if (fd_ >= 0)
            ::close(fd_);
        if (!committed_) {
            std::error_code ec;
            std::filesystem::remove(temp_, ec);
        }
    }
    void write(const void* data, std::size_t size)
    {
        const auto* p = static_cast<const char*>(data);
        while (size > 0) {
            const ssize_t n = ::write(fd_, p, size);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                throw failed("writing");
            }
            p += n;
            size -= static_cast<std::size_t>(n);
            offset_ += static_cast<std::uint64_t>(n);
        }
    }
    void padTo(std::uint64_t alignment)
    {
        static const char zeros[64] = {};
        while (offset_ % alignment)
            write(zeros, std::min<std::uint64_t>(64, alignment - offset_ % alignment));
    }
    std::uint64_t offset() const { return offset_; }
    void writeAt(std::uint64_t at, const void* data, std::size_t size)
    {
        if (::pwrite(fd_, data, size, static_cast<off_t>(at)) != static_cast<ssize_t>(size))
            throw failed("writing");
    }
    void commit()
    {
        if (::fsync(fd_) != 0)
            throw failed("syncing");
        ::close(fd_);
        fd_ = -1;
        std::error_code ec;
        std::filesystem::rename(temp_, target_, ec);
        if (ec)
            throw IoError("cannot rename " + q(temp_) + " to " + q(target_) + ": " + ec.message());
        committed_ = true;
    }

private:
    /// "cannot write feature cache 'X': No space left on device (disk full?) while writing 'X.tmp-N';
    /// the previous file is kept" (the temp file is removed by the destructor).
    IoError failed(const char* what) const
    {
        const int err = errno;
        return IoError("cannot write feature cache " + q(target_) + ": " + std::strerror(err) +
                       (err == ENOSPC || err == EDQUOT ? " (disk full?)" : "") + " while " + what + " " + q(temp_) +
                       "; " + (std::filesystem::exists(target_) ? "the previous file is kept" : "nothing was written") +
                       "; free some space or choose another folder (--features)");
    }
    std::filesystem::path target_, temp_;
    int fd_ = -1;
    std::uint64_t offset_ = 0;
    bool committed_ = false;
};

/// Writes index, names, JSON and the header after the data, then commits.
void finish(TempFile& out, const FeatureSettings& settings, const std::string& label, const std::string& sourceKey,
            std::vector<FeatureNote>& notes, const std::vector<std::string>& names, std::uint64_t dataBytes,
            const nlohmann::json& extra)
{
    out.padTo(64);
    const std::uint64_t indexOffset = out.offset();
    std::string namesBlob;
    for (std::size_t i = 0; i < notes.size(); ++i) {
        notes[i].nameOffset = static_cast<std::uint32_t>(namesBlob.size());
        namesBlob += names[i];
        namesBlob.push_back('\0');
    }
    out.write(notes.data(), notes.size() * sizeof(FeatureNote));
    const std::uint64_t namesOffset = out.offset();
    out.write(namesBlob.data(), namesBlob.size());
    std::uint64_t frames = 0;
    for (const auto& n : notes)
        frames += n.frames;
    nlohmann::json meta = {{"format", "morphstation-features"},
                           {"version", kVersion},
                           {"label", label},
                           {"source_key", sourceKey},
                           {"settings", settingsJson(settings)},
                           {"notes", notes.size()},
                           {"frames", frames},
                           {"created", utcTimestamp()}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        meta[it.key()] = it.value();
    const std::string json = meta.dump(2);
    const std::uint64_t jsonOffset = out.offset();
    out.write(json.data(), json.size());

    unsigned char header[kHeaderSize] = {};
    std::memcpy(header, kMagic, sizeof(kMagic));
    header[12] = static_cast<unsigned char>(kVersion & 0xff);
    header[13] = static_cast<unsigned char>((kVersion >> 8) & 0xff);
    const std::uint64_t fields[9] = {notes.size(), static_cast<std::uint64_t>(settings.bins()), kDataOffset, dataBytes,
                                     indexOffset,  namesOffset, namesBlob.size(), jsonOffset, json.size()};
    for (int i = 0; i < 9; ++i)
        putU64(header + 16 + 8 * i, fields[i]);
    out.writeAt(0, header, sizeof(header));
    out.commit();
}

} // namespace

bool FeatureSettings::operator==(const FeatureSettings& o) const
{
    return mel == o.mel && sampleRate == o.sampleRate && nFft == o.nFft && hop == o.hop &&
           trimThresholdDb == o.trimThresholdDb && minFrames == o.minFrames;
}

struct FeatureCache::Impl {
    std::filesystem::path path;
    FeatureSettings settings;
    std::string label, json;
    const unsigned char* map = nullptr;
    std::size_t mapSize = 0;
    const std::uint16_t* data = nullptr;
    const FeatureNote* notes = nullptr;
    const char* names = nullptr;
    std::size_t noteCount = 0, namesBytes = 0;
    int bins = 0;
    std::uint64_t frames = 0;

    ~Impl()
    {
        if (map)
            ::munmap(const_cast<unsigned char*>(map), mapSize);
    }
};

FeatureCache::FeatureCache() = default;
FeatureCache::~FeatureCache() = default;
FeatureCache::FeatureCache(FeatureCache&&) noexcept = default;
FeatureCache& FeatureCache::operator=(FeatureCache&&) noexcept = default;

FeatureCache FeatureCache::open(const std::filesystem::path& file)
{
    auto d = std::make_unique<Impl>();
    d->path = file;
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw IoError("cannot open feature cache " + q(file) + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        throw IoError("cannot stat feature cache " + q(file) + ": " + std::strerror(errno));
    }
    const auto size = static_cast<std::size_t>(st.st_size);
    if (size < kHeaderSize) {
        ::close(fd);
        throw DatasetError("feature cache " + q(file) + " is truncated or not a feature cache (" +
                           std::to_string(size) + " bytes)");
    }
    void* m = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    ::close(fd);
    if (m == MAP_FAILED)
        throw IoError("cannot memory-map feature cache " + q(file) + ": " + std::strerror(errno));
    d->map = static_cast<const unsigned char*>(m);
    d->mapSize = size;
    if (std::memcmp(d->map, kMagic, sizeof(kMagic)) != 0)
        throw DatasetError("file " + q(file) + " is not a Morphstation feature cache (wrong magic bytes)");
    const std::uint32_t version = d->map[12] | (static_cast<std::uint32_t>(d->map[13]) << 8);
    if (version != kVersion)
        throw DatasetError("feature cache " + q(file) + " has version " + std::to_string(version) + ", expected " +
                           std::to_string(kVersion) + " (delete it to rebuild)");
    std::uint64_t f[9];
    for (int i = 0; i < 9; ++i)
        f[i] = getU64(d->map + 16 + 8 * i);
    const std::uint64_t noteCount = f[0], bins = f[1], dataOffset = f[2], dataBytes = f[3], indexOffset = f[4],
                        namesOffset = f[5], namesBytes = f[6], jsonOffset = f[7], jsonBytes = f[8];
    if (jsonOffset + jsonBytes != size || indexOffset + noteCount * sizeof(FeatureNote) > namesOffset ||
        namesOffset + namesBytes > jsonOffset || dataOffset + dataBytes > indexOffset || bins == 0 || bins > 65536 ||
        indexOffset % 8 != 0 || dataOffset % 8 != 0)
        throw DatasetError("feature cache " + q(file) + " is truncated or corrupt (section table does not fit its " +
                           std::to_string(size) + " bytes; delete it to rebuild)");
    d->data = reinterpret_cast<const std::uint16_t*>(d->map + dataOffset);
    d->notes = reinterpret_cast<const FeatureNote*>(d->map + indexOffset);
    d->names = reinterpret_cast<const char*>(d->map + namesOffset);
    d->noteCount = noteCount;
    d->namesBytes = namesBytes;
    d->bins = static_cast<int>(bins);
    d->json.assign(reinterpret_cast<const char*>(d->map + jsonOffset), jsonBytes);
    try {
        const auto meta = nlohmann::json::parse(d->json);
        d->settings = settingsFromJson(meta.at("settings"));
        d->label = meta.value("label", std::string());
    } catch (const nlohmann::json::exception& e) {
        throw DatasetError("feature cache " + q(file) + " has malformed metadata: " + e.what());
    }
    if (d->settings.bins() != d->bins)
        throw DatasetError("feature cache " + q(file) + " is inconsistent: " + std::to_string(d->bins) +
                           " bins stored but its settings give " + std::to_string(d->settings.bins()));
    for (std::size_t i = 0; i < noteCount; ++i) {
        const FeatureNote& n = d->notes[i];
        if ((n.frameOffset + n.frames) * bins * 2 > dataBytes || n.nameOffset >= namesBytes)
            throw DatasetError("feature cache " + q(file) + " is corrupt: note " + std::to_string(i) +
                               " points outside the data (delete it to rebuild)");
        d->frames += n.frames;
    }
    FeatureCache c;
    c.d_ = std::move(d);
    return c;
}

bool FeatureCache::isOpen() const { return d_ != nullptr; }
const std::filesystem::path& FeatureCache::path() const { return d_->path; }
const FeatureSettings& FeatureCache::settings() const { return d_->settings; }
const std::string& FeatureCache::label() const { return d_->label; }
std::string FeatureCache::metadataJson() const { return d_->json; }
int FeatureCache::bins() const { return d_->bins; }
std::size_t FeatureCache::noteCount() const { return d_ ? d_->noteCount : 0; }
const FeatureNote& FeatureCache::note(std::size_t i) const { return d_->notes[i]; }
std::uint64_t FeatureCache::totalFrames() const { return d_->frames; }

std::string FeatureCache::noteName(std::size_t i) const
{
    const char* s = d_->names + d_->notes[i].nameOffset;
    return std::string(s, strnlen(s, d_->namesBytes - d_->notes[i].nameOffset));
}

std::size_t FeatureCache::slicesOfNote(std::size_t i, int width) const
{
    const int frames = static_cast<int>(d_->notes[i].frames);
    return frames >= width ? static_cast<std::size_t>(frames - width + 1) : 0;
}

void FeatureCache::readFrames(std::size_t i, int first, int count, float* out) const
{
    const FeatureNote& n = d_->notes[i];
    const std::uint16_t* src = d_->data + (n.frameOffset + static_cast<std::uint64_t>(first)) * d_->bins;
    const std::size_t values = static_cast<std::size_t>(count) * d_->bins;
    for (std::size_t k = 0; k < values; ++k)
        out[k] = halfToFloat(src[k]);
}

void FeatureCache::readSlice(std::size_t i, int first, int width, float* out) const
{
    const FeatureNote& n = d_->notes[i];
    const int bins = d_->bins;
    const std::uint16_t* src = d_->data + (n.frameOffset + static_cast<std::uint64_t>(first)) * bins;
    for (int t = 0; t < width; ++t) {
        const std::uint16_t* frame = src + static_cast<std::size_t>(t) * bins;
        for (int b = 0; b < bins; ++b)
            out[b * width + t] = halfToFloat(frame[b]);
    }
}

std::string FeatureCache::sourceKey(const NSynthDataset& dataset, const std::vector<std::size_t>& indices,
                                    const std::string& label)
{
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (std::size_t i : indices) {
        const std::string& s = dataset.note(i).noteStr;
        h = fnv1a64(s.data(), s.size(), h);
        h = fnv1a64("\n", 1, h);
    }
    std::error_code ec;
    auto root = std::filesystem::weakly_canonical(dataset.root(), ec);
    if (ec)
        root = dataset.root();
    return root.string() + "|" + label + "|" + std::to_string(indices.size()) + "|" + hashHex(h);
}

bool FeatureCache::matches(const std::filesystem::path& file, const FeatureSettings& settings, const std::string& key)
{
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        return false;
    try {
        FeatureCache c = open(file);
        const auto meta = nlohmann::json::parse(c.metadataJson());
        return c.settings() == settings && meta.value("source_key", std::string()) == key;
    } catch (const Error&) {
        return false;
    }
}

void FeatureCache::write(const std::filesystem::path& file, const FeatureSettings& settings, const std::string& label,
                         std::vector<FeatureNote> notes, const std::vector<std::vector<float>>& dbFrames,
                         const std::vector<std::string>& names, const std::string& sourceKey)
{
    if (notes.size() != dbFrames.size() || notes.size() != names.size())
        throw ConfigError("FeatureCache::write: notes, frames and names differ in count");
    TempFile out(file);
    std::vector<unsigned char> zeros(kDataOffset, 0);
    out.write(zeros.data(), zeros.size());
    std::uint64_t frameOffset = 0;
    const int bins = settings.bins();
    std::vector<std::uint16_t> halves;
    for (std::size_t i = 0; i < notes.size(); ++i) {
        if (dbFrames[i].size() != static_cast<std::size_t>(notes[i].frames) * bins)
            throw ConfigError("FeatureCache::write: note " + names[i] + " has " + std::to_string(dbFrames[i].size()) +
                              " values, expected frames x bins");
        notes[i].frameOffset = frameOffset;
        frameOffset += notes[i].frames;
        halves.resize(dbFrames[i].size());
        std::transform(dbFrames[i].begin(), dbFrames[i].end(), halves.begin(), floatToHalf);
        out.write(halves.data(), halves.size() * 2);
    }
    finish(out, settings, label, sourceKey, notes, names, frameOffset * bins * 2, nlohmann::json::object());
}

FeatureBuildReport FeatureCache::build(const NSynthDataset& dataset, const std::vector<std::size_t>& indices,
                                       const FeatureSettings& settings, const std::string& label,
                                       const std::filesystem::path& file, const CancelToken& cancel,
                                       const std::function<void(const FeatureBuildProgress&)>& progress)
{
    const auto start = std::chrono::steady_clock::now();
    FeatureBuildReport report;
    TempFile out(file);
    std::vector<unsigned char> zeros(kDataOffset, 0);
    out.write(zeros.data(), zeros.size());
    const int bins = settings.bins();
    const dsp::StftConfig stft{settings.nFft, settings.hop};

    struct Result {
        std::vector<std::uint16_t> halves;
        FeatureNote note;
        std::string problem;
        std::vector<std::string> adjustments;
        bool silent = false;
    };
    std::vector<FeatureNote> notes;
    std::vector<std::string> names;
    std::uint64_t frameOffset = 0;
    std::vector<Result> results;
    for (std::size_t chunk = 0; chunk < indices.size(); chunk += kChunkNotes) {
        if (cancel.isCancelled())
            throw CancelledError("feature computation of '" + label + "' cancelled; no cache written");
        const std::size_t n = std::min(kChunkNotes, indices.size() - chunk);
        results.assign(n, Result{});
        ThreadPool::shared().parallelFor(n, [&](std::size_t begin, std::size_t end) {
            for (std::size_t k = begin; k < end; ++k) {
                Result& r = results[k];
                const std::size_t index = indices[chunk + k];
                const NoteMeta& meta = dataset.note(index);
                try {
                    const LoadedAudio audio = loadNoteAudio(dataset.audioPath(index), settings.sampleRate);
                    r.adjustments = audio.adjustments;
                    const dsp::NoteSpectra spectra = dsp::analyseNote(audio.samples, stft, settings.mel, settings.sampleRate);
                    const dsp::Spectrogram& db = spectra.db;
                    auto [first, last] = dsp::nonSilentFrames(db, settings.trimThresholdDb);
                    if (last <= first) {
                        r.silent = true;
                        continue;
                    }
                    const int minFrames = std::min(settings.minFrames, db.frames);
                    while (last - first < minFrames) {  // widen symmetrically inside the note
                        if (last < db.frames)
                            ++last;
                        if (last - first < minFrames && first > 0)
                            --first;
                    }
                    r.note.frames = static_cast<std::uint32_t>(last - first);
                    r.note.firstFrame = static_cast<std::uint32_t>(first);
                    r.note.totalFrames = static_cast<std::uint32_t>(db.frames);
                    r.note.datasetIndex = static_cast<std::uint32_t>(index);
                    r.note.ref = spectra.ref;
                    r.note.instrument = meta.instrument;
                    r.note.pitch = static_cast<std::uint8_t>(meta.pitch);
                    r.note.velocity = static_cast<std::uint8_t>(meta.velocity);
                    r.note.family = static_cast<std::uint8_t>(meta.family);
                    r.note.source = static_cast<std::uint8_t>(meta.source);
                    r.note.split = static_cast<std::uint8_t>(meta.split);
                    r.halves.resize(static_cast<std::size_t>(last - first) * bins);
                    const float* src = db.frame(first);
                    for (std::size_t v = 0; v < r.halves.size(); ++v)
                        r.halves[v] = floatToHalf(src[v]);
                } catch (const Error& e) {
                    r.problem = meta.noteStr + ": " + e.what();
                }
            }
        });
        for (std::size_t k = 0; k < n; ++k) {
            Result& r = results[k];
            if (!r.problem.empty()) {
                ++report.failed;
                if (report.problems.size() < 1000)
                    report.problems.push_back(r.problem);
                continue;
            }
            if (!r.adjustments.empty()) {
                ++report.adjusted;
                if (report.adjustments.size() < 1000) {
                    std::string line = dataset.note(indices[chunk + k]).noteStr + ":";
                    for (std::size_t a = 0; a < r.adjustments.size(); ++a)
                        line += (a ? ", " : " ") + r.adjustments[a];
                    report.adjustments.push_back(std::move(line));
                }
            }
            if (r.silent) {
                ++report.skippedSilent;
                continue;
            }
            r.note.frameOffset = frameOffset;
            frameOffset += r.note.frames;
            out.write(r.halves.data(), r.halves.size() * 2);
            notes.push_back(r.note);
            names.push_back(dataset.note(indices[chunk + k]).noteStr);
        }
        if (progress) {
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            progress({chunk + n, indices.size(), secs > 0 ? static_cast<double>(chunk + n) / secs : 0});
        }
    }
    const nlohmann::json extra = {{"dataset_root", dataset.root().string()},
                                  {"skipped_silent", report.skippedSilent},
                                  {"failed", report.failed},
                                  {"adjusted", report.adjusted}};
    finish(out, settings, label, sourceKey(dataset, indices, label), notes, names, frameOffset * bins * 2, extra);
    report.notes = notes.size();
    report.frames = frameOffset;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report.notesPerSecond = report.seconds > 0 ? static_cast<double>(indices.size()) / report.seconds : 0;
    std::error_code ec;
    report.bytes = std::filesystem::file_size(file, ec);
    return report;
}

SliceIndex::SliceIndex(const FeatureCache& cache, int width) : width_(width)
{
    starts_.resize(cache.noteCount() + 1, 0);
    for (std::size_t i = 0; i < cache.noteCount(); ++i)
        starts_[i + 1] = starts_[i] + cache.slicesOfNote(i, width);
}

std::pair<std::size_t, int> SliceIndex::locate(std::uint64_t k) const
{
    const auto it = std::upper_bound(starts_.begin(), starts_.end(), k);
    const std::size_t note = static_cast<std::size_t>(it - starts_.begin()) - 1;
    return {note, static_cast<int>(k - starts_[note])};
}

} // namespace morph
