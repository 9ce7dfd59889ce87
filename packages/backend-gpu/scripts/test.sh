#!/bin/sh
# The gpu backend needs headless-gl (the 'gl' package, built from source) and an X display. With both — DISPLAY set,
# or xvfb-run to make one — the whole suite runs (conformance, memory, info). Under CI a missing piece is a failure.
# On a developer machine without them, only the check that setBackend('gpu') refuses to start, saying what to
# install, can run: that is what runs, and the notice says so. Arguments go to vitest.
set -e
cd "$(dirname "$0")/.."
[ "$1" = "--" ] && shift
gl_builds() { node -e "require('gl')" >/dev/null 2>&1; }
if gl_builds; then
  if [ -n "$DISPLAY" ]; then exec vitest run --exclude test/no-gl.test.ts "$@"; fi
  if command -v xvfb-run >/dev/null 2>&1; then exec xvfb-run -a vitest run --exclude test/no-gl.test.ts "$@"; fi
fi
help="apt-get install libxi-dev libxext-dev libx11-dev libgl1-mesa-dev libglu1-mesa-dev pkg-config xvfb xauth, then pnpm install again (it builds gl)"
if [ -n "$CI" ]; then
  echo "backend-gpu tests: headless-gl cannot run (gl built: $(gl_builds && echo yes || echo no); xvfb-run: $(command -v xvfb-run || echo missing)). CI must provide them: $help" >&2
  exit 1
fi
echo "backend-gpu: headless-gl cannot run on this machine, so the GPU suite (conformance on GL) cannot run here." >&2
echo "backend-gpu: running only the test that setBackend('gpu') rejects with instructions. For the full suite: $help" >&2
CNN_GPU_EXPECT_UNAVAILABLE=1 exec vitest run test/no-gl.test.ts "$@"
