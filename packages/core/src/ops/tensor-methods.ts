// The ops that Tensor methods and autograd call, gathered in one module to keep import cycles shallow.
export { add, sub, mul, div, pow, neg, exp, log, sqrt, abs, square } from './elementwise.js';
export { relu, sigmoid, tanh } from './activation.js';
export { sum, mean, max, min, argmax, argmin } from './reduce.js';
export { reshape, flatten, transpose, permute, squeeze, unsqueeze, detach, clone, cast } from './shape.js';
export { matmul } from './linalg.js';
export { onesLike } from './create.js';
