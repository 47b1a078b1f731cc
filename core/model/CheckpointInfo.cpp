#include "model/CheckpointInfo.h"

#include "model/ConfigJson.h"
#include "util/AtomicFile.h"
#include "util/Errors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <type_traits>

namespace morph {

namespace {

void putU32(std::string& out, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void putU64(std::string& out, std::uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t getLe(const unsigned char* p, int bytes)
{
    std::uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

std::string quoted(const std::filesystem::path& p)
{
    return "'" + p.string() + "'";
}

struct Header {
    std::uint32_t version = 0;
    std::uint64_t jsonLength = 0, payloadLength = 0, payloadHash = 0;
};

/// Parses and checks the fixed header against the actual file size.
Header parseHeader(const std::filesystem::path& path, const unsigned char* bytes, std::size_t available,
                   std::uint64_t fileSize)
{
    if (fileSize == 0)
        throw CheckpointError("checkpoint " + quoted(path) + " is empty (0 bytes)");
    if (available < sizeof(kCheckpointMagic) || std::memcmp(bytes, kCheckpointMagic, sizeof(kCheckpointMagic)) != 0)
        throw CheckpointError("checkpoint " + quoted(path) +
                              " is not a Morphstation checkpoint (wrong magic bytes; expected \"MORPHCKPT\")");
    if (available < kCheckpointHeaderSize)
        throw CheckpointError("checkpoint " + quoted(path) + " is truncated: " + std::to_string(fileSize) +
                              " bytes, shorter than its " + std::to_string(kCheckpointHeaderSize) + "-byte header");
    Header h;
    h.version = static_cast<std::uint32_t>(getLe(bytes + 10, 4));
    h.jsonLength = getLe(bytes + 18, 8);
    h.payloadLength = getLe(bytes + 26, 8);
    h.payloadHash = getLe(bytes + 34, 8);
    if (h.version == 0 || h.version > kCheckpointVersion)
        throw CheckpointError("checkpoint " + quoted(path) + " has format version " + std::to_string(h.version) +
                              "; this build reads version " + std::to_string(kCheckpointVersion) +
                              " (update Morphstation)");
    const std::uint64_t expected = kCheckpointHeaderSize + h.jsonLength + h.payloadLength;
    if (h.jsonLength > (1ULL << 32) || h.payloadLength > (1ULL << 40) || expected != fileSize) {
        throw CheckpointError("checkpoint " + quoted(path) + " is " + (fileSize < expected ? "truncated" : "corrupt") +
                              ": its header announces " + std::to_string(h.jsonLength) + " bytes of metadata and " +
                              std::to_string(h.payloadLength) + " bytes of weights (" + std::to_string(expected) +
                              " bytes in all) but the file has " + std::to_string(fileSize) + " bytes");
    }
    return h;
}

std::uint64_t fileSizeOf(const std::filesystem::path& path)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw CheckpointError("checkpoint " + quoted(path) + " does not exist");
    if (std::filesystem::is_directory(path, ec))
        throw CheckpointError("checkpoint " + quoted(path) + " is a folder, not a file");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec)
        throw CheckpointError("checkpoint " + quoted(path) + " cannot be read: " + ec.message());
    return size;
}

nlohmann::json parseMeta(const std::filesystem::path& path, const std::string& text)
{
    try {
        nlohmann::json j = nlohmann::json::parse(text);
        if (!j.is_object())
            throw CheckpointError("checkpoint " + quoted(path) + " has metadata that is not a JSON object");
        return j;
    } catch (const nlohmann::json::exception& e) {
        throw CheckpointError("checkpoint " + quoted(path) + " has malformed metadata JSON: " + e.what());
    }
}

/// An integer that fits an int (a float such as 1e300 would be undefined behaviour to convert).
bool isInt(const nlohmann::json& j)
{
    if (j.is_number_unsigned())
        return j.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<int>::max());
    if (j.is_number_integer()) {
        const auto v = j.get<std::int64_t>();
        return v >= std::numeric_limits<int>::min() && v <= std::numeric_limits<int>::max();
    }
    return false;
}

/// A finite number within float range.
bool isFloat(const nlohmann::json& j)
{
    if (!j.is_number())
        return false;
    const double v = j.get<double>();
    return std::isfinite(v) && std::fabs(v) <= static_cast<double>(std::numeric_limits<float>::max());
}

/// Whether `j` holds a T (the checks nlohmann's get<T>() lacks: exact type and range).
template <typename T>
bool holds(const nlohmann::json& j)
{
    if constexpr (std::is_same_v<T, int>) {
        return isInt(j);
    } else if constexpr (std::is_same_v<T, float>) {
        return isFloat(j);
    } else if constexpr (std::is_same_v<T, std::string>) {
        return j.is_string();
    } else if constexpr (std::is_same_v<T, bool>) {
        return j.is_boolean();
    } else {
        static_assert(std::is_same_v<T, std::vector<int>>, "field type");
        return j.is_array() && std::all_of(j.begin(), j.end(), isInt);
    }
}

template <typename T>
T field(const nlohmann::json& obj, const char* key, const std::string& context, const char* section)
{
    auto it = obj.find(key);
    if (it == obj.end())
        throw CheckpointError(context + ": metadata field '" + section + "." + key + "' is missing");
    if (!holds<T>(*it))
        throw CheckpointError(context + ": metadata field '" + section + "." + key + "' has the wrong type or is out of range");
    return it->get<T>();
}

/// Optional informative fields: absent or of another type reads as "unknown" (never throws).
std::optional<double> optionalNumber(const nlohmann::json& obj, const char* key)
{
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_number())
        return std::nullopt;
    return it->get<double>();
}

int optionalInt(const nlohmann::json& obj, const char* key, int fallback)
{
    auto it = obj.find(key);
    return it != obj.end() && isInt(*it) ? it->get<int>() : fallback;
}

std::string optionalString(const nlohmann::json& obj, const char* key)
{
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

std::uint64_t fnv1a64(const void* data, std::size_t size, std::uint64_t h)
{
    const auto* p = static_cast<const unsigned char*>(data);
    // Four independent lanes would be faster, but the files are a few MB at most; keep it the
    // textbook function so the hash is reproducible with any FNV-1a implementation.
    for (std::size_t i = 0; i < size; ++i) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::string hashHex(std::uint64_t h)
{
    static const char* digits = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 15; i >= 0; --i) {
        s[static_cast<std::size_t>(i)] = digits[h & 0xf];
        h >>= 4;
    }
    return s;
}

nlohmann::json modelSection(const ModelConfig& c)
{
    return {{"arch", architectureName(c.arch)},
            {"channels", c.effectiveChannels()},
            {"input_bins", c.inputBins()},
            {"slice_width", c.sliceWidth()},
            {"embedding", c.embeddingSize()},
            {"position_bias", c.positionBias}};
}

nlohmann::json preprocessingSection(const ModelConfig& c)
{
    return {{"sample_rate", c.sampleRate}, {"n_fft", c.nFft},   {"hop", c.hop},
            {"window", "hann"},            {"center", true},     {"scale", c.mel ? "mel" : "log-mag"},
            {"mel_bands", c.melBands},     {"amin", c.amin},     {"top_db", c.topDb},
            {"ref", "note max magnitude"}};
}

ModelConfig modelConfigFromMeta(const nlohmann::json& meta, const std::string& context)
{
    auto model = meta.find("model");
    auto pre = meta.find("preprocessing");
    if (model == meta.end() || !model->is_object())
        throw CheckpointError(context + ": metadata has no 'model' section");
    if (pre == meta.end() || !pre->is_object())
        throw CheckpointError(context + ": metadata has no 'preprocessing' section");
    ModelConfig c;
    try {
        c.arch = parseArchitecture(field<std::string>(*model, "arch", context, "model"));
    } catch (const ConfigError& e) {
        throw CheckpointError(context + ": " + e.what());
    }
    c.channels = field<std::vector<int>>(*model, "channels", context, "model");
    if (model->contains("position_bias"))  // absent in checkpoints written before 2026-12-02
        c.positionBias = field<bool>(*model, "position_bias", context, "model");
    c.sampleRate = field<int>(*pre, "sample_rate", context, "preprocessing");
    c.nFft = field<int>(*pre, "n_fft", context, "preprocessing");
    c.hop = field<int>(*pre, "hop", context, "preprocessing");
    const auto scale = field<std::string>(*pre, "scale", context, "preprocessing");
    if (scale != "mel" && scale != "log-mag")
        throw CheckpointError(context + ": unknown spectrogram scale '" + scale + "' (expected log-mag or mel)");
    c.mel = scale == "mel";
    c.melBands = field<int>(*pre, "mel_bands", context, "preprocessing");
    c.amin = field<float>(*pre, "amin", context, "preprocessing");
    c.topDb = field<float>(*pre, "top_db", context, "preprocessing");
    try {
        c.validate();
    } catch (const ConfigError& e) {
        throw CheckpointError(context + ": the recorded model cannot be built: " + e.what());
    }
    const int bins = field<int>(*model, "input_bins", context, "model");
    const int embedding = field<int>(*model, "embedding", context, "model");
    if (bins != c.inputBins() || embedding != c.embeddingSize())
        throw CheckpointError(context + ": metadata says " + std::to_string(bins) + " input bins and embedding " +
                              std::to_string(embedding) + " but the recorded architecture gives " +
                              std::to_string(c.inputBins()) + " and " + std::to_string(c.embeddingSize()));
    return c;
}

std::string modelConfigToJson(const ModelConfig& config)
{
    return nlohmann::json{{"model", modelSection(config)}, {"preprocessing", preprocessingSection(config)}}.dump();
}

ModelConfig modelConfigFromJson(const std::string& metadataJson, const std::string& context)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(metadataJson);
    } catch (const nlohmann::json::exception& e) {
        throw CheckpointError(context + ": malformed JSON: " + e.what());
    }
    return modelConfigFromMeta(j, context);
}

