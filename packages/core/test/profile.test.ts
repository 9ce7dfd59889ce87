import { describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import {
  byKernel, byLayer, F, formatProfile, getBackend, kernelTimer, manualSeed, nn, noGrad, optim, profile, profileScope, randn, randint, setBackend,
  Tensor, tidy,
} from '../src/index.js';

await setBackend('cpu');

function net(): nn.Sequential {
  manualSeed(3);
  return new nn.Sequential(
    new nn.Conv2d({ inChannels: 2, outChannels: 4, kernelSize: 3, padding: 1 }),
    new nn.ReLU(),
    new nn.Flatten({ startDim: 1 }),
    new nn.Linear({ inFeatures: 4 * 5 * 5, outFeatures: 3 }),
  );
}

/** Own properties the profiler may add, to check that none is left behind. */
const ownForward = (m: nn.Module) => m.namedModules().filter(([, c]) => Object.prototype.hasOwnProperty.call(c, 'forward')).length;
const ownKernels = () => Object.getOwnPropertyNames(getBackend()).filter((k) => typeof (getBackend() as unknown as Record<string, unknown>)[k] === 'function');

describe('profile', () => {
  it('records kernels per layer in inference, and restores the backend and modules', async () => {
    const model = net().eval();
    const x = randn([2, 2, 5, 5]);
    const kernelsBefore = ownKernels();
    const p = await profile(async () => {
      const y = noGrad(() => model.forward(x));
      const v = await y.data();
      y.dispose();
      return v.length;
    }, { model });
    expect(p.value).toBe(6);
    expect(p.backend).toBe('cpu');
    const kernels = byKernel(p.records).map((k) => k.kernel);
    expect(kernels).toContain('matmul');
    expect(kernels.some((k) => k === 'conv2d' || k === 'fusedConv2d')).toBe(true);
    // In eval mode the Sequential fuses conv + ReLU (the profiler's wrappers only observe), so the conv is its own.
    const layers = byLayer(p.records).map((l) => l.layer);
    expect(layers).toEqual(expect.arrayContaining(['(Sequential)', '3']));
    expect(p.records.find((r) => r.kernel.toLowerCase().includes('conv'))?.detail).toBe('3×3');
    expect(byKernel(p.records, { detail: true }).map((k) => k.detail)).toContain('3×3');
    expect(p.records.every((r) => r.phase === 'forward' && r.ms >= 0 && r.count >= 0)).toBe(true);
    expect(p.records.find((r) => r.layer === '3' && r.kernel === 'matmul')?.count).toBe(1);
    expect(p.kernelMs).toBeGreaterThan(0);
    expect(p.memory.peakBytes).toBeGreaterThan(p.memory.startBytes);
    expect(p.memory.endBytes).toBe(p.memory.startBytes);
    expect(formatProfile(p)).toMatch(/op type[\s\S]*layer[\s\S]*peak backend memory/);
    // Everything put back: no own properties on the backend or the modules, no profiler visible to backends.
    expect(ownKernels()).toEqual(kernelsBefore);
    expect(ownForward(model)).toBe(0);
    expect(kernelTimer()).toBeNull();
    x.dispose();
    model.dispose();
  });

  it('attributes backward kernels to the layer whose forward recorded them, and scopes the rest', async () => {
    const model = net().train();
    const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const x = randn([2, 2, 5, 5]);
    const target = randint(0, 3, [2]);
    const backwardBefore = Object.getOwnPropertyDescriptor(Tensor.prototype, 'backward');
    const p = await profile(async () => {
      const loss = tidy(() => {
        opt.zeroGrad();
        const l = profileScope('loss', () => F.crossEntropy(model.forward(x), target));
        l.backward();
        profileScope('optimizer', () => opt.step());
        return l;
      });
      await loss.data();
      loss.dispose();
    }, { model });
    // Training mode: no fusion, every layer runs its own forward.
    expect(p.records.filter((r) => r.phase === 'forward').map((r) => r.layer)).toEqual(expect.arrayContaining(['0', '1', '3']));
    const bwd = p.records.filter((r) => r.phase === 'backward');
    expect(bwd.find((r) => r.layer === '0' && r.kernel === 'conv2dBackwardFilter')).toBeDefined();
    expect(bwd.find((r) => r.layer === '3' && r.kernel === 'matmul')).toBeDefined();
    const layers = byLayer(p.records).map((l) => l.layer);
    expect(layers).toEqual(expect.arrayContaining(['loss', 'optimizer']));
    expect(byLayer(p.records).find((l) => l.layer === '0')!.backwardMs).toBeGreaterThan(0);
    expect(Object.getOwnPropertyDescriptor(Tensor.prototype, 'backward')).toEqual(backwardBefore);
    expect(ownForward(model)).toBe(0);
    opt.dispose();
    model.dispose();
    x.dispose();
    target.dispose();
  });

  it('restores everything when fn throws, and when a backend method throws', async () => {
    const model = net().eval();
    const kernelsBefore = ownKernels();
    await expect(profile(() => { throw new Error('boom'); }, { model })).rejects.toThrow('boom');
    expect(ownKernels()).toEqual(kernelsBefore);
    expect(ownForward(model)).toBe(0);

    // A kernel that throws inside a profiled run: the error reaches the caller and the wrappers are gone.
    const be = getBackend() as unknown as Record<string, unknown>;
    be.matmul = () => {
      throw new Error('matmul exploded');
    };
    try {
      const x = randn([2, 2, 5, 5]);
      await expect(profile(() => noGrad(() => model.forward(x)), { model })).rejects.toThrow('matmul exploded');
      // The instance-level stub is what was there before profiling, so it is what is there after.
      expect(Object.getOwnPropertyNames(getBackend())).toContain('matmul');
      expect(ownForward(model)).toBe(0);
      expect(kernelTimer()).toBeNull();
      x.dispose();
    } finally {
      delete be.matmul;
    }
    expect(ownKernels()).toEqual(kernelsBefore);
    // Profiling works again afterwards (no profile left marked as running).
    const p = await profile(() => 1);
    expect(p.value).toBe(1);
    model.dispose();
  });

  it('lets an asynchronous backend report time through kernelTimer', async () => {
    const p = await profile(async () => {
      const timer = kernelTimer();
      expect(timer).not.toBeNull();
      const exec = timer!.time('conv2d', () => new Promise<void>((r) => setTimeout(r, 5)));
      await exec();
    });
    expect(p.records).toEqual([{ kernel: 'conv2d', detail: '', layer: '', phase: 'forward', ms: expect.any(Number), count: 1 }]);
    expect(p.records[0].ms).toBeGreaterThan(3);
  });

  it('refuses to nest', async () => {
    await expect(profile(() => profile(() => 1))).rejects.toThrow(/already running/);
  });
});
