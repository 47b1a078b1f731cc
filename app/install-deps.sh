#!/usr/bin/env bash
# Installs the Debian packages Morphstation needs, only those missing. Idempotent and
# non-interactive; works as root or through sudo. Both README commands call it.
# Extra package names given as arguments are installed too (tests/fuzz.sh: clang + libFuzzer).
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ccache pkg-config
  # core: LibTorch (+ OpenBLAS, else the reference BLAS makes convolutions 10-25x slower),
  # FFTW3, libsndfile, libsamplerate, fluidsynth + the GM SoundFont, RtAudio, simdjson
  libtorch-dev libopenblas0-pthread libblas-dev libfftw3-dev libsndfile1-dev libsamplerate0-dev
  libfluidsynth-dev fluid-soundfont-gm librtaudio-dev libsimdjson-dev nlohmann-json3-dev
  # GUI: Qt 6 (Widgets, Test) and QCustomPlot (its Qt6 build ships in the same -dev package)
  qt6-base-dev libqcustomplot-dev libgl-dev
  # tests: GoogleTest, a virtual X server for screenshots, PulseAudio null sink for real audio
  libgtest-dev xvfb xauth pulseaudio
  "$@"
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: missing packages (${missing[*]}) and not root and no sudo: install them first" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
