#include "dataset/NSynthDataset.h"

#include "dataset/ExamplesJson.h"
#include "dataset/IndexCache.h"
#include "util/Errors.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <iterator>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace morph {
namespace {

constexpr const char* kFamilyNames[kFamilyCount] = {
    "bass", "brass", "flute", "guitar", "keyboard", "mallet", "organ", "reed", "string", "synth_lead", "vocal"};
constexpr const char* kSourceNames[kSourceCount] = {"acoustic", "electronic", "synthetic"};
constexpr const char* kQualityNames[kQualityCount] = {
    "bright", "dark", "distortion", "fast_decay", "long_release", "multiphonic", "nonlinear_env",
    "percussive", "reverb", "tempo-synced"};
constexpr const char* kSplitFolders[3] = {"nsynth-train", "nsynth-valid", "nsynth-test"};

bool containsIgnoreCase(std::string_view hay, std::string_view needle)
{
    if (needle.empty())
        return true;
    auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
    return it != hay.end();
}

Split splitFromFolderName(const std::string& name)
{
    std::string lower = name;
    for (auto& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.find("train") != std::string::npos)
        return Split::Train;
    if (lower.find("valid") != std::string::npos)
        return Split::Valid;
    if (lower.find("test") != std::string::npos)
        return Split::Test;
    return Split::Unknown;
}

/// Names (without ".wav") of the files in audio/, from one directory listing (no stat per
/// file), in an open-addressing hash table (306k names: ~10 MB, lookups without allocation).
class AudioListing {
public:
    bool read(const std::filesystem::path& audioDir)
    {
        DIR* d = ::opendir(audioDir.c_str());
        if (!d)
            return false;
        while (const dirent* e = ::readdir(d)) {
            if (e->d_type != DT_REG && e->d_type != DT_LNK && e->d_type != DT_UNKNOWN)
                continue;
            const std::size_t len = std::strlen(e->d_name);
            if (len <= 4 || std::memcmp(e->d_name + len - 4, ".wav", 4) != 0)
                continue;
            starts_.push_back(static_cast<uint32_t>(arena_.size()));
            arena_.append(e->d_name, len - 4);
        }
        ::closedir(d);
        starts_.push_back(static_cast<uint32_t>(arena_.size()));
        const std::size_t n = starts_.size() - 1;
        std::size_t cap = 16;
        while (cap < 2 * n)
            cap *= 2;
        mask_ = cap - 1;
        slots_.assign(cap, 0);
        for (std::size_t i = 0; i < n; ++i) {
            std::size_t h = hash(name(i)) & mask_;
            while (slots_[h] != 0)
                h = (h + 1) & mask_;
            slots_[h] = static_cast<uint32_t>(i + 1);
        }
        return true;
    }
    bool contains(std::string_view s) const
    {
        if (slots_.empty())
            return false;
        for (std::size_t h = hash(s) & mask_; slots_[h] != 0; h = (h + 1) & mask_)
            if (name(slots_[h] - 1) == s)
                return true;
        return false;
    }

private:
    static std::size_t hash(std::string_view s)
    {
        uint64_t h = 1469598103934665603ull;  // FNV-1a
        for (char c : s) {
            h ^= static_cast<unsigned char>(c);
            h *= 1099511628211ull;
        }
        return static_cast<std::size_t>(h ^ (h >> 29));
    }
    std::string_view name(std::size_t i) const
    {
        return std::string_view(arena_.data() + starts_[i], starts_[i + 1] - starts_[i]);
    }
    std::string arena_;
    std::vector<uint32_t> starts_;
    std::vector<uint32_t> slots_;  // index + 1; 0 = empty
    std::size_t mask_ = 0;
};

struct SplitDir {
    std::filesystem::path dir;
    Split split;
};

std::vector<SplitDir> findSplitDirs(const std::filesystem::path& root)
{
    std::error_code ec;
    if (!std::filesystem::exists(root, ec))
        throw DatasetError("dataset folder " + root.string() + " does not exist; give the folder holding "
                           "nsynth-train/, nsynth-valid/, nsynth-test/ or one split's examples.json");
    if (!std::filesystem::is_directory(root, ec))
        throw DatasetError(root.string() + " is not a folder; give the dataset folder, not a file");
    std::vector<SplitDir> out;
    std::vector<std::string> withoutJson;
    for (int i = 0; i < 3; ++i) {
        const auto dir = root / kSplitFolders[i];
        if (!std::filesystem::is_directory(dir, ec))
            continue;
        if (std::filesystem::exists(dir / "examples.json", ec))
            out.push_back({dir, static_cast<Split>(i)});
        else
            withoutJson.push_back(dir.string());
    }
    if (out.empty() && std::filesystem::exists(root / "examples.json", ec)) {
        auto name = root.filename().string();
        if (name.empty())
            name = root.parent_path().filename().string();
        out.push_back({root, splitFromFolderName(name)});
    }
    if (out.empty()) {
        if (!withoutJson.empty())
            throw DatasetError(withoutJson.front() + " has no examples.json; re-download or re-render the dataset");
        throw DatasetError("no NSynth data in " + root.string()
                           + ": expected examples.json + audio/ there, or nsynth-train/, nsynth-valid/, "
                             "nsynth-test/ folders holding them (render one with 'morphstation-cli render-dataset')");
    }
    return out;
}

/// Stable order of the notes by note_str. note_str is "<instrument_str>-<ppp>-<vvv>" (checked
/// during parsing), so instead of comparing 306k strings the instruments (~1000) are ranked once
/// and notes are sorted by the integer key (rank, pitch, velocity). Instrument names holding '-'
/// could break that equivalence: then the strings are compared.
std::vector<uint32_t> noteStrOrder(const std::vector<NoteMeta>& notes)
{
    std::vector<uint32_t> order(notes.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = static_cast<uint32_t>(i);
    std::unordered_map<std::string_view, uint32_t> ids;
    std::vector<std::string_view> names;
    std::vector<uint32_t> instrumentOf(notes.size());
    bool dash = false;
    for (std::size_t i = 0; i < notes.size(); ++i) {
        const auto [it, inserted] = ids.try_emplace(notes[i].instrumentStr, static_cast<uint32_t>(names.size()));
        if (inserted) {
            names.push_back(notes[i].instrumentStr);
            dash = dash || notes[i].instrumentStr.find('-') != std::string::npos;
        }
        instrumentOf[i] = it->second;
    }
    if (dash) {
        std::stable_sort(order.begin(), order.end(),
                         [&](uint32_t a, uint32_t b) { return notes[a].noteStr < notes[b].noteStr; });
        return order;
    }
    std::vector<uint32_t> byName(names.size());
    for (std::size_t i = 0; i < byName.size(); ++i)
        byName[i] = static_cast<uint32_t>(i);
    std::sort(byName.begin(), byName.end(), [&](uint32_t a, uint32_t b) {
        return std::string(names[a]) + '-' < std::string(names[b]) + '-';
    });
    std::vector<uint64_t> rank(names.size());
    for (std::size_t r = 0; r < byName.size(); ++r)
        rank[byName[r]] = r;
    std::vector<uint64_t> keys(notes.size());
    for (std::size_t i = 0; i < notes.size(); ++i)
        keys[i] = (rank[instrumentOf[i]] << 16) | (static_cast<uint64_t>(notes[i].pitch & 0xFF) << 8)
                  | static_cast<uint64_t>(notes[i].velocity & 0xFF);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        return keys[a] != keys[b] ? keys[a] < keys[b] : a < b;
    });
    return order;
}

