#include "util/AtomicFile.h"
#include "util/Errors.h"
#include "util/ThreadPool.h"
#include "util/Timestamp.h"

#include <gtest/gtest.h>

#include <atomic>
#include <ctime>
#include <regex>
#include <filesystem>

namespace fs = std::filesystem;

TEST(AtomicFile, WritesAndReplaces)
{
    const fs::path dir = fs::temp_directory_path() / "morph_test_util";
    fs::create_directories(dir);
    const fs::path target = dir / "file.txt";
    morph::writeFileAtomically(target, "first");
    EXPECT_EQ(morph::readWholeFile(target), "first");
    morph::writeFileAtomically(target, "second");
    EXPECT_EQ(morph::readWholeFile(target), "second");
    for (const auto& entry : fs::directory_iterator(dir))
        EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos);
    fs::remove_all(dir);
}

TEST(AtomicFile, UncommittedWriterLeavesOldFile)
{
    const fs::path dir = fs::temp_directory_path() / "morph_test_util2";
    fs::create_directories(dir);
    const fs::path target = dir / "file.txt";
    morph::writeFileAtomically(target, "kept");
    {
        morph::AtomicFileWriter writer(target);
        writer.write("half");
        // no commit: simulates an error mid-write
    }
    EXPECT_EQ(morph::readWholeFile(target), "kept");
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), 1);
    fs::remove_all(dir);
}

TEST(AtomicFile, MissingFolderIsIoError)
{
    EXPECT_THROW(morph::writeFileAtomically("/nonexistent-dir-xyz/file", "x"), morph::IoError);
    EXPECT_THROW(morph::readWholeFile("/nonexistent-dir-xyz/file"), morph::IoError);
}

TEST(ThreadPool, CoversRangeExactlyOnce)
{
    morph::ThreadPool pool(2);
    std::vector<std::atomic_int> hits(1001);
    pool.parallelFor(hits.size(), [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i)
            hits[i]++;
    });
    for (auto& h : hits)
        EXPECT_EQ(h.load(), 1);
}

TEST(ThreadPool, RethrowsWorkerException)
{
    morph::ThreadPool pool(2);
    EXPECT_THROW(pool.parallelFor(10, [](std::size_t b, std::size_t) {
        if (b > 0)
            throw morph::IoError("boom");
    }), morph::IoError);
    // pool still usable
    std::atomic_int sum{0};
    pool.parallelFor(4, [&](std::size_t b, std::size_t e) { sum += int(e - b); });
    EXPECT_EQ(sum.load(), 4);
}

namespace {

/// `stamp()` matches `shape`, and parsed back with `format` and `toTime` lies between two
/// time() calls taken around it.
template <typename Stamp, typename ToTime>
void expectStampIsNow(Stamp stamp, const char* shape, const char* format, ToTime toTime)
{
    const std::time_t before = std::time(nullptr);
    const std::string text = stamp();
    const std::time_t after = std::time(nullptr);
    ASSERT_TRUE(std::regex_match(text, std::regex(shape))) << text;
    std::tm tm{};
    ASSERT_NE(strptime(text.c_str(), format, &tm), nullptr) << text;
    const std::time_t parsed = toTime(tm);
    EXPECT_GE(parsed, before) << text;
    EXPECT_LE(parsed, after) << text;
}

}  // namespace

TEST(Timestamp, UtcIsIso8601AndNow)
{
    // read back as UTC: equals now only if it was written as UTC
    expectStampIsNow(morph::utcTimestamp, R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)", "%Y-%m-%dT%H:%M:%SZ",
                     [](std::tm& tm) { return timegm(&tm); });
}

TEST(Timestamp, LocalIsReadableAndNow)
{
    expectStampIsNow(morph::localTimestamp, R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", "%Y-%m-%d %H:%M:%S",
                     [](std::tm& tm) {
                         tm.tm_isdst = -1;
                         return std::mktime(&tm);
                     });
}
