#!/bin/sh
# The gpu backend needs an X display for headless-gl. Without one, run the suite under a virtual one (xvfb-run, from
# the Debian package xvfb). Arguments go to vitest.
set -e
cd "$(dirname "$0")/.."
[ "$1" = "--" ] && shift
if [ -n "$DISPLAY" ]; then
  exec vitest run "$@"
fi
if ! command -v xvfb-run >/dev/null 2>&1; then
  echo "backend-gpu tests: DISPLAY is not set and xvfb-run is missing. Install it (apt-get install xvfb xauth) or set DISPLAY." >&2
  exit 1
fi
exec xvfb-run -a vitest run "$@"