/// Parses, validates and checks audio of one split folder (no cache involved).
detail::IndexContent indexSplitFolder(const SplitDir& sd, bool checkAudio)
{
    const auto json = sd.dir / "examples.json";
    detail::ParsedExamples parsed = detail::parseExamplesJson(json, sd.split);
    detail::IndexContent c;
    c.problems = std::move(parsed.problems);
    if (parsed.emptyFile) {
        c.problems.push_back({json.string(), "", "examples.json is empty (0 bytes or only spaces): no notes; "
                                                   "re-download or re-render the dataset"});
        return c;
    }
    if (parsed.entries == 0) {
        c.problems.push_back({json.string(), "", "examples.json holds an empty object {}: no notes"});
        return c;
    }
    // Order by note_str (sorting indices, not notes); drop later duplicates of a key (stable
    // sort keeps file order); keep only notes whose WAV is listed in audio/.
    const std::vector<uint32_t> order = noteStrOrder(parsed.notes);
    const auto audioDir = sd.dir / "audio";
    AudioListing listing;
    bool audioOk = true;
    if (checkAudio && !listing.read(audioDir)) {
        audioOk = false;
        c.problems.push_back({audioDir.string(), "",
                              "audio folder missing or unreadable: all " + std::to_string(parsed.notes.size())
                                  + " notes of " + json.string() + " skipped"});
    }
    std::vector<NoteMeta> unique;
    unique.reserve(audioOk ? parsed.notes.size() : 0);
    std::vector<bool> duplicate(order.size(), false);
    for (std::size_t k = 1; k < order.size(); ++k)
        duplicate[k] = parsed.notes[order[k]].noteStr == parsed.notes[order[k - 1]].noteStr;
    for (std::size_t k = 0; k < order.size(); ++k) {
        NoteMeta& n = parsed.notes[order[k]];
        if (duplicate[k]) {
            c.problems.push_back({json.string(), n.noteStr, "duplicate entry; the first one is kept"});
            continue;
        }
        if (!audioOk)
            continue;
        if (checkAudio && !listing.contains(n.noteStr)) {
            c.problems.push_back({(audioDir / (n.noteStr + ".wav")).string(), n.noteStr,
                                  "audio file missing; the note is skipped"});
            continue;
        }
        unique.push_back(std::move(n));
    }
    c.notes = std::move(unique);
    c.notes.shrink_to_fit();
    return c;
}

} // namespace

