#include "dataset/ExamplesJson.h"

#include "util/Errors.h"
#include "util/ThreadPool.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace morph::detail {
namespace {

constexpr std::size_t kBlockSize = 4u << 20;  // bytes read per refill
constexpr std::size_t kMinBlockSize = 4096;     // for small files
constexpr std::size_t kPadding = simdjson::SIMDJSON_PADDING;
constexpr const char* kFixHint = "; fix or re-download the file";

std::string q(std::string_view s)
{
    std::string out = "'";
    out.append(s.substr(0, 80));
    if (s.size() > 80)
        out += "...";
    return out + "'";
}

std::string printable(char c)
{
    if (c == '\n')
        return "a line break";
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "byte 0x%02x", static_cast<unsigned char>(c));
        return hex;
    }
    return std::string("'") + c + "'";
}

[[noreturn]] void throwSyntax(const std::filesystem::path& file, std::uint64_t offset,
                              const std::string& what)
{
    const std::size_t line = lineOfOffset(file, offset);
    std::string msg = file.string() + " at byte " + std::to_string(offset);
    if (line > 0)
        msg += " (line " + std::to_string(line) + ")";
    throw DatasetError(msg + ": " + what + kFixHint);
}

/// Reads a file block by block into a padded buffer; indices stay valid until refill().
class BlockReader {
public:
    /// blockSize 0: 4 MB, or the file's size when smaller.
    BlockReader(const std::filesystem::path& file, std::size_t blockSize) : file_(file)
    {
        f_ = std::fopen(file.c_str(), "rb");
        if (!f_)
            throw DatasetError("cannot open " + file.string() + ": " + std::strerror(errno));
        // A small file gets a small buffer (a 4 MB buffer per open made the fuzzer ~20x slower);
        // a file that grows while read still works: blocks are only a read granularity.
        std::error_code ec;
        const auto size = std::filesystem::file_size(file, ec);
        if (blockSize > 0)
            blockSize_ = blockSize;
        else if (!ec && size < kBlockSize)
            blockSize_ = std::max<std::size_t>(static_cast<std::size_t>(size) + 1, kMinBlockSize);
        buf_.resize(blockSize_ + kPadding);
    }
    ~BlockReader() { std::fclose(f_); }
    BlockReader(const BlockReader&) = delete;
    BlockReader& operator=(const BlockReader&) = delete;

    const char* data() const { return buf_.data(); }
    std::size_t end() const { return end_; }
    bool eof() const { return eof_; }
    std::uint64_t offsetOf(std::size_t index) const { return base_ + index; }
    std::size_t readablePast(std::size_t index) const { return buf_.size() - index; }

    /// Drops bytes before `keepFrom`, reads more. Returns the shift applied to indices
    /// (new index = old index - shift). Sets eof() when nothing more could be read.
    std::size_t refill(std::size_t keepFrom)
    {
        const std::size_t keep = end_ - keepFrom;
        std::memmove(buf_.data(), buf_.data() + keepFrom, keep);
        base_ += keepFrom;
        end_ = keep;
        if (buf_.size() - kPadding - end_ < blockSize_ / 2)  // one entry larger than a block
            buf_.resize(end_ + blockSize_ + kPadding);
        const std::size_t want = buf_.size() - kPadding - end_;
        const std::size_t got = std::fread(buf_.data() + end_, 1, want, f_);
        if (got < want) {
            if (std::ferror(f_))
                throw DatasetError("cannot read " + file_.string() + ": " + std::strerror(errno));
            eof_ = got == 0 || std::feof(f_);
        }
        end_ += got;
        std::memset(buf_.data() + end_, ' ', kPadding);
        if (got == 0)
            eof_ = true;
        return keepFrom;
    }

private:
    std::filesystem::path file_;
    std::FILE* f_ = nullptr;
    std::vector<char> buf_;
    std::size_t blockSize_ = kBlockSize;
    std::size_t end_ = 0;
    std::uint64_t base_ = 0;
    bool eof_ = false;
};

