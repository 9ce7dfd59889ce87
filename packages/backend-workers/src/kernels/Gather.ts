/** 2-D index-map gather (pad, slice, crop): a copy, run inline. */
export { gather } from '../cpu-light-kernels.js';
