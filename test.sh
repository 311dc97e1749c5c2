#!/usr/bin/env bash
# Installs what is missing, builds in build/, runs every test (ctest: Catch2 cases and
# the PyTorch reference check), then a short fuzzing pass over the checkpoint readers
# (scripts/fuzz.sh: clang, libFuzzer, ASan + UBSan; skipped where clang is missing).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
stepformer_install
stepformer_build
ctest --test-dir build --output-on-failure -j"$(nproc)"
if command -v clang++ >/dev/null && dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "ok installed"; then
  scripts/fuzz.sh 15
else
  echo "test.sh: clang++ or libclang-rt-14-dev missing; skipping the fuzz pass (scripts/fuzz.sh)"
fi