inline bool isWs(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

constexpr std::size_t kNeedMore = static_cast<std::size_t>(-1);
constexpr std::size_t kBad = static_cast<std::size_t>(-2);

/// Index just past the closing quote of the string starting at `i` (buf[i] == '"').
/// The buffer is padded, so 16-byte loads past `end` are safe (hits there are ignored).
std::size_t scanString(const char* buf, std::size_t i, std::size_t end)
{
    ++i;
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    while (i < end) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(buf + i));
        const unsigned mask = static_cast<unsigned>(
            _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash))));
        if (mask == 0) {
            i += 16;
            continue;
        }
        const std::size_t j = i + static_cast<std::size_t>(__builtin_ctz(mask));
        if (j >= end)
            break;
        if (buf[j] == '"')
            return j + 1;
        i = j + 2;  // skip the escaped character
    }
    return kNeedMore;
#else
    for (; i < end; ++i) {
        const char c = buf[i];
        if (c == '"')
            return i + 1;
        if (c == '\\')
            ++i;
    }
    return kNeedMore;
#endif
}

/// Index just past the JSON value starting at `i`; kNeedMore when it runs past `end`, kBad when
/// no value starts at `i`. Containers are matched by depth only (simdjson validates the rest).
std::size_t scanValue(const char* buf, std::size_t i, std::size_t end, bool eof)
{
    const char c = buf[i];
    if (c == '"')
        return scanString(buf, i, end);
    if (c == '{' || c == '[') {
        int depth = 0;
        std::size_t j = i;
#ifdef __SSE2__
        const __m128i quote = _mm_set1_epi8('"'), open1 = _mm_set1_epi8('{'), close1 = _mm_set1_epi8('}'),
                      open2 = _mm_set1_epi8('['), close2 = _mm_set1_epi8(']');
        while (j < end) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(buf + j));
            unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, open1)),
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, close1), _mm_cmpeq_epi8(v, open2)),
                             _mm_cmpeq_epi8(v, close2)))));
            std::size_t next = j + 16;
            while (mask) {
                const std::size_t k = j + static_cast<std::size_t>(__builtin_ctz(mask));
                mask &= mask - 1;
                if (k >= end)
                    return kNeedMore;
                const char ch = buf[k];
                if (ch == '"') {
                    const std::size_t after = scanString(buf, k, end);
                    if (after == kNeedMore)
                        return kNeedMore;
                    next = after;  // rescan from after the string
                    break;
                }
                if (ch == '{' || ch == '[') {
                    ++depth;
                } else if (--depth == 0) {
                    return k + 1;
                }
            }
            j = next;
        }
        return kNeedMore;
#else
        for (; j < end; ++j) {
            switch (buf[j]) {
            case '"':
                j = scanString(buf, j, end);
                if (j == kNeedMore)
                    return kNeedMore;
                --j;
                break;
            case '{':
            case '[':
                ++depth;
                break;
            case '}':
            case ']':
                if (--depth == 0)
                    return j + 1;
                break;
            default:
                break;
            }
        }
        return kNeedMore;
#endif
    }
    std::size_t j = i;
    while (j < end && !isWs(buf[j]) && buf[j] != ',' && buf[j] != '}' && buf[j] != ']' && buf[j] != ':')
        ++j;
    if (j == i)
        return kBad;
    if (j == end && !eof)
        return kNeedMore;
    return j;
}

/// Minimal JSON string unescape for keys (\" \\ \/ \b \f \n \r \t \uXXXX in the BMP).
std::string unescapeKey(std::string_view raw)
{
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c != '\\' || i + 1 >= raw.size()) {
            out += c;
            continue;
        }
        c = raw[++i];
        switch (c) {
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
            unsigned cp = 0;
            if (i + 4 < raw.size()) {
                cp = static_cast<unsigned>(std::strtoul(std::string(raw.substr(i + 1, 4)).c_str(), nullptr, 16));
                i += 4;
            }
            if (cp < 0x80) {
                out += static_cast<char>(cp);
            } else if (cp < 0x800) {
                out += static_cast<char>(0xC0 | (cp >> 6));
                out += static_cast<char>(0x80 | (cp & 0x3F));
            } else {
                out += static_cast<char>(0xE0 | (cp >> 12));
                out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                out += static_cast<char>(0x80 | (cp & 0x3F));
            }
            break;
        }
        default: out += c; break;
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Entry validation with simdjson On Demand.

using simdjson::error_code;
namespace od = simdjson::ondemand;

const char* typeName(od::json_type t)
{
    switch (t) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
    }
    return "an unknown value";
}

