#!/usr/bin/env bash
# Sanitizer runs of the core tests (issue #8 part 3); CI calls both after tests/run.sh.
#   asan: AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer) over every core test
#         (build-asan, -DMORPH_SANITIZE=ON, no GUI).
#   tsan: ThreadSanitizer over the concurrent code: the audio ring buffer, the thread pool,
#         MorphEngine/LiveMorph and EncodingService (build-tsan, -DMORPH_SANITIZE_THREAD=ON).
# Any sanitizer report fails the test that produced it (halt_on_error / exitcode), so the script
# exits non-zero. LibTorch, OpenBLAS and libgomp are not instrumented: the few suppressions and
# options they need live in tests/sanitizers/ with a comment each.
# Usage: tests/sanitizers.sh asan|tsan   (MORPH_SAN_TESTS="regex" narrows the ctest selection)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KIND="${1:-}"
JOBS="${MORPH_JOBS:-$(nproc)}"
SUPP="$ROOT/tests/sanitizers"

case "$KIND" in
  asan)
    BUILD_DIR="${MORPH_ASAN_BUILD_DIR:-$ROOT/build-asan}"
    FLAGS=(-DMORPH_SANITIZE=ON)
    # Every core test except test_soak_memory (ASan's quarantine and shadow memory make RSS
    # meaningless there; the soak benchmarks profile the heap with heaptrack instead) and
    # test_audio_realtime (it replaces the global operator new to count the audio callback's
    # allocations, which is ASan's own hook). Slow-labelled tests only with MORPH_SLOW_TESTS=1.
    TESTS="${MORPH_SAN_TESTS:-^test_(audio_output|audiofile|bad_inputs|checkpoint|correlation|dataset|encoding_service|energy|faults|fuzz_regressions|griffinlim|melscale|models|morph_engine|pca_baseline|render|ring_buffer|stft|style_transfer|trainer|training_run|util)$}"
    ;;
  tsan)
    BUILD_DIR="${MORPH_TSAN_BUILD_DIR:-$ROOT/build-tsan}"
    FLAGS=(-DMORPH_SANITIZE_THREAD=ON)
    TESTS="${MORPH_SAN_TESTS:-^(test_ring_buffer|test_util|test_morph_engine|test_encoding_service)$}"
    ;;
  *)
    echo "usage: $0 asan|tsan" >&2
    exit 2
    ;;
esac

start=$(date +%s)
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMORPH_BUILD_GUI=OFF "${FLAGS[@]}" >/dev/null
# Build only the selected test executables (and what they depend on).
mapfile -t TARGETS < <(cd "$ROOT/tests/core" && ls test_*.cpp | sed 's/\.cpp$//' | grep -E "$TESTS")
if [ ${#TARGETS[@]} -eq 0 ]; then
  echo "sanitizers: no test matches '$TESTS'" >&2
  exit 2
fi
cmake --build "$BUILD_DIR" -j"$JOBS" --target sanitizer_canary "${TARGETS[@]}"
built=$(date +%s)
echo "sanitizers($KIND): built ${#TARGETS[@]} tests in $(( built - start )) s"

# Common: a report aborts the process (the test fails) and shows a symbolised stack.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$SUPP/ubsan.supp"
if [ "$KIND" = asan ]; then
  # detect_leaks: LeakSanitizer at exit. detect_container_overflow=0: libstdc++ containers
  # crossing into LibTorch (not instrumented) give false container-overflow reports.
  export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:detect_container_overflow=0:strict_init_order=1:check_initialization_order=1"
  export LSAN_OPTIONS="suppressions=$SUPP/lsan.supp:print_suppressions=0"
else
  # second_deadlock_stack: both stacks of a lock-order inversion. exitcode 66: any report fails
  # the test even when its assertions pass.
  export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:suppressions=$SUPP/tsan.supp"
fi
# tsan: one OpenMP / intra-op thread in LibTorch: its uninstrumented thread pools would otherwise need
# broad suppressions (the tests set torch's own thread count where they care).
[ "$KIND" = tsan ] && export OMP_NUM_THREADS=1

cd "$BUILD_DIR"
LABEL_ARGS=(-LE slow)
[ "${MORPH_SLOW_TESTS:-0}" = "1" ] && LABEL_ARGS=()
status=0
RUN=()
# TSan of GCC 12 / LLVM 14 cannot map its shadow memory when the kernel randomises mmap with more
# than 28 bits ("unexpected memory mapping"): run without address randomisation there.
if [ "$KIND" = tsan ] && [ "$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)" -gt 28 ]; then
  RUN=(setarch "$(uname -m)" -R)
fi

# The canaries (tests/sanitizers/canary.cpp) must fail with their report: proof that this build
# really is instrumented and that a report really fails a run.
canary() {  # mode, text the report must contain
  local log="$BUILD_DIR/canary-$1.log"
  if "${RUN[@]}" "$BUILD_DIR/tests/sanitizer_canary" "$1" >"$log" 2>&1; then
    echo "sanitizers($KIND): the '$1' canary ran clean: the sanitizer is not active (see $log)" >&2
    exit 1
  fi
  if ! grep -q "$2" "$log"; then
    echo "sanitizers($KIND): the '$1' canary failed without '$2' (see $log)" >&2
    exit 1
  fi
  echo "sanitizers($KIND): canary '$1' caught ($2)"
}
if [ "$KIND" = asan ]; then
  canary overflow "AddressSanitizer: heap-buffer-overflow"
  canary ub "runtime error: signed integer overflow"
else
  canary race "ThreadSanitizer: data race"
fi
"${RUN[@]}" ctest --output-on-failure -j"${MORPH_TEST_JOBS:-2}" -R "$TESTS" "${LABEL_ARGS[@]}" || status=$?
echo "sanitizers($KIND): tests ran in $(( $(date +%s) - built )) s; total $(( $(date +%s) - start )) s"
exit $status
