#pragma once
// Test support: a private PulseAudio daemon with one null sink, listening on a socket in a temp
// folder (so tests never disturb, or depend on, another sound server). ok() is false, with
// error() saying why, when it cannot be started here; callers then skip their device part.
// Point clients at it with setenv("PULSE_SERVER", server.address().c_str(), 1).
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace morph::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

template <typename Pred>
inline bool waitFor(Pred pred, std::chrono::milliseconds timeout)
{
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return pred();
}

/// A private PulseAudio daemon with one null sink, listening on a socket in a temp folder.
class PrivatePulseServer {
public:
    PrivatePulseServer()
    {
        char tmpl[] = "/tmp/morph_pulse_XXXXXX";
        if (!mkdtemp(tmpl)) { error_ = "mkdtemp failed"; return; }
        dir_ = tmpl;
        socket_ = dir_ / "native";
        const std::string log = (dir_ / "pulse.log").string();
        const std::string home = "HOME=" + dir_.string();
        const std::string runtime = "XDG_RUNTIME_DIR=" + dir_.string();
        const std::string nativeModule =
            "--load=module-native-protocol-unix socket=" + socket_.string() + " auth-anonymous=1";
        std::vector<std::string> args = {"pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "-n",
                                         "--use-pid-file=no", "--disable-shm=yes",
                                         "--load=module-null-sink sink_name=morph_null", nativeModule};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        std::vector<std::string> envStore = {home, runtime, "PATH=/usr/bin:/bin"};
        std::vector<char*> envp;
        for (auto& e : envStore) envp.push_back(e.data());
        envp.push_back(nullptr);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        const int rc = posix_spawnp(&pid_, "pulseaudio", &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) {
            pid_ = -1;
            error_ = "could not run pulseaudio (is it installed?): " + std::string(strerror(rc));
            return;
        }
        const bool up = waitFor([&] { return fs::exists(socket_) || exited(); }, 10000ms);
        if (!up || exited()) {
            std::ifstream in(log);
            std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            error_ = "pulseaudio did not start: " + text.substr(0, 600);
            return;
        }
        ok_ = true;
    }
    ~PrivatePulseServer()
    {
        if (pid_ > 0 && !exited()) {
            kill(pid_, SIGTERM);
            int status = 0;
            waitpid(pid_, &status, 0);
        }
        std::error_code ec;
        if (!dir_.empty()) fs::remove_all(dir_, ec);
    }
    bool ok() const { return ok_; }
    const std::string& error() const { return error_; }
    std::string address() const { return "unix:" + socket_.string(); }

private:
    bool exited()
    {
        if (pid_ <= 0 || reaped_) return true;
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) reaped_ = true;
        return reaped_;
    }
    pid_t pid_ = -1;
    bool reaped_ = false;
    bool ok_ = false;
    std::string error_;
    fs::path dir_, socket_;
};

} // namespace morph::test
