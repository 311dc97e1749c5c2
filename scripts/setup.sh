#!/usr/bin/env bash
# Shared by run.sh and test.sh: install the missing Debian 12 packages, then configure
# and build in build/. Idempotent: a second run installs nothing and rebuilds only what
# changed. Sourced, not executed.

STEPFORMER_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-svg-dev qt6-tools-dev libqcustomplot-dev libqcustomplot2.1-qt6
  libeigen3-dev libsentencepiece-dev sentencepiece nlohmann-json3-dev catch2
  libgif-dev   # animated GIF export
  poppler-utils   # pdftoppm / pdftotext: the worksheet test reads its PDF back
  xvfb xauth
  qt6-l10n-tools qt6-translations-l10n fonts-noto-cjk   # lupdate/lrelease, Qt's own zh_CN, CJK glyphs
  python3-numpy python3-torch   # the independent PyTorch reference test
  clang libclang-rt-14-dev   # libFuzzer targets (scripts/fuzz.sh)
)

stepformer_install() {
  local missing=()
  for p in "${STEPFORMER_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "stepformer: installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

stepformer_build() {
  local gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  if [ ! -f build/CMakeCache.txt ]; then
    cmake -S . -B build "${gen[@]}" -DCMAKE_BUILD_TYPE=Release
  fi
  cmake --build build -j"$(nproc)"
}
