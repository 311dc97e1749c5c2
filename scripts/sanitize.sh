#!/usr/bin/env bash
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer (gcc or clang):
# configures build-asan (RelWithDebInfo, -march=native), builds it, runs ctest. Any
# out-of-bounds access, use after free, leak or undefined behaviour fails its test.
#
#   scripts/sanitize.sh [extra ctest arguments, e.g. -R safetensors]
#
# Leak reports from Qt's own plugins and the libraries under them are suppressed by
# tests/lsan.supp (scoped to those libraries only; never to our code).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
stepformer_install

build=build-asan
if [ ! -f "$build/CMakeCache.txt" ]; then
  gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  cmake -S . -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTEPFORMER_NATIVE=ON \
    -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
fi
cmake --build "$build" -j"$(nproc)"

export ASAN_OPTIONS=detect_leaks=1
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export QT_QPA_PLATFORM=offscreen
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 1800 "$@"
