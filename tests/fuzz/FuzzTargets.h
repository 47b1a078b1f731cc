#pragma once
// One input through each parser that reads untrusted files, shared by the libFuzzer targets
// (tests/fuzz/fuzz_*.cpp, clang only) and the regression replay test
// (tests/core/test_fuzz_regressions.cpp, any compiler), so a crasher found by the fuzzer is
// replayed by the default test run forever after.
//
// The contract checked: a parser given arbitrary bytes either returns or throws its documented
// typed error (DatasetError / AudioFileError / CheckpointError / ConfigError). Anything else (a crash, a
// sanitizer report, another exception type, a hang) is a bug.
// The parsers take paths, so each input is written to a per-process scratch file first.
// Thread contract: call from one thread at a time (the scratch files are per process).
#include "dataset/AudioFile.h"
#include "dataset/ExamplesJson.h"
#include "model/CheckpointInfo.h"
#include "train/Trainer.h"
#include "util/Errors.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace morph::fuzz {

/// A per-process scratch folder, made once (the fuzzers run millions of inputs) and removed at exit.
inline const std::filesystem::path& scratchDir()
{
    struct Scratch {
        std::filesystem::path dir;
        Scratch()
        {
            // tmpfs when there is one: rewriting a file on a disk file system (truncate + discard)
            // costs milliseconds, i.e. most of a fuzzing iteration.
            std::error_code ec;
            const std::filesystem::path base =
                std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0
                    ? std::filesystem::path("/dev/shm")
                    : std::filesystem::temp_directory_path();
            dir = base / ("morph-fuzz-" + std::to_string(::getpid()));
            std::filesystem::create_directories(dir);
        }
        ~Scratch()
        {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
        }
    };
    static const Scratch scratch;
    return scratch.dir;
}

/// Writes the input to <scratch>/<name> (whole, not atomically: only this process reads it).
inline std::filesystem::path writeScratch(const char* name, const std::uint8_t* data, std::size_t size)
{
    const std::filesystem::path p = scratchDir() / name;
    std::FILE* f = std::fopen(p.c_str(), "wb");
    if (!f)
        throw std::runtime_error("fuzz: cannot write " + p.string());
    if (size > 0 && std::fwrite(data, 1, size, f) != size) {
        std::fclose(f);
        throw std::runtime_error("fuzz: short write to " + p.string());
    }
    std::fclose(f);
    return p;
}

/// Everything a parse produced (or its error), to compare two parses.
inline std::string examplesSummary(const std::filesystem::path& p, std::size_t blockSize)
{
    std::string out;
    try {
        const detail::ParsedExamples parsed = detail::parseExamplesJson(p, Split::Test, blockSize);
        // Every note that passed validation must be self-consistent (what the index relies on).
        for (const NoteMeta& n : parsed.notes) {
            if (n.noteStr != formatNoteStr(n.instrumentStr, n.pitch, n.velocity) || n.pitch < 0 || n.pitch > 127
                || n.velocity < 0 || n.velocity > 127 || n.family < 0 || n.family >= kFamilyCount || n.source < 0
                || n.source >= kSourceCount)
                throw std::logic_error("examples.json accepted an inconsistent note: " + n.noteStr);
            out += "note " + n.noteStr + " " + std::to_string(n.note) + " " + std::to_string(n.qualities) + "\n";
        }
        for (const DatasetProblem& problem : parsed.problems)
            out += "problem " + problem.note + ": " + problem.reason + "\n";
        out += "entries " + std::to_string(parsed.entries) + (parsed.emptyFile ? " empty" : "");
    } catch (const DatasetError& e) {
        out = std::string("error ") + e.what();
    }
    return out;
}

/// examples.json: the streaming framer + simdjson entry validator. The file is parsed twice, in
/// one block and in 32-byte blocks (entries straddling refills): both must agree exactly.
inline void examplesJsonOne(const std::uint8_t* data, std::size_t size)
{
    const auto p = writeScratch("examples.json", data, size);
    const std::string whole = examplesSummary(p, 0);
    const std::string small = examplesSummary(p, 32);
    if (whole != small)
        throw std::logic_error("examples.json parses differently in 32-byte blocks:\n--- one block:\n" + whole
                               + "\n--- 32-byte blocks:\n" + small);
}

/// A WAV (or any libsndfile format): the truncation check, libsndfile, mixing, resampling,
/// padding to a note.
inline void audioFileOne(const std::uint8_t* data, std::size_t size)
{
    const auto p = writeScratch("note.wav", data, size);
    try {
        const LoadedAudio a = loadNoteAudio(p);
        if (a.samples.size() != kNSynthNoteLength || a.sampleRate != kNSynthSampleRate)
            throw std::logic_error("loadNoteAudio returned " + std::to_string(a.samples.size()) + " samples at "
                                   + std::to_string(a.sampleRate) + " Hz");
    } catch (const AudioFileError&) {
    }
}

/// A checkpoint: the fixed header, the metadata JSON and ModelConfig, then the verified reader.
inline void checkpointOne(const std::uint8_t* data, std::size_t size)
{
    const auto p = writeScratch("model.pt", data, size);
    try {
        const CheckpointInfo info = readCheckpointInfo(p);
        (void)info.describe();
    } catch (const CheckpointError&) {
    }
    try {
        (void)readCheckpointFile(p);
    } catch (const CheckpointError&) {
    }
}

/// A run folder's config.json (read on --resume and by the Training tab): either ConfigError, or
/// a config that writes back to JSON and reads again to the same JSON.
inline void trainConfigOne(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    TrainConfig config;
    try {
        config = TrainConfig::fromJson(text, "fuzz config.json");
    } catch (const ConfigError&) {
        return;
    }
    const std::string once = config.toJson();
    const std::string twice = TrainConfig::fromJson(once, "round trip").toJson();
    if (once != twice)
        throw std::logic_error("config.json does not round-trip:\n" + once + "\n---\n" + twice);
}

} // namespace morph::fuzz
