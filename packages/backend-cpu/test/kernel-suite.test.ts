// Every contract kernel on the conformance package's random geometries (odd sizes, broadcasting, every reduce op and
// gather mapping, ties, NaN/±inf, empty and large tensors), against the kernels' definitions in float64: this is what
// checks cpu's fast paths (Winograd, packed GEMM, im2col), since cpu is the reference of every other backend.
import { runKernelConformance } from '@cnn/conformance/vitest';

runKernelConformance('cpu');
