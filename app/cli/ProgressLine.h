#pragma once
// One terminal progress line for long CLI jobs: on a terminal it redraws in place with '\r' at
// most 10 times a second; when stderr is a file or pipe (a background run with its output
// redirected) it prints a full line every `logEverySeconds` instead, so logs stay readable.
// Thread contract: used from one thread.
#include <chrono>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace morph::cli {

class ProgressLine {
public:
    explicit ProgressLine(double logEverySeconds = 30) : tty_(::isatty(STDERR_FILENO)), logEvery_(logEverySeconds) {}

    /// fraction in [0,1]; text follows the bar.
    void update(double fraction, const std::string& text, bool force = false)
    {
        const auto now = std::chrono::steady_clock::now();
        const double since = std::chrono::duration<double>(now - last_).count();
        if (!force && since < (tty_ ? 0.1 : logEvery_))
            return;
        last_ = now;
        if (tty_) {
            constexpr int width = 24;
            const int filled = static_cast<int>(fraction * width + 0.5);
            std::string bar(static_cast<std::size_t>(std::max(0, std::min(width, filled))), '#');
            bar.resize(width, '.');
            std::fprintf(stderr, "\r[%s] %s\033[K", bar.c_str(), text.c_str());
            open_ = true;
        } else {
            std::fprintf(stderr, "%5.1f%% %s\n", 100.0 * fraction, text.c_str());
        }
        std::fflush(stderr);
    }
    /// Ends the in-place line (before printing anything else).
    void finish()
    {
        if (tty_ && open_)
            std::fprintf(stderr, "\n");
        open_ = false;
    }
    static std::string duration(double seconds)
    {
        char buf[32];
        const long s = static_cast<long>(seconds + 0.5);
        if (s >= 3600)
            std::snprintf(buf, sizeof(buf), "%ldh%02ldm", s / 3600, (s / 60) % 60);
        else
            std::snprintf(buf, sizeof(buf), "%ldm%02lds", s / 60, s % 60);
        return buf;
    }

private:
    bool tty_;
    double logEvery_;
    bool open_ = false;
    std::chrono::steady_clock::time_point last_{};
};

} // namespace morph::cli