/// Walks a value completely so that simdjson checks its syntax; returns the first error.
error_code consume(od::value v, int depth = 0)
{
    if (depth > 64)
        return simdjson::DEPTH_ERROR;
    od::json_type t;
    if (auto e = v.type().get(t))
        return e;
    switch (t) {
    case od::json_type::object: {
        od::object o;
        if (auto e = v.get_object().get(o))
            return e;
        for (auto f : o) {
            od::field field;
            if (auto e = std::move(f).get(field))
                return e;
            std::string_view k;
            if (auto e = field.unescaped_key().get(k))
                return e;
            if (auto e = consume(field.value(), depth + 1))
                return e;
        }
        return simdjson::SUCCESS;
    }
    case od::json_type::array: {
        od::array a;
        if (auto e = v.get_array().get(a))
            return e;
        for (auto el : a) {
            od::value item;
            if (auto e = el.get(item))
                return e;
            if (auto e = consume(item, depth + 1))
                return e;
        }
        return simdjson::SUCCESS;
    }
    case od::json_type::number: {
        od::number n;
        return v.get_number().get(n);
    }
    case od::json_type::string: {
        std::string_view s;
        return v.get_string().get(s);
    }
    case od::json_type::boolean: {
        bool b;
        return v.get_bool().get(b);
    }
    case od::json_type::null: {
        bool isNull = false;
        if (auto e = v.is_null().get(isNull))
            return e;
        return isNull ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
    }
    return simdjson::TAPE_ERROR;
}

enum Field : unsigned {
    kNote, kNoteStr, kInstrument, kInstrumentStr, kPitch, kVelocity, kSampleRate, kQualities,
    kQualitiesStr, kFamily, kFamilyStr, kSource, kSourceStr, kFieldCount
};
constexpr const char* kFieldNames[kFieldCount] = {
    "note", "note_str", "instrument", "instrument_str", "pitch", "velocity", "sample_rate",
    "qualities", "qualities_str", "instrument_family", "instrument_family_str",
    "instrument_source", "instrument_source_str"};

int fieldIndex(std::string_view key)
{
    if (key.empty())
        return -1;
    // Cheap prefilter on length and first/last character before the comparison.
    for (unsigned i = 0; i < kFieldCount; ++i) {
        const std::string_view name = kFieldNames[i];
        if (key.size() == name.size() && key.front() == name.front() && key.back() == name.back() && key == name)
            return static_cast<int>(i);
    }
    return -1;
}

struct EntryState {
    std::string problems;
    void add(const std::string& reason)
    {
        if (!problems.empty())
            problems += "; ";
        problems += reason;
    }
};

/// 60.5 and 1e+23 as a user wrote them, not std::to_string's fixed "99999999999999991611392.000000".
std::string shortNumber(double v)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.15g", v);
    return text;
}

/// Reads an integer field; a non-integer is a problem (the value is still consumed).
error_code readInt(od::value v, const char* name, int64_t& out, bool& ok, EntryState& st)
{
    ok = false;
    od::json_type t;
    if (auto e = v.type().get(t))
        return e;
    if (t != od::json_type::number) {
        st.add(std::string("field '") + name + "' must be an integer, found " + typeName(t));
        return consume(v);
    }
    od::number n;
    if (auto e = v.get_number().get(n))
        return e;
    if (n.is_int64()) {
        out = n.get_int64();
        ok = true;
    } else if (n.is_double() && std::abs(n.get_double()) < 1e15
               && n.get_double() == std::trunc(n.get_double())) {
        // Range first: casting 1e23 to int64 is undefined (found by tests/fuzz.sh).
        out = static_cast<int64_t>(n.get_double());  // 60.0 is accepted as 60
        ok = true;
    } else {
        st.add(std::string("field '") + name + "' must be an integer, found "
               + (n.is_double() ? shortNumber(n.get_double()) : std::string("a huge number")));
    }
    return simdjson::SUCCESS;
}

error_code readString(od::value v, const char* name, std::string& out, bool& ok, EntryState& st)
{
    ok = false;
    od::json_type t;
    if (auto e = v.type().get(t))
        return e;
    if (t != od::json_type::string) {
        st.add(std::string("field '") + name + "' must be a string, found " + typeName(t));
        return consume(v);
    }
    std::string_view s;
    if (auto e = v.get_string().get(s))
        return e;
    out.assign(s);
    ok = true;
    return simdjson::SUCCESS;
}

