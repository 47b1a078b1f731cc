#include "util/Timestamp.h"

#include <chrono>
#include <ctime>

namespace morph {
namespace {

std::string format(const std::tm& tm, const char* pattern)
{
    char buf[32];
    const std::size_t n = std::strftime(buf, sizeof(buf), pattern, &tm);
    return std::string(buf, n);
}

std::time_t nowSeconds()
{
    return std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
}

}  // namespace

std::string utcTimestamp()
{
    const std::time_t t = nowSeconds();
    std::tm tm{};
    gmtime_r(&t, &tm);
    return format(tm, "%Y-%m-%dT%H:%M:%SZ");
}

std::string localTimestamp()
{
    const std::time_t t = nowSeconds();
    std::tm tm{};
    localtime_r(&t, &tm);
    return format(tm, "%Y-%m-%d %H:%M:%S");
}

}  // namespace morph
