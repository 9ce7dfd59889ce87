// PyTorch's answers on NaN, ±inf, ±0, ties and empty tensors (the contract's "Special values") on the GPU: the GLSL
// translation of core's elementwise table and the reduce / pool shaders must keep NaN where PyTorch keeps it.
// Needs a display: run through `pnpm test` (scripts/test.sh adds xvfb-run).
import { runSpecialValues } from '@cnn/conformance/vitest';

runSpecialValues('gpu');
