#!/usr/bin/env bash
# Installs what is missing, builds in build/, then opens Stepformer on the bundled
# En->Fr model. Without a display it translates the example sentence on the command
# line instead (and says how to see the window). Extra arguments go to stepformer.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
stepformer_install
stepformer_build
bin=build/app/stepformer
if [ $# -gt 0 ]; then exec "$bin" "$@"; fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$bin" --sentence "the little black cat sleeps"
fi
echo "stepformer: no display; translating on the command line instead."
echo "  (the window: run ./run.sh from a desktop session, or: xvfb-run -a $bin export --sentence '...' --step 40 --out view.png)"
"$bin" translate --dump build/example-trace "the little black cat sleeps"
echo "(every intermediate of that translation is in build/example-trace: trace.json and one .npy per tensor)"
