#pragma once
// Test support: a unique temporary folder, removed with everything in it at scope exit.
#include <filesystem>
#include <random>
#include <string>
#include <unistd.h>

namespace morph::test {

struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& prefix = "morph_test")
    {
        path = std::filesystem::temp_directory_path()
               / (prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(path);
    }
    ~TempDir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

} // namespace morph::test
