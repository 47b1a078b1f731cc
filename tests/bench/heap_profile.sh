#!/usr/bin/env bash
# Heap profiles of the soak benchmarks (issue #8 part 5) with heaptrack: each soak runs twice, a
# short and a 6x longer loop, and the script prints heaptrack's peak heap, peak RSS and memory
# still allocated at exit for both. Flat memory means the long run ends where the short one does:
# a per-move or per-encode leak would show up as (long - short) leaked bytes growing with the loop.
# Figures, not pass/fail (the bounded pass/fail check is tests/core/test_soak_memory.cpp).
#
# Usage: tests/bench/heap_profile.sh [build dir]   (default: build)
#        MORPH_HEAP_MOVES="500 3000" MORPH_HEAP_ROUNDS="5 30" to change the loop lengths.
# Needs heaptrack (Debian package `heaptrack`; a profiling tool, not a dependency of the product).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
if ! command -v heaptrack >/dev/null || ! command -v heaptrack_print >/dev/null; then
  echo "heap_profile: heaptrack is not installed (sudo apt-get install heaptrack)" >&2
  exit 2
fi
cmake --build "$BUILD" -j"${MORPH_JOBS:-2}" --target bench_soak_morph bench_soak_encode >/dev/null
OUT="$BUILD/heaptrack"
mkdir -p "$OUT"

# heaptrack_print's summary lines: "peak heap memory consumption: 77.02M", "peak RSS (including
# heaptrack overhead): ...", "total memory leaked: ...".
summary() {
  heaptrack_print -f "$1" --print-peaks=0 --print-allocators=0 --print-temporary=0 --print-leaks=0 2>/dev/null \
    | grep -E "^(calls to allocation functions|peak heap memory consumption|peak RSS|total memory leaked)" \
    | sed 's/^/    /'
}

profile() {  # name env-var counts...
  local name="$1" var="$2"
  shift 2
  for n in "$@"; do
    local file="$OUT/$name-$n"
    rm -f "$file".*
    echo "heap_profile: $name with $var=$n"
    env "$var=$n" heaptrack -o "$file" "$BUILD/tests/$name" >"$file.log" 2>&1
    grep -E "RSS|growth" "$file.log" | tail -2 | sed 's/^/    bench: /' || true
    summary "$(ls "$file".*gz "$file".*zst 2>/dev/null | head -1)"
  done
}

profile bench_soak_morph MORPH_SOAK_MOVES ${MORPH_HEAP_MOVES:-500 3000}
profile bench_soak_encode MORPH_SOAK_ROUNDS ${MORPH_HEAP_ROUNDS:-5 30}
echo "heap_profile: data files in $OUT (open one with heaptrack_gui or heaptrack_print -f FILE)"
