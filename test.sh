#!/usr/bin/env bash
# Installs what is missing, builds in build/, runs every test (ctest: Catch2 cases and
# the PyTorch reference check).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
stepformer_install
stepformer_build
ctest --test-dir build --output-on-failure -j"$(nproc)"