std::string describeModelShort(const ModelConfig& c)
{
    std::ostringstream s;
    s << "a '" << architectureName(c.arch) << "' " << (c.mel ? "mel" : "log-mag") << " model with " << c.inputBins()
      << " bins (channels " << channelsText(c.effectiveChannels()) << ", n_fft " << c.nFft << ", hop " << c.hop
      << ", " << c.sampleRate << " Hz)";
    return s.str();
}

void requireSameModel(const std::filesystem::path& path, const ModelConfig& found, const ModelConfig& expected)
{
    if (found == expected)
        return;
    throw CheckpointError("checkpoint " + quoted(path) + " is " + describeModelShort(found) + " but " +
                          describeModelShort(expected) + " was expected");
}

CheckpointInfo readCheckpointInfo(const std::filesystem::path& path)
{
    const std::uint64_t size = fileSizeOf(path);
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw CheckpointError("checkpoint " + quoted(path) + " cannot be opened for reading");
    unsigned char header[kCheckpointHeaderSize] = {};
    in.read(reinterpret_cast<char*>(header), sizeof(header));
    const Header h = parseHeader(path, header, static_cast<std::size_t>(in.gcount()), size);
    std::string json(h.jsonLength, '\0');
    in.read(json.data(), static_cast<std::streamsize>(json.size()));
    if (static_cast<std::uint64_t>(in.gcount()) != h.jsonLength)
        throw CheckpointError("checkpoint " + quoted(path) + " is truncated inside its metadata");
    const nlohmann::json meta = parseMeta(path, json);

    CheckpointInfo info;
    info.path = path;
    info.config = modelConfigFromMeta(meta, "checkpoint " + quoted(path));
    info.metadataJson = meta.dump(2);
    info.fileBytes = size;
    info.payloadBytes = h.payloadLength;
    if (auto st = meta.find("state"); st != meta.end() && st->is_object()) {
        info.epoch = optionalInt(*st, "epoch", 0);
        info.bestValidLoss = optionalNumber(*st, "best_valid_loss");
    }
    if (auto m = meta.find("metrics"); m != meta.end() && m->is_object()) {
        info.trainLoss = optionalNumber(*m, "train_loss");
        info.validLoss = optionalNumber(*m, "valid_loss");
    }
    if (auto d = meta.find("dataset"); d != meta.end() && d->is_object()) {
        info.dataset = optionalString(*d, "root");
        info.trainSplit = optionalString(*d, "train_split");
    }
    if (auto t = meta.find("training"); t != meta.end() && t->is_object())
        info.device = optionalString(*t, "device");
    return info;
}

