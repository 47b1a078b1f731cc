#pragma once
// Test support: the WAV files of the 60 real notes in the shared nsynth-test-pitch60 folder,
// sorted by name (empty when the shared data is missing: the caller skips or fails then).
#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

namespace morph::test {

inline std::filesystem::path pitch60AudioDir()
{
    return std::filesystem::path(MORPH_SHARED_DATA_DIR) / "nsynth-test-pitch60" / "audio";
}

inline std::vector<std::filesystem::path> pitch60WavFiles()
{
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(pitch60AudioDir(), ec))
        if (e.path().extension() == ".wav")
            files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace morph::test
