#include "dataset/AudioFile.h"

#include "util/AtomicFile.h"
#include "util/Errors.h"

#include <samplerate.h>
#include <sndfile.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <atomic>
#include <sys/stat.h>
#include <unistd.h>

namespace morph {
namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& reason)
{
    throw AudioFileError("cannot load audio " + file.string() + ": " + reason);
}

uint32_t le32(const unsigned char* p)
{
    return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16)
           | (static_cast<uint32_t>(p[3]) << 24);
}

/// For RIFF/WAVE files: checks that the data chunk holds as many bytes as its header announces.
/// Returns an empty string when fine (or not a plain RIFF WAV), else the reason.
std::string checkWavTruncation(const std::filesystem::path& file, uint64_t fileSize)
{
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (!f)
        return {};
    unsigned char head[12];
    std::string reason;
    if (std::fread(head, 1, 12, f) == 12 && std::memcmp(head, "RIFF", 4) == 0 && std::memcmp(head + 8, "WAVE", 4) == 0) {
        uint64_t pos = 12;
        uint32_t blockAlign = 0;
        for (int guard = 0; guard < 64; ++guard) {
            unsigned char ch[8];
            if (std::fseek(f, static_cast<long>(pos), SEEK_SET) != 0 || std::fread(ch, 1, 8, f) != 8)
                break;
            const uint32_t size = le32(ch + 4);
            if (std::memcmp(ch, "fmt ", 4) == 0) {
                unsigned char fmt[16];
                if (size >= 16 && std::fread(fmt, 1, 16, f) == 16)
                    blockAlign = static_cast<uint32_t>(fmt[12]) | (static_cast<uint32_t>(fmt[13]) << 8);
            } else if (std::memcmp(ch, "data", 4) == 0) {
                // 0 and 0xFFFFFFFF are used by streaming writers that never patched the header.
                if (size != 0 && size != 0xFFFFFFFFu) {
                    const uint64_t available = fileSize > pos + 8 ? fileSize - pos - 8 : 0;
                    if (size > available) {
                        if (blockAlign > 0)
                            reason = "truncated: the header announces " + std::to_string(size / blockAlign)
                                     + " frames but the file holds " + std::to_string(available / blockAlign)
                                     + "; re-download or re-render it";
                        else
                            reason = "truncated: the header announces " + std::to_string(size)
                                     + " data bytes but the file holds " + std::to_string(available)
                                     + "; re-download or re-render it";
                    }
                }
                break;
            }
            pos += 8 + size + (size & 1u);
        }
    }
    std::fclose(f);
    return reason;
}

} // namespace

std::vector<float> resampleMono(const std::vector<float>& in, int fromRate, int toRate)
{
    if (fromRate == toRate || in.empty())
        return in;
    const double ratio = static_cast<double>(toRate) / fromRate;
    std::vector<float> out(static_cast<std::size_t>(std::ceil(in.size() * ratio)) + 16);
    SRC_DATA data{};
    data.data_in = in.data();
    data.input_frames = static_cast<long>(in.size());
    data.data_out = out.data();
    data.output_frames = static_cast<long>(out.size());
    data.src_ratio = ratio;
    const int err = src_simple(&data, SRC_SINC_MEDIUM_QUALITY, 1);
    if (err != 0)
        throw AudioFileError(std::string("resampling ") + std::to_string(fromRate) + " -> " + std::to_string(toRate)
                             + " Hz failed: " + src_strerror(err));
    out.resize(static_cast<std::size_t>(data.output_frames_gen));
    return out;
}

