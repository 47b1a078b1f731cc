#pragma once
// Test support for the fault tests (test_faults, test_faults_slow): a tiny real-note dataset,
// a size-limited tmpfs, a CLI child process that can be SIGKILLed at a chosen file-system event,
// and a check that every checkpoint of a run folder loads.
#include "support/RunProcess.h"
#include "support/TempDir.h"

#include "dataset/NSynthDataset.h"

#include <cerrno>
#include <fcntl.h>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <string>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace morph::test {

/// One examples.json entry for a note (all fields of METHOD §1).
inline std::string entryJson(const NoteMeta& n)
{
    std::string q = "[";
    std::string qs = "[";
    for (int i = 0; i < kQualityCount; ++i) {
        q += std::string(i ? ", " : "") + (n.hasQuality(i) ? "1" : "0");
        if (n.hasQuality(i))
            qs += std::string(qs.size() > 1 ? ", " : "") + "\"" + qualityName(i) + "\"";
    }
    q += "]";
    qs += "]";
    return "{\"note\": " + std::to_string(n.note) + ", \"note_str\": \"" + n.noteStr + "\", \"instrument\": " +
           std::to_string(n.instrument) + ", \"instrument_str\": \"" + n.instrumentStr + "\", \"pitch\": " +
           std::to_string(n.pitch) + ", \"velocity\": " + std::to_string(n.velocity) + ", \"sample_rate\": " +
           std::to_string(n.sampleRate) + ", \"qualities\": " + q + ", \"qualities_str\": " + qs +
           ", \"instrument_family\": " + std::to_string(n.family) + ", \"instrument_family_str\": \"" +
           familyName(n.family) + "\", \"instrument_source\": " + std::to_string(n.source) +
           ", \"instrument_source_str\": \"" + sourceName(n.source) + "\"}";
}

/// Copies real NSynth notes (shared test data) into root/nsynth-train (the first `train`) and
/// root/nsynth-valid (the next `valid`).
inline void makeRealDataset(const std::filesystem::path& root, std::size_t train, std::size_t valid)
{
    const NSynthDataset shared = NSynthDataset::open(std::filesystem::path(MORPH_SHARED_DATA_DIR) / "nsynth-test-pitch60");
    std::size_t next = 0;
    for (const auto& [name, count] : {std::pair<const char*, std::size_t>{"nsynth-train", train}, {"nsynth-valid", valid}}) {
        const auto dir = root / name;
        std::filesystem::create_directories(dir / "audio");
        std::string json = "{\n";
        for (std::size_t k = 0; k < count; ++k, ++next) {
            const NoteMeta& n = shared.note(next);
            std::filesystem::copy_file(shared.audioPath(next), dir / "audio" / (n.noteStr + ".wav"));
            json += std::string(k ? ",\n" : "") + "  \"" + n.noteStr + "\": " + entryJson(n);
        }
        std::ofstream(dir / "examples.json") << json << "\n}\n";
    }
}

/// A tmpfs of `bytes` mounted on `dir` (created), unmounted at scope exit. ok() is false (and
/// reason() says why) where mounting is not permitted (not root, no CAP_SYS_ADMIN).
class SmallFilesystem {
public:
    SmallFilesystem(const std::filesystem::path& dir, std::size_t bytes) : dir_(dir)
    {
        std::filesystem::create_directories(dir);
        const std::string options = "size=" + std::to_string(bytes);
        if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) == 0)
            mounted_ = true;
        else
            reason_ = std::string("cannot mount a size-limited tmpfs on ") + dir.string() + ": " +
                      std::strerror(errno) + " (needs root / CAP_SYS_ADMIN)";
    }
    ~SmallFilesystem()
    {
        if (mounted_)
            ::umount2(dir_.c_str(), MNT_DETACH);
    }
    bool ok() const { return mounted_; }
    const std::string& reason() const { return reason_; }
    /// Fills the file system with a filler file until at most `leave` bytes are free.
    void fillLeaving(std::size_t leave) const
    {
        std::ofstream filler(dir_ / "filler", std::ios::binary | std::ios::app);
        const std::string block(4096, 'x');
        while (freeBytes() > leave + block.size() && filler.write(block.data(), block.size()))
            filler.flush();
        filler.close();
        std::ofstream tail(dir_ / "filler-tail", std::ios::binary);
        const std::string byte(1, 'x');
        while (freeBytes() > leave && tail.write(byte.data(), 1))
            tail.flush();
    }
    std::size_t freeBytes() const { return std::filesystem::space(dir_).available; }

private:
    std::filesystem::path dir_;
    bool mounted_ = false;
    std::string reason_;
};

/// morphstation-cli in a child process, output to `log`.
class CliChild {
public:
    CliChild(const std::vector<std::string>& args, const std::filesystem::path& log)
    {
        std::vector<std::string> all = {cliPath()};
        all.insert(all.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : all)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        if (posix_spawn(&pid_, all[0].c_str(), &actions, nullptr, argv.data(), environ) != 0)
            pid_ = -1;
        posix_spawn_file_actions_destroy(&actions);
    }
    ~CliChild()
    {
        if (pid_ > 0 && !reaped_) {
            ::kill(pid_, SIGKILL);
            wait();
        }
    }
    pid_t pid() const { return pid_; }
    void kill() const { ::kill(pid_, SIGKILL); }
    /// True while the process runs (not yet reaped).
    bool running()
    {
        if (reaped_)
            return false;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            reaped_ = true;
            status_ = status;
            return false;
        }
        return true;
    }
    int wait()
    {
        if (!reaped_) {
            ::waitpid(pid_, &status_, 0);
            reaped_ = true;
        }
        return WIFEXITED(status_) ? WEXITSTATUS(status_) : WIFSIGNALED(status_) ? 128 + WTERMSIG(status_) : -1;
    }

private:
    pid_t pid_ = -1;
    int status_ = 0;
    bool reaped_ = false;
};

/// inotify on a few folders: returns names of created/written/renamed-to files as they happen.
class FolderWatch {
public:
    explicit FolderWatch(const std::vector<std::filesystem::path>& dirs)
    {
        fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        for (const auto& d : dirs)
            inotify_add_watch(fd_, d.c_str(), IN_CREATE | IN_MODIFY | IN_MOVED_TO);
    }
    ~FolderWatch() { ::close(fd_); }
    /// The next event's file name (mask in `mask`), or nullopt after `timeoutMs`.
    std::optional<std::string> next(int timeoutMs, std::uint32_t& mask)
    {
        if (pending_.empty()) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, timeoutMs) <= 0)
                return std::nullopt;
            alignas(inotify_event) char buf[8192];
            const ssize_t n = ::read(fd_, buf, sizeof buf);
            for (ssize_t at = 0; at < n;) {
                const auto* e = reinterpret_cast<const inotify_event*>(buf + at);
                pending_.push_back({e->len ? std::string(e->name) : std::string(), e->mask});
                at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
            }
            if (pending_.empty())
                return std::string();
        }
        auto [name, m] = pending_.front();
        pending_.erase(pending_.begin());
        mask = m;
        return name;
    }

private:
    int fd_ = -1;
    std::vector<std::pair<std::string, std::uint32_t>> pending_;
};

} // namespace morph::test
