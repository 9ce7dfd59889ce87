// The contract in executable form: every PyTorch fixture case (outputs, gradients, leak check) and numerical
// gradient checks, on this backend.
import { runConformance } from '@cnn/conformance/vitest';

runConformance('cpu');