const char* splitName(Split s)
{
    switch (s) {
    case Split::Train: return "train";
    case Split::Valid: return "valid";
    case Split::Test: return "test";
    case Split::Unknown: break;
    }
    return "unknown";
}

const char* familyName(int family)
{
    return family >= 0 && family < kFamilyCount ? kFamilyNames[family] : "?";
}

const char* sourceName(int source)
{
    return source >= 0 && source < kSourceCount ? kSourceNames[source] : "?";
}

const char* qualityName(int quality)
{
    return quality >= 0 && quality < kQualityCount ? kQualityNames[quality] : "?";
}

int familyFromName(std::string_view name)
{
    for (int i = 0; i < kFamilyCount; ++i)
        if (name == kFamilyNames[i])
            return i;
    return -1;
}

int sourceFromName(std::string_view name)
{
    for (int i = 0; i < kSourceCount; ++i)
        if (name == kSourceNames[i])
            return i;
    return -1;
}

std::optional<Split> parseSplit(std::string_view name)
{
    for (Split s : {Split::Train, Split::Valid, Split::Test, Split::Unknown})
        if (name == splitName(s))
            return s;
    return std::nullopt;
}

std::string formatNoteStr(std::string_view instrumentStr, int pitch, int velocity)
{
    char tail[16];
    std::snprintf(tail, sizeof tail, "-%03d-%03d", pitch, velocity);
    std::string out;
    out.reserve(instrumentStr.size() + 8);
    out.append(instrumentStr);
    out.append(tail);
    return out;
}

bool NoteQuery::matches(const NoteMeta& n) const
{
    if (split && n.split != *split)
        return false;
    if (family && n.family != *family)
        return false;
    if (source && n.source != *source)
        return false;
    if (instrument && n.instrument != *instrument)
        return false;
    if (n.pitch < pitchMin || n.pitch > pitchMax)
        return false;
    if (velocity && n.velocity != *velocity)
        return false;
    if ((n.qualities & qualitiesAll) != qualitiesAll)
        return false;
    return containsIgnoreCase(n.noteStr, nameContains);
}

struct NSynthDataset::Data {
    std::filesystem::path root;
    std::vector<NoteMeta> notes;
    std::vector<DatasetProblem> problems;
    std::vector<SplitSource> sources;
    std::vector<std::size_t> sourceBegin;  // first note index of each source
};

NSynthDataset::NSynthDataset() : d_(std::make_shared<Data>()) {}

