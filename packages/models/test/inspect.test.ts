/** Feature maps by layer name (traced forward), filter / feature-map grids, PNG output. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { CnnError, manualSeed, memory, nn, noGrad, randn, setBackend, tensor, type Tensor } from '@cnn/core';
import { featureMaps, featureMapsToGrid, filtersToGrid, forwardWithFeatureMaps, models, traceForward } from '../src/index.js';
import { encodePng, savePng } from '../src/node.js';

let dir: string;
beforeAll(async () => {
  await setBackend('cpu');
  manualSeed(5);
  dir = mkdtempSync(join(tmpdir(), 'cnn-inspect-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The model's eval-mode output, computed without tracing. */
function withEvalForward(m: nn.Module, x: Tensor): Tensor {
  m.eval();
  try {
    return noGrad(() => m.forward(x));
  } finally {
    m.train();
  }
}

const same = (a: Tensor, b: Tensor): boolean => Buffer.from(a.dataSync().buffer).equals(Buffer.from(b.dataSync().buffer));

describe('featureMaps', () => {
  it("every leaf layer's output by name, in execution order, equal to running the layers by hand", () => {
    const m = models.lenet5();
    const x = randn([2, 1, 28, 28]);
    const before = memory().numTensors;
    const maps = featureMaps(m, x);
    expect([...maps.keys()]).toEqual([
      'features.0', 'features.1', 'features.2', 'features.3', 'features.4', 'features.5', 'flatten',
      'classifier.0', 'classifier.1', 'classifier.2', 'classifier.3', 'classifier.4',
    ]);
    expect(maps.get('features.0')!.shape).toEqual([2, 6, 28, 28]);
    expect(maps.get('features.5')!.shape).toEqual([2, 16, 5, 5]);
    const conv = noGrad(() => m.features.at(0).forward(x));
    expect(same(maps.get('features.0')!, conv)).toBe(true);
    const logits = noGrad(() => m.forward(x));
    expect(same(maps.get('classifier.4')!, logits)).toBe(true);
    conv.dispose();
    logits.dispose();
    expect(memory().numTensors).toBe(before + maps.size); // only the maps themselves are left
    for (const t of maps.values()) t.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('forwardWithFeatureMaps: one pass gives the model output (ResNet: not a leaf output) and the same maps', () => {
    const m = models.resnet18({ numClasses: 10, stem: 'cifar' });
    const x = randn([1, 3, 8, 8]);
    const before = memory().numTensors;
    const { output, maps } = forwardWithFeatureMaps(m, x);
    // The untraced eval forward runs fused convs (batch norm folded), the traced one layer by layer: equal to rounding.
    const logits = withEvalForward(m, x);
    const [o, l] = [output.dataSync(), logits.dataSync()];
    for (let i = 0; i < l.length; i++) expect(Math.abs(o[i] - l[i])).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(l[i]));
    const again = featureMaps(m, x);
    expect([...maps.keys()]).toEqual([...again.keys()]);
    for (const [k, t] of maps) expect(same(t, again.get(k)!), k).toBe(true);
    for (const t of [output, logits, ...maps.values(), ...again.values()]) t.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it("ResNet: custom blocks traced too; the shared relu's second call is 'name#2'; eval mode, flags restored", () => {
    const m = models.resnet18({ numClasses: 10, stem: 'cifar' });
    const maps = featureMaps(m, randn([1, 3, 8, 8]));
    const keys = [...maps.keys()];
    expect(keys.slice(0, 9)).toEqual(['conv1', 'bn1', 'relu', 'layer1.0.conv1', 'layer1.0.bn1', 'layer1.0.relu', 'layer1.0.conv2', 'layer1.0.bn2', 'layer1.0.relu#2']);
    expect(keys).toContain('layer2.0.downsample.1');
    expect(maps.get('layer4.1.relu#2')!.shape).toEqual([1, 512, 1, 1]);
    expect(Math.min(...maps.get('layer1.0.relu#2')!.dataSync())).toBeGreaterThanOrEqual(0);
    expect(m.training).toBe(true);
    expect(Array.from(m.bn1.numBatchesTracked!.dataSync())).toEqual([0]); // eval: no statistics update
    for (const [, x] of m.namedModules()) expect(Object.prototype.hasOwnProperty.call(x, 'forward')).toBe(false);
    for (const t of maps.values()) t.dispose();
  });

  it('an error inside the forward restores the modules, frees the partial maps and propagates', () => {
    const m = models.mnistCnn();
    const before = memory().numTensors;
    expect(() => featureMaps(m, randn([1, 1, 20, 20]))).toThrow(/Linear: input shape \[1, 4096\] must end in 9216 features/);
    expect(memory().numTensors).toBe(before + 1); // the input only
    for (const [, x] of m.namedModules()) expect(Object.prototype.hasOwnProperty.call(x, 'forward')).toBe(false);
  });

  it('traceForward keeps an own forward property that was there before', () => {
    const relu = new nn.ReLU();
    const custom = (x: Tensor): Tensor => x.relu();
    Object.defineProperty(relu, 'forward', { value: custom, configurable: true, writable: true });
    const seen: string[] = [];
    traceForward(relu, () => relu.forward(tensor([-1, 2])), { leaf: (c) => seen.push(`${c.name}:${c.output.shape}`) });
    expect(seen).toEqual([':2']);
    expect(relu.forward).toBe(custom);
  });
});

describe('grids', () => {
  it('filtersToGrid: RGB tiles for 3-channel filters, each normalised to its own 0-255 range, padding between', async () => {
    // Two 2×2 filters over 3 channels.
    const w = tensor(Float32Array.from({ length: 24 }, (_, i) => i), [2, 3, 2, 2]);
    const img = await filtersToGrid(w, { padding: 1, background: [9, 9, 9, 255] });
    expect([img.width, img.height]).toEqual([2 * 2 + 3, 2 + 2]); // 2 columns (⌈√2⌉), 1 row
    expect(img.rgba).toBe(img.data);
    const px = (x: number, y: number) => Array.from(img.rgba.slice((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));
    expect(px(0, 0)).toEqual([9, 9, 9, 255]);
    // Filter 0: values 0..11, R plane 0..3, G 4..7, B 8..11; pixel (0,0) = (0, 4, 8) → (0, 93, 185)
    expect(px(1, 1)).toEqual([0, Math.round(4 * 255 / 11), Math.round(8 * 255 / 11), 255]);
    expect(px(2, 2)).toEqual([Math.round(3 * 255 / 11), Math.round(7 * 255 / 11), 255, 255]);
    // Filter 1 has its own range (12..23): the same picture.
    expect(px(4, 1)).toEqual(px(1, 1));
  });

  it("filtersToGrid modes 'mean' and 'all', scale, columns; bad input", async () => {
    const conv = new nn.Conv2d({ inChannels: 4, outChannels: 6, kernelSize: 3 });
    const mean = await filtersToGrid(conv.weight, { scale: 2, padding: 0 });
    expect([mean.width, mean.height]).toEqual([3 * 6, 2 * 6]); // ⌈√6⌉ = 3 columns, 2 rows of 6×6
    const all = await filtersToGrid(conv.weight, { mode: 'all', padding: 2 });
    expect([all.width, all.height]).toEqual([4 * 3 + 5 * 2, 6 * 3 + 7 * 2]); // one row per filter, one column per channel
    await expect(filtersToGrid(conv.weight, { mode: 'rgb' })).rejects.toThrow(/mode 'rgb' needs 3 input channels, the weight has 4/);
    await expect(filtersToGrid(tensor([1, 2]))).rejects.toThrow(/weight must be 4-D/);
    await expect(filtersToGrid(conv.weight, { scale: 0 })).rejects.toThrow(/scale must be an integer ≥ 1/);
  });

  it('featureMapsToGrid: [C, H, W] or [1, C, H, W] → C grey tiles; a constant map is black', async () => {
    const maps = tensor(Float32Array.from([0, 1, 2, 3, 5, 5, 5, 5, -1, 0, 0, 1]), [1, 3, 2, 2]);
    const img = await featureMapsToGrid(maps, { padding: 0, columns: 3 });
    expect([img.width, img.height]).toEqual([6, 2]);
    const row0 = Array.from({ length: 6 }, (_, x) => img.rgba[x * 4]);
    expect(row0).toEqual([0, 85, 0, 0, 0, 128]);
    const again = await featureMapsToGrid(maps.reshape([3, 2, 2]), { padding: 0, columns: 3 });
    expect(again.rgba).toEqual(img.rgba);
    await expect(featureMapsToGrid(randn([2, 3, 2, 2]))).rejects.toThrow(/one sample/);
  });

  it('savePng writes a real PNG with the same pixels', async () => {
    const m = models.resnet18({ numClasses: 10 });
    const img = await filtersToGrid(m.conv1.weight, { scale: 2 });
    expect([img.width, img.height]).toEqual([8 * 14 + 9, 8 * 14 + 9]);
    const path = join(dir, 'out', 'filters.png');
    await savePng(path, img);
    const png = PNG.sync.read(readFileSync(path));
    expect([png.width, png.height]).toEqual([img.width, img.height]);
    expect(Buffer.from(png.data).equals(Buffer.from(img.rgba))).toBe(true);
    expect(encodePng(img).slice(0, 8)).toEqual(new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]));
    expect(() => encodePng({ width: 2, height: 2, data: new Uint8Array(3) })).toThrow(CnnError);
  });
});
