#pragma once
// Wall-clock stamps for files the program writes: checkpoints and feature caches record when they
// were made (UTC, ISO 8601, so they sort and compare across machines), training logs show local
// time for the person reading them. Thread contract: both are reentrant (gmtime_r/localtime_r).
#include <string>

namespace morph {

/// Now in UTC as "2026-12-01T17:54:42Z".
std::string utcTimestamp();

/// Now in local time as "2026-12-01 17:54:42", for log lines.
std::string localTimestamp();

}  // namespace morph