NSynthDataset::NSynthDataset(std::shared_ptr<const Data> d) : d_(std::move(d)) {}

NSynthDataset NSynthDataset::open(const std::filesystem::path& root)
{
    return open(root, DatasetOpenOptions{});
}

NSynthDataset NSynthDataset::open(const std::filesystem::path& root, const DatasetOpenOptions& options)
{
    auto d = std::make_shared<Data>();
    d->root = root;
    const auto dirs = findSplitDirs(root);
    for (const auto& sd : dirs) {
        SplitSource src;
        src.dir = sd.dir;
        src.split = sd.split;
        std::optional<detail::IndexContent> content;
        detail::IndexKey key;
        std::vector<std::filesystem::path> cachePaths;
        if (options.useCache) {
            key = detail::currentIndexKey(sd.dir, sd.split, options.checkAudio);
            cachePaths = detail::indexCachePaths(sd.dir, options.cacheDir);
            for (const auto& p : cachePaths) {
                content = detail::readIndexCache(p, key);
                if (content) {
                    src.fromCache = true;
                    src.cacheFile = p;
                    break;
                }
            }
        }
        if (!content) {
            try {
                content = indexSplitFolder(sd, options.checkAudio);
            } catch (const DatasetError& e) {
                // One unreadable examples.json (malformed, truncated, not JSON) skips its split
                // only: the other splits stay usable. With no notes at all, the error below names it.
                detail::IndexContent broken;
                broken.problems.push_back({(sd.dir / "examples.json").string(), "",
                                           std::string(e.what()) + " (the " + splitName(sd.split)
                                               + " split's notes are skipped)"});
                content = std::move(broken);
                src.notes = 0;
                d->sourceBegin.push_back(d->notes.size());
                std::move(content->problems.begin(), content->problems.end(), std::back_inserter(d->problems));
                d->sources.push_back(std::move(src));
                continue;
            }
            if (options.useCache) {
                std::string why;
                src.cacheFile = detail::writeIndexCache(cachePaths, key, *content, why);
                if (src.cacheFile.empty()) {
                    // The index still works; only the next open is slower.
                    while (!why.empty() && (why.back() == ' ' || why.back() == ';'))
                        why.pop_back();
                    src.cacheError = why;
                }
            }
        }
        src.notes = content->notes.size();
        d->sourceBegin.push_back(d->notes.size());
        if (d->notes.empty()) {
            d->notes = std::move(content->notes);
        } else {
            d->notes.reserve(d->notes.size() + content->notes.size());
            std::move(content->notes.begin(), content->notes.end(), std::back_inserter(d->notes));
        }
        std::move(content->problems.begin(), content->problems.end(), std::back_inserter(d->problems));
        d->sources.push_back(std::move(src));
    }
    if (d->notes.empty()) {
        std::string msg = "no usable notes in " + root.string();
        if (!d->problems.empty()) {
            msg += " (" + std::to_string(d->problems.size()) + " problem" + (d->problems.size() > 1 ? "s" : "")
                   + "; first: ";
            const auto& p = d->problems.front();
            msg += (p.note.empty() ? p.file : p.file + ", note " + p.note) + ": " + p.reason + ")";
        }
        throw DatasetError(msg);
    }
    return NSynthDataset(std::move(d));
}

std::size_t NSynthDataset::size() const { return d_->notes.size(); }

const NoteMeta& NSynthDataset::note(std::size_t i) const { return d_->notes.at(i); }

const std::vector<NoteMeta>& NSynthDataset::notes() const { return d_->notes; }

std::filesystem::path NSynthDataset::audioPath(std::size_t i) const
{
    const NoteMeta& n = d_->notes.at(i);
    std::size_t s = 0;
    while (s + 1 < d_->sourceBegin.size() && d_->sourceBegin[s + 1] <= i)
        ++s;
    return d_->sources[s].dir / "audio" / (n.noteStr + ".wav");
}

