#pragma once
// Test support: runs a command line (the CLI via env MORPH_CLI) and captures its exit code and
// its stdout + stderr together.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace morph::test {

/// The path of morphstation-cli (set by ctest), or "" when the test runs outside ctest.
inline std::string cliPath()
{
    const char* p = std::getenv("MORPH_CLI");
    return p ? p : "";
}

/// 'text' quoted for /bin/sh (spaces, unicode and quotes survive).
inline std::string shellQuote(const std::string& text)
{
    std::string out = "'";
    for (char c : text)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

struct ProcessResult {
    int code = -1;        // exit status, or 128 + signal
    std::string output;   // stdout and stderr interleaved
};

inline ProcessResult runCli(const std::vector<std::string>& args)
{
    std::string cmd = shellQuote(cliPath());
    for (const auto& a : args)
        cmd += " " + shellQuote(a);
    cmd += " 2>&1";
    ProcessResult r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p)
        return r;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        r.output.append(buf, n);
    const int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
    return r;
}

} // namespace morph::test