std::string CheckpointInfo::describe() const
{
    std::ostringstream s;
    s << config.summary() << "\n";
    s << "pre-processing: " << (config.mel ? "mel " + std::to_string(config.melBands) + " bands" : std::string("log-magnitude"))
      << ", n_fft " << config.nFft << ", hop " << config.hop << ", " << config.sampleRate << " Hz, dB with amin "
      << config.amin << ", top_db " << config.topDb << "\n";
    s << "trained: " << epoch << " epoch(s)";
    if (!dataset.empty())
        s << " on " << dataset << (trainSplit.empty() ? "" : " [" + trainSplit + "]");
    if (!device.empty())
        s << " (" << device << ")";
    s << "\n";
    if (trainLoss || validLoss || bestValidLoss) {
        s << "MSE (dB^2):";
        if (trainLoss) s << " train " << *trainLoss;
        if (validLoss) s << " valid " << *validLoss;
        if (bestValidLoss) s << " best valid " << *bestValidLoss;
        s << "\n";
    }
    return s.str();
}

RawCheckpoint readCheckpointFile(const std::filesystem::path& path)
{
    const std::uint64_t size = fileSizeOf(path);
    std::string bytes;
    try {
        bytes = readWholeFile(path);
    } catch (const IoError& e) {
        throw CheckpointError("checkpoint " + quoted(path) + " cannot be read: " + e.what());
    }
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    (void)size;
    const Header h = parseHeader(path, data, bytes.size(), bytes.size());
    RawCheckpoint raw;
    raw.metadataJson.assign(bytes.data() + kCheckpointHeaderSize, h.jsonLength);
    raw.payload.assign(bytes.data() + kCheckpointHeaderSize + h.jsonLength, h.payloadLength);
    if (fnv1a64(raw.payload.data(), raw.payload.size()) != h.payloadHash)
        throw CheckpointError("checkpoint " + quoted(path) +
                              " is corrupt: the weights do not match their checksum (the file was damaged or "
                              "modified after it was written)");
    parseMeta(path, raw.metadataJson);
    raw.fileHash = hashHex(fnv1a64(bytes.data(), bytes.size()));
    return raw;
}

void writeCheckpointFile(const std::filesystem::path& path, const std::string& metadataJson, const std::string& payload)
{
    std::string header(kCheckpointMagic, sizeof(kCheckpointMagic));
    putU32(header, kCheckpointVersion);
    putU32(header, 0);
    putU64(header, metadataJson.size());
    putU64(header, payload.size());
    putU64(header, fnv1a64(payload.data(), payload.size()));
    AtomicFileWriter writer(path);
    writer.write(header);
    writer.write(metadataJson);
    writer.write(payload);
    writer.commit();
}

} // namespace morph