namespace {

/// loadAudio reading at most what `maxTargetFrames` samples at the target rate need (0 = all), so
/// a 10-minute file given as a 4-second note costs 4 seconds of decoding. `fileFrames` gets the
/// file's full length in frames and `fileRate` its rate.
LoadedAudio loadAudioPrefix(const std::filesystem::path& file, int targetRate, std::size_t maxTargetFrames,
                            std::int64_t& fileFrames, int& fileRate)
{
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0)
        fail(file, std::string("file not found (") + std::strerror(errno) + ")");
    if (!S_ISREG(st.st_mode))
        fail(file, "not a regular file");
    if (st.st_size == 0)
        fail(file, "the file is empty (0 bytes); re-download or re-render it");
    if (const std::string t = checkWavTruncation(file, static_cast<uint64_t>(st.st_size)); !t.empty())
        fail(file, t);

    SF_INFO info{};
    SNDFILE* sf = sf_open(file.c_str(), SFM_READ, &info);
    if (!sf)
        fail(file, std::string("not a readable audio file (") + sf_strerror(nullptr) + ")");
    struct Closer {
        SNDFILE* s;
        ~Closer() { sf_close(s); }
    } closer{sf};
    if (info.channels <= 0 || info.samplerate <= 0)
        fail(file, "invalid header (channels " + std::to_string(info.channels) + ", rate "
                       + std::to_string(info.samplerate) + ")");
    if (info.frames <= 0)
        fail(file, "holds no audio frames");
    if (info.frames > (int64_t{1} << 31))
        fail(file, "too long (" + std::to_string(info.frames) + " frames)");

    fileFrames = info.frames;
    fileRate = info.samplerate;
    sf_count_t wanted = info.frames;
    if (maxTargetFrames > 0) {
        const int rate = targetRate > 0 ? targetRate : info.samplerate;
        // A margin of 4096 frames keeps the resampler's filter fed at the end of the kept part.
        const double need = std::ceil(static_cast<double>(maxTargetFrames) * info.samplerate / rate) + 4096;
        wanted = std::min<sf_count_t>(info.frames, static_cast<sf_count_t>(need));
    }
    const std::size_t frames = static_cast<std::size_t>(wanted);
    const std::size_t ch = static_cast<std::size_t>(info.channels);
    std::vector<float> interleaved(frames * ch);
    const sf_count_t got = sf_readf_float(sf, interleaved.data(), wanted);
    if (got != wanted)
        fail(file, "corrupt or truncated: read " + std::to_string(got) + " of " + std::to_string(wanted)
                       + " frames (" + sf_strerror(sf) + ")");

    LoadedAudio out;
    out.sampleRate = info.samplerate;
    if (ch == 1) {
        out.samples = std::move(interleaved);
    } else {
        out.samples.resize(frames);
        const float scale = 1.f / static_cast<float>(ch);
        for (std::size_t i = 0; i < frames; ++i) {
            float sum = 0.f;
            for (std::size_t c = 0; c < ch; ++c)
                sum += interleaved[i * ch + c];
            out.samples[i] = sum * scale;
        }
        out.adjustments.push_back("mixed " + std::to_string(ch) + " channels to mono");
    }
    for (float v : out.samples)
        if (!std::isfinite(v))
            fail(file, "holds NaN or infinite samples (corrupt float data)");
    if (targetRate > 0 && targetRate != info.samplerate) {
        out.samples = resampleMono(out.samples, info.samplerate, targetRate);
        out.adjustments.push_back("resampled " + std::to_string(info.samplerate) + "->" + std::to_string(targetRate));
        out.sampleRate = targetRate;
    }
    return out;
}

} // namespace

LoadedAudio loadAudio(const std::filesystem::path& file, int targetRate)
{
    std::int64_t fileFrames = 0;
    int fileRate = 0;
    return loadAudioPrefix(file, targetRate, 0, fileFrames, fileRate);
}

