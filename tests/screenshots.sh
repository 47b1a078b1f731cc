#!/usr/bin/env bash
# Renders the real workstation window under a virtual X server and saves PNGs (the app's own
# --screenshot option: QWidget::grab() once the dataset and the note analysis have loaded).
#   tests/screenshots.sh [OUT_DIR] [DATASET_DIR]
# Defaults: OUT_DIR = build/screenshots, DATASET_DIR = ../shared/data/nsynth-test-pitch60.
# Needs xvfb-run (Debian: xvfb) and a built build/app/morphstation.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${MORPH_BUILD_DIR:-$ROOT/build}"
OUT="${1:-$BUILD_DIR/screenshots}"
DATA="${2:-$ROOT/../shared/data/nsynth-test-pitch60}"
APP="$BUILD_DIR/app/morphstation"
[[ -x "$APP" ]] || { echo "screenshots.sh: $APP not built (run app/build.sh)" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "screenshots.sh: xvfb-run not installed (apt install xvfb)" >&2; exit 1; }
mkdir -p "$OUT"
# A private settings/config folder, so screenshots neither read nor change the user's settings.
export XDG_CONFIG_HOME="$(mktemp -d)"
trap 'rm -rf "$XDG_CONFIG_HOME"' EXIT

shot() { # name, then app arguments
  local name="$1"; shift
  xvfb-run -a -s "-screen 0 1600x1000x24" "$APP" --data "$DATA" --screenshot "$OUT/$name.png" "$@" 2>&1 \
    | grep -E "^morphstation:" || true
  [[ -s "$OUT/$name.png" ]] || { echo "screenshots.sh: $name.png was not written" >&2; exit 1; }
}

shot browser_linear --select bass_electronic_018-060-075 --axis linear
shot browser_log    --select string_acoustic_057-060-100 --axis log
shot browser_mel    --select guitar_acoustic_010-060-100 --axis mel
shot small_window   --select organ_electronic_001-060-127 --axis log --size 1000x650
echo "screenshots in $OUT:"
ls -1 "$OUT"/*.png
