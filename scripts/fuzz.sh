#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) in build-fuzz with clang, ASan and UBSan, the
# core libraries instrumented too, then runs each target for SECONDS (default 20) on a
# scratch copy of its seed corpus. Exits non-zero on any crash, leak, timeout, oversized
# allocation or UB report, printing the reproducer's path.
#
#   scripts/fuzz.sh [SECONDS] [safetensors|config|model|tokenizer|session|lesson ...]
#
# The scratch corpora (build-fuzz/corpus/<target>) persist, so later runs start from what
# earlier ones found; the committed seeds in tests/fuzz/corpus/ are never modified.
# Reproduce a finding with: build-fuzz/tests/fuzz/fuzz_<target> <reproducer file>
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(safetensors config model tokenizer session lesson)
case "$seconds" in '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2; exit 2 ;; esac

if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ not found (apt-get install clang libclang-rt-14-dev libomp-dev)" >&2
  exit 1
fi

build=build-fuzz
if [ ! -f "$build/CMakeCache.txt" ]; then
  gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  CC=clang CXX=clang++ cmake -S . -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSTEPFORMER_FUZZ=ON -DSTEPFORMER_BUILD_GUI=OFF -DSTEPFORMER_BUILD_TESTS=OFF \
    -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined -fno-omit-frame-pointer -Wno-unknown-warning-option"
fi
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

max_len() {
  case "$1" in model) echo 65536 ;; tokenizer) echo 262144 ;; *) echo 16384 ;; esac
}

# run TARGET ARGS...: one fuzzer process, single-threaded, every sanitizer report fatal.
run() {
  local t=$1
  shift
  SF_THREADS=1 \
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/tests/fuzz/fuzz_$t" -max_len="$(max_len "$t")" "$@"
}

# Copies seed files into a scratch corpus, keeping what an earlier run already has there.
seed() {
  local dest=$1 f
  shift
  for f in "$@"; do
    [ -e "$dest/$(basename "$f")" ] || cp "$f" "$dest/"
  done
}

status=0
passed=0
failed=0
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t
  artifacts=$build/artifacts/$t
  log=$build/fuzz_$t.log
  mkdir -p "$corpus" "$artifacts"
  seed "$corpus" tests/fuzz/corpus/"$t"/*
  if [ "$t" = safetensors ]; then seed "$corpus" tests/fixtures/safetensors/*.safetensors; fi
  dict=$build/$t.dict
  case "$t" in
    model) cat tests/fuzz/config.dict tests/fuzz/safetensors.dict >"$dict" ;;
    *) cp tests/fuzz/"$t".dict "$dict" ;;
  esac
  # libFuzzer adds a file for every smaller input it finds; compact a grown corpus.
  if [ "$(ls "$corpus" | wc -l)" -gt 2000 ]; then
    rm -rf "$corpus.merged" && mkdir "$corpus.merged"
    if run "$t" -merge=1 "$corpus.merged" "$corpus" >"$build/merge_$t.log" 2>&1; then
      rm -rf "$corpus" && mv "$corpus.merged" "$corpus"
    else
      rm -rf "$corpus.merged"
    fi
  fi
  before=$(ls "$artifacts" | wc -l)
  rc=0
  run "$t" "$corpus" -dict="$dict" -rss_limit_mb=2048 -timeout=10 -max_total_time="$seconds" \
    -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*' "$log" | tail -1)
  after=$(ls "$artifacts" | wc -l)
  if [ "$rc" -ne 0 ] || [ "$after" -ne "$before" ] || grep -q 'runtime error:' "$log"; then
    status=1
    failed=$((failed + 1))
    echo "fuzz_$t: FAILED (exit $rc) after ${runs:-?} runs; log: $log"
    grep -m1 -A10 -E 'ERROR: |runtime error:' "$log" | sed 's/^/  /'
    grep -m1 'SUMMARY: ' "$log" | sed 's/^/  /'
    for f in $(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log"); do
      echo "  reproducer: $f   (rerun: $build/tests/fuzz/fuzz_$t $f)"
    done
  else
    echo "fuzz_$t: ok, ${runs:-?} runs in ${seconds}s (${speed:-?} exec/s), ${cov:-cov ?}"
    passed=$((passed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
exit "$status"