LoadedAudio loadNoteAudio(const std::filesystem::path& file, int targetRate, std::size_t targetLength)
{
    std::int64_t fileFrames = 0;
    int fileRate = 0;
    LoadedAudio a = loadAudioPrefix(file, targetRate, targetLength, fileFrames, fileRate);
    // Only a prefix of a long file is decoded: report the whole file's length at the target rate.
    std::size_t n = a.samples.size();
    if (n >= targetLength)
        n = fileRate == a.sampleRate ? static_cast<std::size_t>(fileFrames)
                                     : static_cast<std::size_t>(std::llround(static_cast<double>(fileFrames)
                                                                             * a.sampleRate / fileRate));
    const bool resampled = a.sampleRate != 0 && !a.adjustments.empty()
                           && a.adjustments.back().rfind("resampled", 0) == 0;
    const std::size_t slack = resampled ? 1 : 0;  // rounding of the resampler
    if (n + slack < targetLength)
        a.adjustments.push_back("padded " + std::to_string(n) + "->" + std::to_string(targetLength)
                                + " samples with silence");
    else if (n > targetLength + slack)
        a.adjustments.push_back("trimmed " + std::to_string(n) + "->" + std::to_string(targetLength) + " samples");
    a.samples.resize(targetLength, 0.f);
    return a;
}

void writeWav16(const std::filesystem::path& file, const std::vector<float>& samples, int sampleRate)
{
    writeWav16(file, samples, sampleRate, true);
}

void writeWav16(const std::filesystem::path& file, const std::vector<float>& samples, int sampleRate, bool durable)
{
    if (sampleRate <= 0)
        throw IoError("cannot write " + file.string() + ": invalid sample rate " + std::to_string(sampleRate));
    const uint64_t dataBytes = static_cast<uint64_t>(samples.size()) * 2;
    if (dataBytes > 0xFFFFFFFFull - 36)
        throw IoError("cannot write " + file.string() + ": too long for a WAV file");
    std::string bytes;
    bytes.resize(44 + dataBytes);
    unsigned char* p = reinterpret_cast<unsigned char*>(bytes.data());
    auto put32 = [&](std::size_t at, uint32_t v) {
        for (int i = 0; i < 4; ++i)
            p[at + i] = static_cast<unsigned char>(v >> (8 * i));
    };
    auto put16 = [&](std::size_t at, uint16_t v) {
        p[at] = static_cast<unsigned char>(v);
        p[at + 1] = static_cast<unsigned char>(v >> 8);
    };
    std::memcpy(p, "RIFF", 4);
    put32(4, static_cast<uint32_t>(36 + dataBytes));
    std::memcpy(p + 8, "WAVEfmt ", 8);
    put32(16, 16);                                   // fmt chunk size
    put16(20, 1);                                    // PCM
    put16(22, 1);                                    // mono
    put32(24, static_cast<uint32_t>(sampleRate));
    put32(28, static_cast<uint32_t>(sampleRate) * 2); // byte rate
    put16(32, 2);                                    // block align
    put16(34, 16);                                   // bits per sample
    std::memcpy(p + 36, "data", 4);
    put32(40, static_cast<uint32_t>(dataBytes));
    for (std::size_t i = 0; i < samples.size(); ++i) {
        float v = samples[i];
        if (!(v == v))
            v = 0.f;  // NaN -> silence
        v = std::clamp(v, -1.f, 1.f);
        const auto s = static_cast<int16_t>(std::lrint(v * 32767.f));
        put16(44 + 2 * i, static_cast<uint16_t>(s));
    }
    if (durable) {
        writeFileAtomically(file, bytes);
        return;
    }
    static std::atomic<unsigned> counter{0};
    const std::filesystem::path temp =
        file.string() + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
    std::FILE* f = std::fopen(temp.c_str(), "wb");
    if (!f)
        throw IoError("cannot create '" + temp.string() + "': " + std::strerror(errno));
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    const int err = errno;
    if (std::fclose(f) != 0 || !ok) {
        std::remove(temp.c_str());
        throw IoError("cannot write '" + file.string() + "': " + std::strerror(ok ? errno : err)
                      + " (disk full?); the previous file is kept");
    }
    if (std::rename(temp.c_str(), file.c_str()) != 0) {
        const int renameErr = errno;
        std::remove(temp.c_str());
        throw IoError("cannot replace '" + file.string() + "': " + std::strerror(renameErr));
    }
}

} // namespace morph
