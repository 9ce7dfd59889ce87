/**
 * The bench page's query-string parsing and the layout helpers its agreement check relies on (tools/bench's
 * browser-safe module): pure functions, tested in Node. The page itself runs through `pnpm bench --browser`.
 */
import { describe, expect, it } from 'vitest';
import { formatOptions, parseOptions } from '../src/bench/options.js';
import { defaultCounts } from '../src/bench/defaults.js';
import { maxAbsDiff, nchwToNhwc, nhwcToNchw, oihwToHwio } from '../../../tools/bench/src/browser.js';

describe('bench page options', () => {
  it('defaults to every engine and the two quick workloads with per-engine run counts', () => {
    const o = parseOptions('');
    expect(o.backends).toEqual(['cpu', 'workers', 'gpu', 'tfjs-webgl', 'tfjs-wasm', 'ort-web']);
    expect(o.backendsGiven).toBe(false);
    expect(o.workloads).toEqual(['w1-fwd', 'mnist-step']);
    expect(o.runs).toBeNull();
    expect(defaultCounts('mobilenet-infer', 'ort-web')).toEqual({ runs: 7, warmup: 2 });
    expect(defaultCounts('resnet18-infer', 'cpu').runs).toBeLessThan(7);
    expect(defaultCounts('w1-fwd', 'workers')).toEqual({ runs: 7, warmup: 2 });
    expect(defaultCounts('mnist-step', 'cpu').runs).toBeLessThan(7);
  });

  it('reads backends, workloads, runs and warm-up, in canonical order', () => {
    const o = parseOptions('?backends=workers,cpu&workloads=w1-fwd&runs=5&warmup=0');
    expect(o).toEqual({
      backends: ['cpu', 'workers'], backendsGiven: true, workloads: ['w1-fwd'], runs: 5, warmup: 0,
      workersThreads: null, relaxedSimd: null, profile: false,
    });
    expect(parseOptions(`?${formatOptions(o)}`)).toEqual(o);
    expect(formatOptions(o)).toBe('backends=cpu,workers&workloads=w1-fwd&runs=5&warmup=0');
  });

  it('runs the model workloads and ort-web when named; engines left to the default stay unnamed', () => {
    const o = parseOptions('?workloads=mobilenet-infer,resnet18-infer');
    expect(o.workloads).toEqual(['resnet18-infer', 'mobilenet-infer']);
    expect(o.backendsGiven).toBe(false);
    expect(formatOptions(o)).toBe('workloads=resnet18-infer,mobilenet-infer');
    expect(parseOptions('?backends=ort-web,workers').backends).toEqual(['workers', 'ort-web']);
    expect(() => parseOptions('?workloads=resnet18-train')).toThrow(/'workloads' has unknown value 'resnet18-train'/);
  });

  it('reads the diagnostics', () => {
    const o = parseOptions('?workloads=w1-fwd&workersThreads=1&relaxedSimd=0&profile=1');
    expect([o.workersThreads, o.relaxedSimd, o.profile]).toEqual([1, false, true]);
    expect(parseOptions(`?${formatOptions(o)}`)).toEqual(o);
    expect(() => parseOptions('?relaxedSimd=2')).toThrow(/'relaxedSimd' must be an integer from 0 to 1/);
  });

  it('rejects unknown names and bad counts, naming the parameter and the value', () => {
    expect(() => parseOptions('?backends=cpu,cuda')).toThrow(/'backends' has unknown value 'cuda'; allowed: cpu, workers/);
    expect(() => parseOptions('?workloads=')).toThrow(/'workloads' is empty/);
    expect(() => parseOptions('?runs=0')).toThrow(/'runs' must be an integer from 1 to 1000, got '0'/);
    expect(() => parseOptions('?warmup=1.5')).toThrow(/'warmup' must be an integer/);
    expect(() => parseOptions('?repeat=3')).toThrow(/unknown query parameter 'repeat'/);
  });
});

describe('bench layout helpers', () => {
  it('NCHW → NHWC → NCHW is the identity and moves elements where TensorFlow expects them', () => {
    const shape = [2, 3, 4, 5] as const;
    const x = Float32Array.from({ length: 120 }, (_, i) => i);
    const nhwc = nchwToNhwc(x, shape);
    // element (n=1, c=2, h=3, w=4) sits at NHWC index ((1·4 + 3)·5 + 4)·3 + 2
    expect(nhwc[((1 * 4 + 3) * 5 + 4) * 3 + 2]).toBe(x[((1 * 3 + 2) * 4 + 3) * 5 + 4]);
    expect(nhwcToNchw(nhwc, [2, 4, 5, 3])).toEqual(x);
    // OIHW (o=1, i=2, h=0, w=1) → HWIO index ((0·5 + 1)·3 + 2)·2 + 1
    const hwio = oihwToHwio(x, shape);
    expect(hwio[((0 * 5 + 1) * 3 + 2) * 2 + 1]).toBe(x[((1 * 3 + 2) * 4 + 0) * 5 + 1]);
  });

  it('maxAbsDiff treats NaN and length mismatches as infinitely wrong', () => {
    expect(maxAbsDiff([1, 2, 3], [1, 2.5, 2])).toBe(1);
    expect(maxAbsDiff([1, NaN], [1, 2])).toBe(Infinity);
    expect(maxAbsDiff([1], [1, 2])).toBe(Infinity);
  });
});
