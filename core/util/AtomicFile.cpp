#include "util/AtomicFile.h"

#include "util/Errors.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace morph {
namespace {

std::string errnoText(int err)
{
    if (err == ENOSPC)
        return "no space left on device (free some disk space and retry)";
    if (err == EDQUOT)
        return "disk quota exceeded";
    return std::strerror(err);
}

std::filesystem::path uniqueTempPath(const std::filesystem::path& target)
{
    static std::atomic<unsigned> counter{0};
    return target.string() + ".tmp-" + std::to_string(::getpid()) + "-"
           + std::to_string(counter.fetch_add(1));
}

} // namespace

AtomicFileWriter::AtomicFileWriter(std::filesystem::path target)
    : target_(std::move(target)), temp_(uniqueTempPath(target_))
{
    file_ = std::fopen(temp_.c_str(), "wb");
    if (!file_)
        throw IoError("cannot create '" + temp_.string() + "': " + errnoText(errno));
}

AtomicFileWriter::~AtomicFileWriter()
{
    if (file_)
        std::fclose(file_);
    if (!committed_) {
        std::error_code ignored;
        std::filesystem::remove(temp_, ignored);
    }
}

void AtomicFileWriter::write(const void* data, std::size_t size)
{
    if (size == 0)
        return;
    if (std::fwrite(data, 1, size, file_) != size)
        throw IoError("cannot write '" + target_.string() + "': " + errnoText(errno)
                      + "; the previous file is kept");
}

void AtomicFileWriter::commit()
{
    if (std::fflush(file_) != 0)
        throw IoError("cannot write '" + target_.string() + "': " + errnoText(errno)
                      + "; the previous file is kept");
    if (::fsync(::fileno(file_)) != 0)
        throw IoError("cannot sync '" + target_.string() + "': " + errnoText(errno)
                      + "; the previous file is kept");
    const int closeResult = std::fclose(file_);
    file_ = nullptr;
    if (closeResult != 0)
        throw IoError("cannot close '" + target_.string() + "': " + errnoText(errno)
                      + "; the previous file is kept");
    if (std::rename(temp_.c_str(), target_.c_str()) != 0)
        throw IoError("cannot replace '" + target_.string() + "': " + errnoText(errno));
    committed_ = true;
    // Make the rename itself durable.
    const int dirFd = ::open(target_.has_parent_path() ? target_.parent_path().c_str() : ".",
                             O_RDONLY | O_DIRECTORY);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
}

void writeFileAtomically(const std::filesystem::path& target, std::string_view bytes)
{
    AtomicFileWriter writer(target);
    writer.write(bytes);
    writer.commit();
}

std::string readWholeFile(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError("cannot open '" + path.string() + "': " + std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad())
        throw IoError("cannot read '" + path.string() + "'");
    return ss.str();
}

} // namespace morph
