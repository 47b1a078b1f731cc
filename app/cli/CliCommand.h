#pragma once
// Subcommands of morphstation-cli register themselves with a static CliRegistration in their own
// .cpp file (app/cli/cmd_*.cpp), so adding a command touches no shared file.
#include <map>
#include <string>
#include <vector>

namespace morph::cli {

/// Parsed command line: "--key value", "--flag" and positionals. Unknown keys are an error the
/// command reports via requireKnown().
class Args {
public:
    Args(const std::vector<std::string>& raw, const std::vector<std::string>& flagNames);

    bool has(const std::string& key) const { return values_.count(key) > 0; }
    std::string get(const std::string& key, const std::string& fallback = {}) const;
    std::string require(const std::string& key) const;  // throws ConfigError
    int getInt(const std::string& key, int fallback) const;
    double getDouble(const std::string& key, double fallback) const;
    std::vector<int> getIntList(const std::string& key, const std::vector<int>& fallback) const;
    const std::vector<std::string>& positionals() const { return positionals_; }
    /// Throws ConfigError naming the first option not in `known` (flags included).
    void requireKnown(const std::vector<std::string>& known) const;

private:
    std::map<std::string, std::string> values_;
    std::vector<std::string> positionals_;
};

struct CliCommand {
    std::string name;
    std::string usage;    // one line: "resynth IN.wav OUT.wav [--iters N]"
    std::string summary;  // one sentence
    int (*run)(const std::vector<std::string>& args) = nullptr;
};

class CliRegistry {
public:
    static void add(CliCommand command);
    static std::vector<CliCommand>& all();
};

struct CliRegistration {
    explicit CliRegistration(CliCommand command) { CliRegistry::add(std::move(command)); }
};

} // namespace morph::cli
