#include "dataset/IndexCache.h"

#include "util/AtomicFile.h"
#include "util/Errors.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <sys/stat.h>
#include <unistd.h>

namespace morph::detail {
namespace {

constexpr char kMagic[8] = {'M', 'R', 'P', 'H', 'I', 'D', 'X', '\n'};

uint64_t fnv1a(const char* data, std::size_t n, uint64_t h = 1469598103934665603ull)
{
    for (std::size_t i = 0; i < n; ++i) {
        h ^= static_cast<unsigned char>(data[i]);
        h *= 1099511628211ull;
    }
    return h;
}

int64_t mtimeNs(const struct stat& st)
{
    return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000ll + st.st_mtim.tv_nsec;
}

class Writer {
public:
    template <typename T> void pod(T v) { buf.append(reinterpret_cast<const char*>(&v), sizeof v); }
    void str(const std::string& s)
    {
        pod<uint32_t>(static_cast<uint32_t>(s.size()));
        buf.append(s);
    }
    std::string buf;
};

class Reader {
public:
    Reader(const char* p, std::size_t n) : p_(p), end_(p + n) {}
    template <typename T> bool pod(T& v)
    {
        if (static_cast<std::size_t>(end_ - p_) < sizeof v)
            return false;
        std::memcpy(&v, p_, sizeof v);
        p_ += sizeof v;
        return true;
    }
    bool str(std::string& s)
    {
        uint32_t n = 0;
        if (!pod(n) || static_cast<std::size_t>(end_ - p_) < n)
            return false;
        s.assign(p_, n);
        p_ += n;
        return true;
    }
    bool atEnd() const { return p_ == end_; }

private:
    const char* p_;
    const char* end_;
};

void writeKey(Writer& w, const IndexKey& key)
{
    w.buf.append(kMagic, sizeof kMagic);
    w.pod<uint32_t>(kIndexFormatVersion);
    w.pod<uint64_t>(key.jsonSize);
    w.pod<int64_t>(key.jsonMtimeNs);
    w.pod<int64_t>(key.audioMtimeNs);
    w.pod<uint8_t>(key.checkedAudio ? 1 : 0);
    w.pod<uint8_t>(static_cast<uint8_t>(key.split));
    w.str(key.dir);
}

bool dirLooksWritable(const std::filesystem::path& dir)
{
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0)
        return false;
    // A folder with no write bit at all is read-only by intent, even for root.
    if ((st.st_mode & 0222) == 0)
        return false;
    return ::access(dir.c_str(), W_OK) == 0;
}

} // namespace

IndexKey currentIndexKey(const std::filesystem::path& dir, Split split, bool checkAudio)
{
    IndexKey key;
    const auto json = dir / "examples.json";
    struct stat st {};
    if (::stat(json.c_str(), &st) != 0)
        throw DatasetError("cannot read " + json.string() + ": " + std::strerror(errno));
    key.jsonSize = static_cast<uint64_t>(st.st_size);
    key.jsonMtimeNs = mtimeNs(st);
    key.checkedAudio = checkAudio;
    key.split = split;
    std::error_code ec;
    const auto abs = std::filesystem::absolute(dir, ec);
    key.dir = (ec ? dir : abs).lexically_normal().string();
    if (checkAudio && ::stat((dir / "audio").c_str(), &st) == 0)
        key.audioMtimeNs = mtimeNs(st);
    return key;
}

std::vector<std::filesystem::path> indexCachePaths(const std::filesystem::path& dir,
                                                   const std::filesystem::path& cacheDirOverride)
{
    std::error_code ec;
    auto abs = std::filesystem::absolute(dir, ec);
    const std::string key = (ec ? dir : abs).lexically_normal().string();
    char name[40];
    std::snprintf(name, sizeof name, "%016llx.bin",
                  static_cast<unsigned long long>(fnv1a(key.data(), key.size())));
    if (!cacheDirOverride.empty())
        return {cacheDirOverride / name};
    std::vector<std::filesystem::path> out;
    out.push_back(dir / ".morph-index.bin");
    std::filesystem::path base;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        base = xdg;
    else if (const char* home = std::getenv("HOME"); home && *home)
        base = std::filesystem::path(home) / ".cache";
    if (!base.empty())
        out.push_back(base / "morphstation" / "index" / name);
    return out;
}