error_code readQualities(od::value v, uint16_t& bits, bool& ok, EntryState& st)
{
    ok = false;
    od::json_type t;
    if (auto e = v.type().get(t))
        return e;
    if (t != od::json_type::array) {
        st.add(std::string("field 'qualities' must be an array of 10 integers 0/1, found ") + typeName(t));
        return consume(v);
    }
    od::array a;
    if (auto e = v.get_array().get(a))
        return e;
    int count = 0;
    bool good = true;
    bits = 0;
    for (auto el : a) {
        od::value item;
        if (auto e = el.get(item))
            return e;
        int64_t q = 0;
        bool intOk = false;
        EntryState local;
        if (auto e = readInt(item, "qualities", q, intOk, local))
            return e;
        if (!intOk || (q != 0 && q != 1)) {
            good = false;
        } else if (q == 1 && count < kQualityCount) {
            bits |= static_cast<uint16_t>(1u << count);
        }
        ++count;
    }
    if (!good || count != kQualityCount) {
        st.add("field 'qualities' must be an array of 10 integers 0/1 (found " + std::to_string(count)
               + " items" + (good ? "" : ", not all 0/1") + ")");
        return simdjson::SUCCESS;
    }
    ok = true;
    return simdjson::SUCCESS;
}

error_code readQualityNames(od::value v, uint16_t& bits, bool& ok, EntryState& st)
{
    ok = false;
    od::json_type t;
    if (auto e = v.type().get(t))
        return e;
    if (t != od::json_type::array) {
        st.add(std::string("field 'qualities_str' must be an array of strings, found ") + typeName(t));
        return consume(v);
    }
    od::array a;
    if (auto e = v.get_array().get(a))
        return e;
    bool good = true;
    std::string bad;
    bits = 0;
    for (auto el : a) {
        od::value item;
        if (auto e = el.get(item))
            return e;
        od::json_type it;
        if (auto e = item.type().get(it))
            return e;
        if (it != od::json_type::string) {
            good = false;
            if (auto e = consume(item))
                return e;
            continue;
        }
        std::string_view s;
        if (auto e = item.get_string().get(s))
            return e;
        int q = -1;
        for (int i = 0; i < kQualityCount; ++i)
            if (s == qualityName(i))
                q = i;
        if (q < 0) {
            good = false;
            bad = std::string(s);
        } else {
            bits |= static_cast<uint16_t>(1u << q);
        }
    }
    if (!good) {
        st.add("field 'qualities_str' holds " + (bad.empty() ? std::string("a non-string item") : "unknown quality " + q(bad)));
        return simdjson::SUCCESS;
    }
    ok = true;
    return simdjson::SUCCESS;
}

std::string checkRange(const char* name, int64_t v, int64_t lo, int64_t hi)
{
    if (v >= lo && v <= hi)
        return {};
    return std::string("field '") + name + "' is " + std::to_string(v) + ", outside " + std::to_string(lo)
           + ".." + std::to_string(hi);
}

} // namespace

std::size_t lineOfOffset(const std::filesystem::path& file, std::uint64_t offset)
{
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (!f)
        return 0;
    std::size_t line = 1;
    // At most 1 MB, no more than the bytes to count (this runs for every syntax error).
    std::vector<char> buf(static_cast<std::size_t>(std::clamp<std::uint64_t>(offset, 1, 1u << 20)));
    std::uint64_t done = 0;
    while (done < offset) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), offset - done));
        const std::size_t got = std::fread(buf.data(), 1, want, f);
        if (got == 0)
            break;
        line += static_cast<std::size_t>(std::count(buf.data(), buf.data() + got, '\n'));
        done += got;
    }
    std::fclose(f);
    return line;
}

