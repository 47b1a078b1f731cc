#!/usr/bin/env bash
# Renders the real workstation window under a virtual X server and saves PNGs (the app's own
# --screenshot option: QWidget::grab() once everything asked for is ready).
#   tests/screenshots.sh [OUT_DIR] [DATASET_DIR] [MODEL]
# Defaults: OUT_DIR = build/screenshots, DATASET_DIR = ../shared/data/nsynth-test-pitch60,
# MODEL = models/default/model.pt (else the tiny test fixture build/tests/fixtures/tiny_single.pt).
# Needs xvfb-run (Debian: xvfb) and a built build/app/morphstation. The training shot trains a
# very small network for a few epochs (about a minute of CPU).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${MORPH_BUILD_DIR:-$ROOT/build}"
OUT="${1:-$BUILD_DIR/screenshots}"
DATA="${2:-$ROOT/../shared/data/nsynth-test-pitch60}"
MODEL="${3:-$ROOT/models/default/model.pt}"
[[ -f "$MODEL" ]] || MODEL="$BUILD_DIR/tests/fixtures/tiny_single.pt"
APP="$BUILD_DIR/app/morphstation"
[[ -x "$APP" ]] || { echo "screenshots.sh: $APP not built (run app/build.sh)" >&2; exit 1; }
[[ -f "$MODEL" ]] || { echo "screenshots.sh: no model (models/default/model.pt or the test fixture)" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "screenshots.sh: xvfb-run not installed (apt install xvfb)" >&2; exit 1; }
mkdir -p "$OUT"
# Private settings, embedding cache and run folders: screenshots neither read nor change the user's.
SCRATCH="$(mktemp -d)"
export XDG_CONFIG_HOME="$SCRATCH/config" XDG_CACHE_HOME="$SCRATCH/cache" XDG_DATA_HOME="$SCRATCH/data"
trap 'rm -rf "$SCRATCH"' EXIT

shot() { # name, then app arguments
  local name="$1"; shift
  xvfb-run -a -s "-screen 0 1600x1000x24" "$APP" --no-audio --data "$DATA" --screenshot "$OUT/$name.png" "$@" 2>&1 \
    | grep -E "^morphstation:" || true
  [[ -s "$OUT/$name.png" ]] || { echo "screenshots.sh: $name.png was not written" >&2; exit 1; }
}

PAIR="bass_synthetic_098-060-127,vocal_synthetic_003-060-100"
shot browser_linear --select bass_electronic_018-060-075 --axis linear
shot browser_log    --select string_acoustic_057-060-100 --axis log
shot browser_mel    --select guitar_acoustic_010-060-100 --axis mel
shot small_window   --select organ_electronic_001-060-127 --axis log --size 1000x650
shot correlation    --model "$MODEL" --tab correlation --correlate --pair "$PAIR"
shot morph          --model "$MODEL" --tab morph --pair "$PAIR" --slider 0.5
shot morph_pad      --model "$MODEL" --tab morph --pair "$PAIR" --pad 0.3,0.7
shot model          --model "$MODEL" --tab model
shot training       --model "$MODEL" --tab training --train "$SCRATCH/run" --train-channels 4,8,8,8 \
                    --train-slices 800 --train-epochs 12 --screenshot-epochs 3
echo "screenshots in $OUT:"
ls -1 "$OUT"/*.png
