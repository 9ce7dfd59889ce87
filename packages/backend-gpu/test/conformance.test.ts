// The contract in executable form on the GPU: every PyTorch fixture case (outputs, gradients, leak check) and
// central-difference gradient checks. Needs a display: run through `pnpm test` (scripts/test.sh adds xvfb-run).
import { runConformance } from '@cnn/conformance/vitest';

runConformance('gpu');
