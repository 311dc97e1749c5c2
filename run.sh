#!/usr/bin/env bash
# Installs what is missing, builds in build/, then runs Stepformer. Until the window and
# the bundled trained model exist, it translates a sentence on a small random model the
# build makes (the numbers are real, the French is not). Extra arguments go to stepformer.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
stepformer_install
stepformer_build
bin=build/app/stepformer
if [ $# -gt 0 ]; then exec "$bin" "$@"; fi
demo=build/demo-model
[ -f "$demo/model.safetensors" ] ||
  "$bin" make-random "$demo" --preset tiny --seed 1 --corpus resources/texts/demo_corpus.txt --vocab 64
"$bin" inspect "$demo" > build/demo-inspect.txt
head -7 build/demo-inspect.txt
echo "translate --model $demo --dump build/demo-trace 'the little black cat sleeps'"
"$bin" translate --model "$demo" --dump build/demo-trace "the little black cat sleeps"
echo "(every intermediate is in build/demo-trace: trace.json and one .npy per tensor)"
