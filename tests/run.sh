#!/usr/bin/env bash
# The README's test command: install what is missing, build, run every test through ctest.
# Slow tests (ctest label "slow") run only with MORPH_SLOW_TESTS=1.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${MORPH_BUILD_DIR:-$ROOT/build}"

bash "$ROOT/app/install-deps.sh"
bash "$ROOT/app/build.sh"

LABEL_ARGS=(-LE slow)
if [ "${MORPH_SLOW_TESTS:-0}" = "1" ]; then
  LABEL_ARGS=()
fi
cd "$BUILD_DIR"
ctest --output-on-failure -j"${MORPH_TEST_JOBS:-2}" "${LABEL_ARGS[@]}"
