/**
 * Issue 11 on the gpu backend: the PyTorch-style training loop without tidy or dispose stays bounded (core's safety
 * net frees the textures of tensors nobody can reach), and inside tidy it stays exactly flat; textures are counted
 * with the tensors and data ids. The scenario is shared with the other backends (@cnn/conformance's safety-net.ts).
 */
import { runSafetyNetTraining } from '@cnn/conformance/vitest';

runSafetyNetTraining('gpu', { extraCounters: ['numTextures'] });
