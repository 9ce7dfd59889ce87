/**
 * Issue 11 on the workers backend: the PyTorch-style training loop without tidy or dispose stays bounded (core's
 * safety net frees the SharedArrayBuffer-backed data of tensors nobody can reach), and inside tidy it stays exactly
 * flat. The scenario is shared with the other backends (@cnn/conformance's safety-net.ts).
 */
import { runSafetyNetTraining } from '@cnn/conformance/vitest';

runSafetyNetTraining('workers');
