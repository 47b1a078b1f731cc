#pragma once
// Internal to core/dataset: the binary index cache of one split folder.
// The cache holds the validated notes and problems of the folder, keyed by examples.json's size
// and mtime (ns), the audio/ folder's mtime (files added or removed), whether audio was checked,
// and kFormatVersion. A cache that does not match, is truncated or fails its checksum is ignored
// and rebuilt. Files are written atomically (temp + rename).
// Location: "<split>/.morph-index.bin" when the folder is writable, else
// "<cacheRoot>/morphstation/index/<hash of the folder path>.bin" with cacheRoot = $XDG_CACHE_HOME
// or ~/.cache; DatasetOpenOptions::cacheDir overrides both.
// Thread contract: free functions, no shared state.
#include "dataset/NSynthDataset.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace morph::detail {

constexpr uint32_t kIndexFormatVersion = 1;

struct IndexKey {
    uint64_t jsonSize = 0;
    int64_t jsonMtimeNs = 0;
    int64_t audioMtimeNs = 0;  // 0 when audio/ is absent or not checked
    bool checkedAudio = true;
    Split split = Split::Unknown;
    std::string dir;           // absolute folder path
};

struct IndexContent {
    std::vector<NoteMeta> notes;
    std::vector<DatasetProblem> problems;
};

/// Key of a split folder now (stats examples.json and audio/). Throws DatasetError if
/// examples.json cannot be stat'ed.
IndexKey currentIndexKey(const std::filesystem::path& dir, Split split, bool checkAudio);

/// Candidate cache files, most preferred first.
std::vector<std::filesystem::path> indexCachePaths(const std::filesystem::path& dir,
                                                   const std::filesystem::path& cacheDirOverride);

/// The content when `file` is a valid cache for `key`, else nullopt (never throws).
std::optional<IndexContent> readIndexCache(const std::filesystem::path& file, const IndexKey& key);

/// Writes the cache to the first writable candidate; returns the file written or an empty path
/// (with `why` set) when none could be written.
std::filesystem::path writeIndexCache(const std::vector<std::filesystem::path>& candidates,
                                      const IndexKey& key, const IndexContent& content, std::string& why);

} // namespace morph::detail