std::string parseEntry(std::string_view key, const char* json, std::size_t length,
                       std::size_t readablePastEnd, NoteMeta& out,
                       const std::filesystem::path& file, std::uint64_t baseOffset)
{
    thread_local od::parser parser;
    auto syntax = [&](error_code e, const char* where) -> std::string {
        std::uint64_t offset = baseOffset;
        if (where && where >= json && where <= json + length)
            offset += static_cast<std::uint64_t>(where - json);
        throwSyntax(file, offset,
                    std::string("malformed JSON in the entry ") + q(key) + ": "
                        + simdjson::error_message(e));
    };
    od::document doc;
    if (auto e = parser.iterate(json, length, std::max(length, readablePastEnd)).get(doc))
        return syntax(e, nullptr);
    auto location = [&]() -> const char* {
        const char* p = nullptr;
        if (doc.current_location().get(p))
            return nullptr;
        return p;
    };
    od::json_type t;
    if (auto e = doc.type().get(t))
        return syntax(e, location());
    if (t != od::json_type::object) {
        // Validate the syntax anyway, then reject the entry.
        error_code e = simdjson::SUCCESS;
        if (t == od::json_type::array) {
            od::array a;
            e = doc.get_array().get(a);
            if (!e)
                for (auto el : a) {
                    od::value item;
                    if ((e = el.get(item)) || (e = consume(item)))
                        break;
                }
        } else if (t == od::json_type::string) {
            std::string_view s;
            e = doc.get_string().get(s);
        } else if (t == od::json_type::number) {
            double d;
            e = doc.get_double().get(d);
        } else if (t == od::json_type::boolean) {
            bool b;
            e = doc.get_bool().get(b);
        } else {
            bool n = false;
            e = doc.is_null().get(n);
            if (!e && !n)
                e = simdjson::N_ATOM_ERROR;
        }
        if (e)
            return syntax(e, location());
        return std::string("entry must be an object, found ") + typeName(t);
    }
    od::object obj;
    if (auto e = doc.get_object().get(obj))
        return syntax(e, location());

    EntryState st;
    bool seen[kFieldCount] = {};
    bool valid[kFieldCount] = {};
    int64_t ints[kFieldCount] = {};
    std::string familyStr, sourceStr;
    uint16_t qualityBits = 0, qualityNameBits = 0;
    out = NoteMeta{};
    for (auto f : obj) {
        od::field field;
        if (auto e = std::move(f).get(field))
            return syntax(e, location());
        std::string_view k;
        if (auto e = field.unescaped_key().get(k))
            return syntax(e, location());
        const int idx = fieldIndex(k);
        od::value v = field.value();
        error_code e = simdjson::SUCCESS;
        bool ok = false;
        switch (idx) {
        case kNote: case kInstrument: case kPitch: case kVelocity: case kSampleRate:
        case kFamily: case kSource:
            e = readInt(v, kFieldNames[idx], ints[idx], ok, st);
            break;
        case kNoteStr: e = readString(v, kFieldNames[idx], out.noteStr, ok, st); break;
        case kInstrumentStr: e = readString(v, kFieldNames[idx], out.instrumentStr, ok, st); break;
        case kFamilyStr: e = readString(v, kFieldNames[idx], familyStr, ok, st); break;
        case kSourceStr: e = readString(v, kFieldNames[idx], sourceStr, ok, st); break;
        case kQualities: e = readQualities(v, qualityBits, ok, st); break;
        case kQualitiesStr: e = readQualityNames(v, qualityNameBits, ok, st); break;
        default: e = consume(v); break;  // unknown fields are allowed but must be valid JSON
        }
        if (e)
            return syntax(e, location());
        if (idx >= 0) {
            seen[idx] = true;
            valid[idx] = ok;
        }
    }

    for (unsigned i = 0; i < kFieldCount; ++i)
        if (!seen[i])
            st.add(std::string("missing field '") + kFieldNames[i] + "'");
    auto range = [&](Field fi, int64_t lo, int64_t hi) {
        if (seen[fi] && valid[fi]) {
            const std::string r = checkRange(kFieldNames[fi], ints[fi], lo, hi);
            if (!r.empty()) {
                st.add(r);
                valid[fi] = false;
            }
        }
    };
    range(kNote, 0, INT32_MAX);
    range(kInstrument, 0, INT32_MAX);
    range(kPitch, 0, 127);
    range(kVelocity, 0, 127);
    range(kSampleRate, 1, 1000000);
    range(kFamily, 0, kFamilyCount - 1);
    range(kSource, 0, kSourceCount - 1);

    out.note = static_cast<int>(ints[kNote]);
    out.instrument = static_cast<int>(ints[kInstrument]);
    out.pitch = static_cast<int>(ints[kPitch]);
    out.velocity = static_cast<int>(ints[kVelocity]);
    out.sampleRate = static_cast<int>(ints[kSampleRate]);
    out.family = static_cast<int>(ints[kFamily]);
    out.source = static_cast<int>(ints[kSource]);
    out.qualities = qualityBits;

    if (valid[kNoteStr] && valid[kInstrumentStr] && valid[kPitch] && valid[kVelocity]) {
        const std::string expected = formatNoteStr(out.instrumentStr, out.pitch, out.velocity);
        if (out.noteStr != expected)
            st.add("note_str " + q(out.noteStr) + " disagrees with instrument_str/pitch/velocity (expected "
                   + q(expected) + ")");
    }
    if (valid[kNoteStr] && out.noteStr != key)
        st.add("the entry's key " + q(key) + " differs from its note_str " + q(out.noteStr));
    if (valid[kFamily] && valid[kFamilyStr] && familyStr != familyName(out.family))
        st.add("instrument_family_str " + q(familyStr) + " disagrees with instrument_family "
               + std::to_string(out.family) + " (" + familyName(out.family) + ")");
    if (valid[kSource] && valid[kSourceStr] && sourceStr != sourceName(out.source))
        st.add("instrument_source_str " + q(sourceStr) + " disagrees with instrument_source "
               + std::to_string(out.source) + " (" + sourceName(out.source) + ")");
    if (valid[kQualities] && valid[kQualitiesStr] && qualityBits != qualityNameBits)
        st.add("qualities_str disagrees with the qualities bits");
    return st.problems;
}

