// Sanitizer canary: one deliberate bug per sanitizer, run by tests/sanitizers.sh before the real
// tests. The script requires each canary to FAIL with its sanitizer's report, so a sanitizer step
// that silently stopped instrumenting (a lost flag, a wrong build folder) fails CI instead of
// passing everything. Built only with MORPH_SANITIZE or MORPH_SANITIZE_THREAD.
// Usage: sanitizer_canary overflow|ub|race
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>

namespace {

int heapOverflow()
{
    auto block = std::make_unique<int[]>(4);
    volatile int index = 4;  // one past the end, hidden from the optimiser
    return block[index];
}

int signedOverflow()
{
    volatile int big = 0x7fffffff;
    return big + 1;
}

int dataRace()
{
    int shared = 0;  // written by two threads with no synchronisation between them
    std::thread a([&] { shared = 1; });
    std::thread b([&] { shared = 2; });
    a.join();
    b.join();
    return shared;
}

} // namespace

int main(int argc, char** argv)
{
    const char* mode = argc > 1 ? argv[1] : "";
    int result = 0;
    if (std::strcmp(mode, "overflow") == 0)
        result = heapOverflow();
    else if (std::strcmp(mode, "ub") == 0)
        result = signedOverflow();
    else if (std::strcmp(mode, "race") == 0)
        result = dataRace();
    else {
        std::fprintf(stderr, "usage: sanitizer_canary overflow|ub|race\n");
        return 2;
    }
    std::printf("canary %s finished with %d: no sanitizer report\n", mode, result);
    return 0;
}