std::optional<std::size_t> NSynthDataset::find(const std::string& noteStr) const
{
    for (std::size_t s = 0; s < d_->sourceBegin.size(); ++s) {
        const auto begin = d_->notes.begin() + static_cast<std::ptrdiff_t>(d_->sourceBegin[s]);
        const auto end = s + 1 < d_->sourceBegin.size()
                             ? d_->notes.begin() + static_cast<std::ptrdiff_t>(d_->sourceBegin[s + 1])
                             : d_->notes.end();
        auto it = std::lower_bound(begin, end, noteStr,
                                   [](const NoteMeta& n, const std::string& k) { return n.noteStr < k; });
        if (it != end && it->noteStr == noteStr)
            return static_cast<std::size_t>(it - d_->notes.begin());
    }
    return std::nullopt;
}

std::vector<std::size_t> NSynthDataset::query(const NoteQuery& q) const
{
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < d_->notes.size(); ++i)
        if (q.matches(d_->notes[i]))
            out.push_back(i);
    return out;
}

const std::vector<DatasetProblem>& NSynthDataset::problems() const { return d_->problems; }

const std::filesystem::path& NSynthDataset::root() const { return d_->root; }

const std::vector<SplitSource>& NSynthDataset::sources() const { return d_->sources; }

DatasetCounts NSynthDataset::counts(const NoteQuery& q) const
{
    DatasetCounts c;
    std::unordered_set<std::string_view> instruments;
    for (const auto& n : d_->notes) {
        if (!q.matches(n))
            continue;
        ++c.notes;
        ++c.bySplit[static_cast<int>(n.split)];
        ++c.byFamily[n.family];
        ++c.bySource[n.source];
        ++c.byPitch[n.pitch];
        ++c.byVelocity[n.velocity];
        for (int b = 0; b < kQualityCount; ++b)
            if (n.hasQuality(b))
                ++c.byQuality[b];
        instruments.insert(n.instrumentStr);
    }
    c.instruments = instruments.size();
    return c;
}

std::vector<std::string> NSynthDataset::instruments(const NoteQuery& q) const
{
    std::unordered_set<std::string_view> seen;
    std::vector<std::string> out;
    const std::string* last = nullptr;  // notes are grouped by instrument within a split
    for (const auto& n : d_->notes) {
        if (last && *last == n.instrumentStr)
            continue;
        if (!q.matches(n))
            continue;
        last = &n.instrumentStr;
        if (seen.insert(n.instrumentStr).second)
            out.push_back(n.instrumentStr);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> NSynthDataset::instrumentsInFamily(int family) const
{
    NoteQuery q;
    q.family = family;
    return instruments(q);
}

std::vector<int> NSynthDataset::pitches(const std::string& instrumentStr) const
{
    std::vector<int> out;
    for (const auto& n : d_->notes)
        if (n.instrumentStr == instrumentStr)
            out.push_back(n.pitch);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<int> NSynthDataset::velocities(const std::string& instrumentStr, int pitch) const
{
    std::vector<int> out;
    for (const auto& n : d_->notes)
        if (n.pitch == pitch && n.instrumentStr == instrumentStr)
            out.push_back(n.velocity);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<Split> NSynthDataset::splits() const
{
    std::vector<Split> out;
    for (const auto& s : d_->sources)
        if (s.notes > 0 && std::find(out.begin(), out.end(), s.split) == out.end())
            out.push_back(s.split);
    std::sort(out.begin(), out.end());
    return out;
}

std::string NSynthDataset::summary() const
{
    const DatasetCounts c = counts();
    std::ostringstream os;
    os << c.notes << " notes, " << c.instruments << " instruments in " << d_->root.string() << "\n";
    os << "  by split:";
    for (int s = 0; s < kSplitCount; ++s)
        if (c.bySplit[s])
            os << " " << splitName(static_cast<Split>(s)) << " " << c.bySplit[s];
    os << "\n  by family:";
    for (int f = 0; f < kFamilyCount; ++f)
        if (c.byFamily[f])
            os << " " << familyName(f) << " " << c.byFamily[f];
    os << "\n  by source:";
    for (int s = 0; s < kSourceCount; ++s)
        if (c.bySource[s])
            os << " " << sourceName(s) << " " << c.bySource[s];
    os << "\n  problems: " << d_->problems.size() << "\n";
    return os.str();
}

} // namespace morph
