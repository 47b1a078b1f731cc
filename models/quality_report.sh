#!/usr/bin/env bash
# Measures every figure of models/README.md's quality report for one shipped model, with the
# project's own CLI: reconstruction MSE (dB^2) overall, per pitch class and per family on the
# rendered test split and on the 60 real NSynth notes; the PCA baseline with the same embedding
# size fitted on the same training slices and evaluated the same way; Griffin-Lim spectral
# convergence of a reconstruction and a morph; embedding correlation at pitch 60.
#
# Usage: models/quality_report.sh [model folder] [dataset]
#        (defaults: models/default, data/default; build first with app/build.sh, and render the
#        dataset with app/run.sh or `morphstation-cli render-dataset --out data/default`)
# Writes <model folder>/eval.json and eval-nsynth-test-pitch60.json, the PCA evaluations under
# build/quality/, and prints the figures. MORPH_PRECISION=bfloat16 measures the fast path's
# bfloat16 arithmetic instead (what the slider plays on CPUs with AVX512-BF16/AMX); its eval
# JSON files then go to build/quality/<model>-bfloat16/ and the shipped ones stay untouched.
# Takes about 1-2 minutes on 2 CPU cores (65 s measured for models/double, machine loaded).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MODEL_DIR="${1:-models/default}"
DATA="${2:-data/default}"
REAL="${MORPH_REAL_NOTES:-../shared/data/nsynth-test-pitch60}"
CLI="${MORPH_CLI:-build/app/morphstation-cli}"
PRECISION="${MORPH_PRECISION:-float32}"
WORK="build/quality/$(basename "$MODEL_DIR")"
MODEL="$MODEL_DIR/model.pt"
JSON_DIR="$MODEL_DIR"
if [ "$PRECISION" != float32 ]; then JSON_DIR="$WORK-$PRECISION"; mkdir -p "$JSON_DIR"; fi
P=(--precision "$PRECISION")
# Bring the CLI up to date first (a no-op when it is): a binary linked before the last core change
# measures old code. On 2026-12-03 a CLI left over from a partial build ignored the position
# biases and reported 10.1 dB^2 for a model that scores 8.5. Skipped for MORPH_CLI binaries.
if [ -z "${MORPH_CLI:-}" ] && [ -f build/CMakeCache.txt ]; then
  cmake --build build --target morphstation-cli -j"$(nproc)" >/dev/null
fi
for need in "$CLI" "$MODEL" "$DATA" "$REAL"; do
  [ -e "$need" ] || { echo "quality_report: $need is missing (see the usage at the top of $0)" >&2; exit 2; }
done
mkdir -p "$WORK"
summary() { grep -vE "^ *[0-9.]+% |^features:|^note:" ; }

echo "== autoencoder $MODEL ($PRECISION), rendered test split ($DATA)"
"$CLI" eval "$MODEL" --data "$DATA" --split test --features "$WORK/features" "${P[@]}" --json "$JSON_DIR/eval.json" 2>&1 | summary
echo "== autoencoder, 60 real NSynth notes ($REAL)"
"$CLI" eval "$MODEL" --data "$REAL" --features "$WORK/features-real" \
  "${P[@]}" --json "$JSON_DIR/eval-nsynth-test-pitch60.json" 2>&1 | summary

if [ "$PRECISION" = float32 ]; then  # the baseline does not depend on the model's arithmetic
  # --model: as many components as the model's embedding, the same pre-processing.
  echo "== PCA fitted on the training slices (k = the model's embedding size), rendered test split"
  "$CLI" baseline-pca --data "$DATA" --model "$MODEL" --split test --features "$WORK/features" \
    --out "$WORK/pca" 2>&1 | summary
  BASIS=$(ls "$WORK/pca"/*.basis | head -1)
  echo "== PCA (the same basis), 60 real NSynth notes"
  "$CLI" baseline-pca --data "$REAL" --basis "$BASIS" --features "$WORK/features-real" \
    --out "$WORK/pca-real" 2>&1 | summary
fi

echo "== Griffin-Lim spectral convergence (32 iterations), real notes"
"$CLI" reconstruct --model "$MODEL" --data "$REAL" --note guitar_acoustic_010-060-100 \
  --out "$WORK/reconstruction.wav" --phase griffin-lim "${P[@]}" 2>&1 | grep -iE "convergence|mse"
"$CLI" morph --model "$MODEL" --data "$REAL" --a guitar_acoustic_010-060-100 --b brass_acoustic_006-060-100 \
  --t 0.5 --out "$WORK/morph.wav" "${P[@]}" 2>&1 | grep -iE "convergence"

echo "== embedding correlation at pitch 60, real notes"
"$CLI" pairs --model "$MODEL" --data "$REAL" --top 3 "${P[@]}" 2>&1 | grep -vE "^encoded|^correlation of"
