#pragma once
// Atomic file writes: data goes to "<target>.tmp-<pid>-<n>" in the same folder, is flushed and
// fsync'ed, then renamed over the target. A crash, a kill or a full disk at any point leaves
// either the old file or the new one, never a torn file. Thread contract: independent writers
// may run on any threads; two writers to the same target race only on which rename wins.
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

namespace morph {

class AtomicFileWriter {
public:
    explicit AtomicFileWriter(std::filesystem::path target);
    ~AtomicFileWriter();  // removes the temp file unless commit() succeeded
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

    void write(const void* data, std::size_t size);  // throws IoError (disk full, ...)
    void write(std::string_view bytes) { write(bytes.data(), bytes.size()); }
    void commit();  // flush + fsync + rename; throws IoError and keeps the old target
    const std::filesystem::path& tempPath() const { return temp_; }

private:
    std::filesystem::path target_;
    std::filesystem::path temp_;
    std::FILE* file_ = nullptr;
    bool committed_ = false;
};

/// Writes the whole content atomically (temp file + rename). Throws IoError.
void writeFileAtomically(const std::filesystem::path& target, std::string_view bytes);

/// Reads a whole file. Throws IoError naming the path.
std::string readWholeFile(const std::filesystem::path& path);

} // namespace morph
