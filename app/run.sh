#!/usr/bin/env bash
# The README's first command: install what is missing, build, render the default dataset if it
# is absent, then open the workstation on it with the shipped default model.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${MORPH_BUILD_DIR:-$ROOT/build}"
DATA_DIR="${MORPH_DATA_DIR:-$ROOT/data/default}"
SOUNDFONT="${MORPH_SOUNDFONT:-/usr/share/sounds/sf2/FluidR3_GM.sf2}"

bash "$ROOT/app/install-deps.sh"
bash "$ROOT/app/build.sh"

if [ ! -f "$DATA_DIR/.complete" ]; then
  echo "Rendering the default dataset from $SOUNDFONT into $DATA_DIR (once; a few minutes)..."
  "$BUILD_DIR/app/morphstation-cli" render-dataset --soundfont "$SOUNDFONT" --out "$DATA_DIR"
fi

ARGS=(--data "$DATA_DIR")
if [ -f "$ROOT/models/default/model.pt" ]; then
  ARGS+=(--model "$ROOT/models/default/model.pt")
fi
exec "$BUILD_DIR/app/morphstation" "${ARGS[@]}" "$@"