std::optional<IndexContent> readIndexCache(const std::filesystem::path& file, const IndexKey& key)
{
    std::string data;
    {
        std::FILE* f = std::fopen(file.c_str(), "rb");
        if (!f)
            return std::nullopt;
        struct stat st {};
        if (::fstat(::fileno(f), &st) != 0 || st.st_size <= 0) {
            std::fclose(f);
            return std::nullopt;
        }
        data.resize(static_cast<std::size_t>(st.st_size));
        const std::size_t got = std::fread(data.data(), 1, data.size(), f);
        std::fclose(f);
        if (got != data.size())
            return std::nullopt;
    }
    if (data.size() < sizeof(uint64_t))
        return std::nullopt;
    // Checksum over everything before the trailing 8 bytes.
    uint64_t stored = 0;
    std::memcpy(&stored, data.data() + data.size() - sizeof stored, sizeof stored);
    const std::size_t payload = data.size() - sizeof stored;
    if (fnv1a(data.data(), payload) != stored)
        return std::nullopt;
    Writer expect;
    writeKey(expect, key);
    if (payload < expect.buf.size() || std::memcmp(data.data(), expect.buf.data(), expect.buf.size()) != 0)
        return std::nullopt;
    Reader r(data.data() + expect.buf.size(), payload - expect.buf.size());
    IndexContent c;
    uint32_t noteCount = 0;
    if (!r.pod(noteCount))
        return std::nullopt;
    c.notes.resize(noteCount);
    for (auto& n : c.notes) {
        int32_t ints[7];
        uint8_t fam = 0, src = 0, split = 0;
        if (!r.str(n.noteStr) || !r.str(n.instrumentStr) || !r.pod(ints) || !r.pod(fam) || !r.pod(src)
            || !r.pod(split) || !r.pod(n.qualities))
            return std::nullopt;
        n.note = ints[0];
        n.instrument = ints[1];
        n.pitch = ints[2];
        n.velocity = ints[3];
        n.sampleRate = ints[4];
        n.family = fam;
        n.source = src;
        n.split = static_cast<Split>(split);
    }
    uint32_t problemCount = 0;
    if (!r.pod(problemCount))
        return std::nullopt;
    c.problems.resize(problemCount);
    for (auto& p : c.problems)
        if (!r.str(p.file) || !r.str(p.note) || !r.str(p.reason))
            return std::nullopt;
    if (!r.atEnd())
        return std::nullopt;
    return c;
}

std::filesystem::path writeIndexCache(const std::vector<std::filesystem::path>& candidates,
                                      const IndexKey& key, const IndexContent& content, std::string& why)
{
    Writer w;
    std::size_t reserve = 64 + key.dir.size();
    for (const auto& n : content.notes)
        reserve += 48 + n.noteStr.size() + n.instrumentStr.size();
    w.buf.reserve(reserve);
    writeKey(w, key);
    w.pod<uint32_t>(static_cast<uint32_t>(content.notes.size()));
    for (const auto& n : content.notes) {
        w.str(n.noteStr);
        w.str(n.instrumentStr);
        const int32_t ints[7] = {n.note, n.instrument, n.pitch, n.velocity, n.sampleRate, 0, 0};
        w.buf.append(reinterpret_cast<const char*>(ints), sizeof ints);
        w.pod<uint8_t>(static_cast<uint8_t>(n.family));
        w.pod<uint8_t>(static_cast<uint8_t>(n.source));
        w.pod<uint8_t>(static_cast<uint8_t>(n.split));
        w.pod<uint16_t>(n.qualities);
    }
    w.pod<uint32_t>(static_cast<uint32_t>(content.problems.size()));
    for (const auto& p : content.problems) {
        w.str(p.file);
        w.str(p.note);
        w.str(p.reason);
    }
    w.pod<uint64_t>(fnv1a(w.buf.data(), w.buf.size()));

    why.clear();
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const auto& file = candidates[i];
        const auto folder = file.parent_path();
        const bool besideData = i == 0 && candidates.size() > 1;
        if (besideData && !dirLooksWritable(folder)) {
            why += folder.string() + " is read-only; ";
            continue;
        }
        try {
            std::error_code ec;
            std::filesystem::create_directories(folder, ec);
            writeFileAtomically(file, w.buf);
            return file;
        } catch (const IoError& e) {
            why += std::string(e.what()) + "; ";
        }
    }
    if (why.empty())
        why = "no cache location";
    return {};
}

} // namespace morph::detail
