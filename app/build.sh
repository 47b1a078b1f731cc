#!/usr/bin/env bash
# Configures and builds Morphstation into build/ (or $MORPH_BUILD_DIR) with both cores.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${MORPH_BUILD_DIR:-$ROOT/build}"
JOBS="${MORPH_JOBS:-$(nproc)}"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${MORPH_BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS" ${MORPH_BUILD_TARGET:+--target "$MORPH_BUILD_TARGET"}
