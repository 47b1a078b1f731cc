// morphstation-cli: headless entry point. Dispatches to self-registered subcommands and turns
// every error into a one-line message and a non-zero exit code.
#include "cli/CliCommand.h"
#include "model/TorchRuntime.h"
#include "util/Errors.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>

namespace morph::cli {

std::vector<CliCommand>& CliRegistry::all()
{
    static std::vector<CliCommand> commands;
    return commands;
}

void CliRegistry::add(CliCommand command)
{
    all().push_back(std::move(command));
}

Args::Args(const std::vector<std::string>& raw, const std::vector<std::string>& flagNames)
{
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const std::string& a = raw[i];
        if (a.rfind("--", 0) == 0 && a.size() > 2) {
            std::string key = a.substr(2);
            const auto eq = key.find('=');
            if (eq != std::string::npos) {
                values_[key.substr(0, eq)] = key.substr(eq + 1);
            } else if (std::find(flagNames.begin(), flagNames.end(), key) != flagNames.end()) {
                values_[key] = "1";
            } else {
                if (i + 1 >= raw.size())
                    throw ConfigError("option --" + key + " needs a value");
                values_[key] = raw[++i];
            }
        } else {
            positionals_.push_back(a);
        }
    }
}

std::string Args::get(const std::string& key, const std::string& fallback) const
{
    auto it = values_.find(key);
    return it == values_.end() ? fallback : it->second;
}

std::string Args::require(const std::string& key) const
{
    auto it = values_.find(key);
    if (it == values_.end())
        throw ConfigError("missing required option --" + key);
    return it->second;
}

int Args::getInt(const std::string& key, int fallback) const
{
    if (!has(key))
        return fallback;
    try {
        std::size_t used = 0;
        int v = std::stoi(get(key), &used);
        if (used != get(key).size())
            throw std::invalid_argument("trailing");
        return v;
    } catch (const std::exception&) {
        throw ConfigError("option --" + key + " expects an integer, got '" + get(key) + "'");
    }
}

double Args::getDouble(const std::string& key, double fallback) const
{
    if (!has(key))
        return fallback;
    try {
        std::size_t used = 0;
        double v = std::stod(get(key), &used);
        if (used != get(key).size())
            throw std::invalid_argument("trailing");
        return v;
    } catch (const std::exception&) {
        throw ConfigError("option --" + key + " expects a number, got '" + get(key) + "'");
    }
}

std::vector<int> Args::getIntList(const std::string& key, const std::vector<int>& fallback) const
{
    if (!has(key))
        return fallback;
    std::vector<int> out;
    std::string text = get(key);
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(',', start);
        const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        try {
            out.push_back(std::stoi(item));
        } catch (const std::exception&) {
            throw ConfigError("option --" + key + " expects a comma-separated list of integers, got '" + text + "'");
        }
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return out;
}

void Args::requireKnown(const std::vector<std::string>& known) const
{
    for (const auto& [key, value] : values_) {
        if (std::find(known.begin(), known.end(), key) == known.end())
            throw ConfigError("unknown option --" + key);
    }
}

} // namespace morph::cli

namespace {

void printUsage()
{
    auto commands = morph::cli::CliRegistry::all();
    std::sort(commands.begin(), commands.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    std::cout << "usage: morphstation-cli COMMAND [options]\n\ncommands:\n";
    for (const auto& c : commands)
        std::cout << "  " << c.usage << "\n      " << c.summary << "\n";
}

} // namespace

int main(int argc, char** argv)
{
    morph::relaunchWithPassiveOpenMp(argc, argv);  // before any thread exists (see TorchRuntime.h)
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
        printUsage();
        return argc < 2 ? 2 : 0;
    }
    const std::string name = argv[1];
    const std::vector<std::string> rest(argv + 2, argv + argc);
    for (const auto& command : morph::cli::CliRegistry::all()) {
        if (command.name != name)
            continue;
        if (std::any_of(rest.begin(), rest.end(), [](const std::string& a) { return a == "--help" || a == "-h"; })) {
            std::cout << "usage: morphstation-cli " << command.usage << "\n  " << command.summary << "\n";
            return 0;
        }
        try {
            return command.run(rest);
        } catch (const morph::ConfigError& e) {
            std::cerr << "morphstation-cli " << name << ": " << e.what() << "\nusage: morphstation-cli "
                      << command.usage << "\n";
            return 2;
        } catch (const std::exception& e) {
            std::cerr << "morphstation-cli " << name << ": error: " << e.what() << "\n";
            return 1;
        }
    }
    std::cerr << "morphstation-cli: unknown command '" << name << "'\n";
    printUsage();
    return 2;
}
