#!/bin/sh
# The imported-model comparisons run on cpu and workers everywhere, and on gpu too where headless-gl can run: with a
# display (DISPLAY set, or xvfb-run to make one). Under CI the gpu run is required, as in backend-gpu. Arguments go to
# vitest.
set -e
cd "$(dirname "$0")/.."
[ "$1" = "--" ] && shift
# gl is backend-gpu's dependency, so it is resolved from there.
gl_builds() { node -e "require(require.resolve('gl', { paths: ['node_modules/@cnn/backend-gpu'] }))" >/dev/null 2>&1; }
if [ -z "$CNN_ONNX_BACKENDS" ] && gl_builds; then
  if [ -n "$DISPLAY" ]; then CNN_ONNX_BACKENDS=cpu,workers,gpu exec vitest run "$@"; fi
  if command -v xvfb-run >/dev/null 2>&1; then CNN_ONNX_BACKENDS=cpu,workers,gpu exec xvfb-run -a vitest run "$@"; fi
fi
if [ -z "$CNN_ONNX_BACKENDS" ] && [ -n "$CI" ]; then
  echo "@cnn/onnx tests: headless-gl cannot run here (gl built: $(gl_builds && echo yes || echo no); xvfb-run: $(command -v xvfb-run || echo missing)); CI must run the gpu comparisons" >&2
  exit 1
fi
exec vitest run "$@"