ParsedExamples parseExamplesJson(const std::filesystem::path& file, Split split)
{
    return parseExamplesJson(file, split, 0);
}

ParsedExamples parseExamplesJson(const std::filesystem::path& file, Split split, std::size_t blockSize)
{
    ParsedExamples result;
    BlockReader in(file, blockSize);
    in.refill(0);
    std::size_t pos = 0;
    const char* buf = in.data();

    // Entries framed in the current buffer wait here and are parsed in parallel (simdjson, one
    // parser per thread) before the buffer is refilled, i.e. before their indices go stale.
    struct Framed {
        std::size_t keyStart, keyEnd, valueStart, valueEnd;
    };
    std::vector<Framed> pending;
    std::vector<NoteMeta> metas;
    std::vector<std::string> reasons, keys;
    std::vector<std::exception_ptr> errors;
    auto flush = [&]() {
        const std::size_t n = pending.size();
        if (n == 0)
            return;
        const char* b = in.data();
        metas.assign(n, NoteMeta{});
        reasons.assign(n, std::string());
        keys.assign(n, std::string());
        errors.assign(n, nullptr);
        ThreadPool::shared().parallelFor(n, [&](std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i) {
                const Framed& f = pending[i];
                try {
                    keys[i] = unescapeKey(std::string_view(b + f.keyStart + 1, f.keyEnd - f.keyStart - 2));
                    // A name in another encoding (Latin-1 ...) makes this entry unusable, not the file.
                    if (!simdjson::validate_utf8(b + f.keyStart, f.valueEnd - f.keyStart)) {
                        std::size_t valid = 0;  // longest valid prefix: the bad sequence starts there
                        for (std::size_t len = 1; f.keyStart + len <= f.valueEnd; ++len)
                            if (simdjson::validate_utf8(b + f.keyStart, len))
                                valid = len;
                        const std::size_t bad = f.keyStart + valid;
                        char hex[8];
                        std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(b[bad]));
                        reasons[i] = "the entry is not valid UTF-8 (byte " + std::string(hex) + " at byte "
                                     + std::to_string(in.offsetOf(bad)) + "; a name saved in another encoding?): "
                                     "re-save examples.json as UTF-8";
                        continue;
                    }
                    reasons[i] = parseEntry(keys[i], b + f.valueStart, f.valueEnd - f.valueStart,
                                            in.readablePast(f.valueStart), metas[i], file, in.offsetOf(f.valueStart));
                } catch (const DatasetError&) {
                    errors[i] = std::current_exception();
                }
            }
        });
        pending.clear();
        for (std::size_t i = 0; i < n; ++i) {  // in file order: the earliest error wins
            if (errors[i])
                std::rethrow_exception(errors[i]);
            if (reasons[i].empty()) {
                metas[i].split = split;
                result.notes.push_back(std::move(metas[i]));
            } else {
                result.problems.push_back({file.string(), keys[i], std::move(reasons[i])});
            }
        }
    };
    auto fail = [&](std::uint64_t offset, const std::string& what) {
        flush();  // an error inside an earlier entry is reported first
        throwSyntax(file, offset, what);
    };
    auto refill = [&](std::size_t keepFrom) {
        flush();
        return in.refill(keepFrom);
    };

    // Skips whitespace, refilling; returns the index of the next non-space char or kNeedMore at EOF.
    auto nextChar = [&](std::size_t& p) -> bool {
        for (;;) {
            buf = in.data();
            while (p < in.end() && isWs(buf[p]))
                ++p;
            if (p < in.end())
                return true;
            if (in.eof())
                return false;
            p -= refill(p);
        }
    };

    if (!nextChar(pos)) {
        result.emptyFile = true;
        return result;
    }
    if (buf[pos] != '{')
        fail(in.offsetOf(pos),
                    "expected '{' (examples.json must be one object keyed by note_str), found " + printable(buf[pos]));
    ++pos;
    if (!nextChar(pos))
        fail(in.offsetOf(pos), "unexpected end of file: the top-level object is not closed (truncated file?)");
    bool first = true;
    for (;;) {
        buf = in.data();
        if (buf[pos] == '}') {
            if (!first)
                fail(in.offsetOf(pos), "expected '\"' (the next entry's key) after ',', found '}' (trailing comma)");
            ++pos;
            break;
        }
        if (buf[pos] != '"')
            fail(in.offsetOf(pos),
                        std::string(first ? "expected '\"' (an entry's key) or '}'" : "expected '\"' (the next entry's key)")
                            + ", found " + printable(buf[pos]));
        // Frame "key" : value entirely inside the buffer, refilling (and retrying) when needed.
        std::size_t keyStart = pos, keyEnd = 0, valueStart = 0, valueEnd = 0;
        for (;;) {
            buf = in.data();
            const std::size_t end = in.end();
            keyEnd = scanString(buf, keyStart, end);
            std::size_t p = keyEnd;
            bool needMore = keyEnd == kNeedMore;
            if (!needMore) {
                while (p < end && isWs(buf[p]))
                    ++p;
                needMore = p >= end;
            }
            if (!needMore) {
                if (buf[p] != ':')
                    fail(in.offsetOf(p),
                                "expected ':' after the key " + q(std::string_view(buf + keyStart + 1, keyEnd - keyStart - 2))
                                    + ", found " + printable(buf[p]));
                ++p;
                while (p < end && isWs(buf[p]))
                    ++p;
                needMore = p >= end;
            }
            if (!needMore) {
                valueStart = p;
                valueEnd = scanValue(buf, p, end, in.eof());
                if (valueEnd == kBad)
                    fail(in.offsetOf(p), "expected a value after ':', found " + printable(buf[p]));
                needMore = valueEnd == kNeedMore;
            }
            if (!needMore)
                break;
            if (in.eof())
                fail(in.offsetOf(end),
                            "unexpected end of file inside the entry starting at byte "
                                + std::to_string(in.offsetOf(keyStart)) + " (the file is truncated)");
            const std::size_t shift = refill(keyStart);
            keyStart -= shift;
        }
        ++result.entries;
        pending.push_back({keyStart, keyEnd, valueStart, valueEnd});
        pos = valueEnd;
        const std::uint64_t entryOffset = in.offsetOf(keyStart);  // indices go stale on refill
        if (!nextChar(pos))
            fail(in.offsetOf(pos), "unexpected end of file after the entry at byte " + std::to_string(entryOffset)
                                          + ": expected ',' or '}' (the file is truncated)");
        buf = in.data();
        if (buf[pos] == '}') {
            ++pos;
            break;
        }
        if (buf[pos] != ',')
            fail(in.offsetOf(pos),
                        "expected ',' or '}' after the entry at byte " + std::to_string(entryOffset) + ", found "
                                 + printable(buf[pos]));
        ++pos;
        first = false;
        if (!nextChar(pos))
            fail(in.offsetOf(pos), "unexpected end of file after ',' (the file is truncated)");
    }
    flush();
    if (nextChar(pos))
        fail(in.offsetOf(pos), "unexpected " + printable(in.data()[pos]) + " after the closing '}'");
    return result;
}

} // namespace morph::detail
