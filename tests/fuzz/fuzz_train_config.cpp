// libFuzzer target: see FuzzTargets.h for the contract checked. Built by tests/fuzz.sh (clang).
#include "FuzzTargets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    morph::fuzz::trainConfigOne(data, size);
    return 0;
}
