// Every contract kernel against backend-cpu on the conformance package's random geometries, including the shapes
// that take the tiled paths (channel counts and widths multiple of 4, long reductions). Needs a display: run through
// `pnpm test` (scripts/test.sh adds xvfb-run). Each new geometry compiles shaders, so this is the slowest suite here.
import { runKernelConformance } from '@cnn/conformance/vitest';

runKernelConformance('gpu');
