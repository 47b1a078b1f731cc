#pragma once
// Internal to core/dataset: streaming reader and validator of one NSynth examples.json.
// The file is read in blocks (never whole: the full train split is ~200 MB); a small framing
// scanner finds each top-level "key": {entry} pair with its byte offset, and simdjson (On Demand)
// parses and validates each entry. Framing or syntax errors throw DatasetError with the byte
// offset and line; per-entry problems (missing field, wrong type, out of range, inconsistent
// note_str) are collected and the entry is skipped.
// Thread contract: a free function with no shared state; call from any thread.
#include "dataset/NSynthDataset.h"

#include <filesystem>
#include <vector>

namespace morph::detail {

struct ParsedExamples {
    std::vector<NoteMeta> notes;          // file order, split set on each
    std::vector<DatasetProblem> problems;
    std::size_t entries = 0;              // top-level entries seen (valid or not)
    bool emptyFile = false;               // zero bytes or only whitespace
};

/// Throws DatasetError for a file that cannot be opened or is not well-formed JSON.
ParsedExamples parseExamplesJson(const std::filesystem::path& file, Split split);
/// Same, reading `blockSize` bytes at a time (0: the default). Tests and the fuzzer use tiny
/// blocks to exercise entries that straddle refills; the result must not depend on it.
ParsedExamples parseExamplesJson(const std::filesystem::path& file, Split split, std::size_t blockSize);

/// Validates one entry's JSON text (helper exposed for tests). Returns the reason it is unusable,
/// empty when valid (then `out` is filled). Throws DatasetError on a JSON syntax error, naming
/// `file` and the absolute byte offset (`baseOffset` = offset of `json` in the file).
std::string parseEntry(std::string_view key, const char* json, std::size_t length,
                       std::size_t readablePastEnd, NoteMeta& out,
                       const std::filesystem::path& file, std::uint64_t baseOffset);

/// 1-based line of a byte offset in a file (counts '\n'); 0 if unreadable.
std::size_t lineOfOffset(const std::filesystem::path& file, std::uint64_t offset);

} // namespace morph::detail
