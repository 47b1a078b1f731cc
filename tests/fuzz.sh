#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang + ASan + UBSan) into build-fuzz and runs each
# for a bounded time, seeded from tests/fuzz/corpus/<target> and tests/fuzz/regressions/<target>.
# Fails (exit 1) when any target crashes, leaks, times out on one input or throws an exception
# other than its parser's typed error; the crashing input is left in build-fuzz/artifacts/<target>/.
# To keep a crasher: fix the bug, then copy the input to tests/fuzz/regressions/<target>/ (the
# default test run replays it through tests/core/test_fuzz_regressions.cpp, with any compiler).
#
# Usage: tests/fuzz.sh [seconds per target]   (default $MORPH_FUZZ_SECONDS or 60)
#        MORPH_FUZZ_TARGETS="checkpoint audio_file" tests/fuzz.sh 10
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${MORPH_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
SECONDS_EACH="${1:-${MORPH_FUZZ_SECONDS:-60}}"
TARGETS=(${MORPH_FUZZ_TARGETS:-examples_json audio_file checkpoint train_config})
JOBS="${MORPH_JOBS:-$(nproc)}"

# clang and its libFuzzer/sanitizer runtimes (Debian packages) when they are missing.
if [ -z "${MORPH_FUZZ_CXX:-}" ]; then
  bash "$ROOT/app/install-deps.sh" clang libclang-rt-dev
fi

start=$(date +%s)
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_CXX_COMPILER="${MORPH_FUZZ_CXX:-clang++}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DMORPH_FUZZ=ON -DMORPH_BUILD_GUI=OFF -DMORPH_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS" --target fuzz
echo "fuzz: built in $(( $(date +%s) - start )) s"

# Inputs larger than this are not tried (keeps each run fast; every seed is smaller).
MAX_LEN=16384
failed=()
for target in "${TARGETS[@]}"; do
  work="$BUILD_DIR/corpus/$target"        # grows while fuzzing; the checked-in seeds stay small
  artifacts="$BUILD_DIR/artifacts/$target/"
  mkdir -p "$work" "$artifacts"
  log="$BUILD_DIR/fuzz-$target.log"
  echo "fuzz: $target for ${SECONDS_EACH} s (log $log)"
  # -timeout: one input taking >10 s is a hang; -rss_limit_mb: an input must not eat 2 GB.
  # UBSan reports abort (-fno-sanitize-recover); leaks are reported by LeakSanitizer.
  # Seeds: ours, the kept crashers, and the hand-made bad-input corpus (tests/data/bad) for the
  # parser it was made for. libFuzzer stops on a missing folder: pass only those that exist.
  seeds=()
  for dir in "$ROOT/tests/fuzz/corpus/$target" "$ROOT/tests/fuzz/regressions/$target" \
             $([ "$target" = examples_json ] && echo "$ROOT/tests/data/bad/json"); do
    [ -d "$dir" ] && seeds+=("$dir")
  done
  if UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
     "$BUILD_DIR/tests/fuzz/fuzz_$target" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -max_len="$MAX_LEN" -print_final_stats=1 -artifact_prefix="$artifacts" \
        "$work" "${seeds[@]}" >"$log" 2>&1; then
    grep -E "^(stat::number_of_executed_units|stat::new_units_added)|cov: " "$log" | tail -3 || true
  else
    echo "fuzz: $target FAILED; the end of its log:" >&2
    tail -n 60 "$log" >&2
    ls -1 "$artifacts" >&2 || true
    failed+=("$target")
  fi
done
echo "fuzz: total $(( $(date +%s) - start )) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED targets: ${failed[*]}" >&2
  exit 1
fi
