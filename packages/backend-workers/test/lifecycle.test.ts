// Worker faults surface as rejected reads naming the kernel and the cause; the pool replaces dead workers and the
// next op works; disposing terminates the pool; an idle pool never keeps Node alive.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeBackend, findBackend, resolveConv2d, resolvePool2d, setBackend } from '@cnn/core';
import { configureWorkers, createWorkersBackend, type WorkersBackend } from '../src/index.js';
import { cpu, maxRelErr, put, readBack } from './helpers.js';

const { geo } = resolveConv2d('test', [2, 8, 10, 10], [8, 8, 3, 3], null, { padding: 1 });

describe('faults', () => {
  let be: WorkersBackend;
  beforeAll(async () => {
    // A small worker heap so the out-of-memory fault dies quickly.
    be = await createWorkersBackend({ threads: 2, inlineBelow: 0, resourceLimits: { maxOldGenerationSizeMb: 48 } });
  });
  afterAll(() => be.dispose());

  const expected = cpu.readSync(cpu.conv2d(put(cpu, [2, 8, 10, 10], 1), put(cpu, [8, 8, 3, 3], 2), null, geo));
  const conv = () => be.conv2d(put(be, [2, 8, 10, 10], 1), put(be, [8, 8, 3, 3], 2), null, geo);

  const what = { throw: 'throws', exit: 'exits', oom: 'runs out of memory', uncaught: 'dies of an uncaught error' } as const;
  for (const [kind, cause] of [
    ['throw', /injected fault/],
    ['exit', /worker \d died while running it \(exited with code 7\)\. The pool has replaced the worker/],
    ['oom', /worker \d died while running it \(out of memory/],
    ['uncaught', /worker \d died while running it \(uncaught error: injected uncaught error\)/],
  ] as const) {
    it(`a worker that ${what[kind]} rejects data() and the next op works`, async () => {
      be.injectFaultForTesting(kind);
      const bad = conv();
      // A task that consumes the failed output fails too, naming the original cause.
      const after = be.unary('relu', { dataId: bad, shape: [2, 8, 10, 10], dtype: 'float32' }, []);
      await expect(be.read(bad)).rejects.toThrow(/kernel 'conv2d' failed/);
      await expect(be.read(bad)).rejects.toThrow(cause);
      await expect(be.read(after)).rejects.toThrow(/kernel 'unary' failed: an input failed earlier/);
      for (let i = 0; i < 2; i++) expect(maxRelErr(await readBack(be, conv()), expected)).toBeLessThan(1e-5);
    });
  }

  it('a worker terminated from outside mid-kernel rejects data() (no hang) and the next op works', async () => {
    // Its first worker never finishes its part; then that thread is killed.
    be.injectFaultForTesting('hang');
    const bad = conv();
    await new Promise((resolve) => setTimeout(resolve, 50));
    be.killWorkerForTesting(0);
    await expect(be.read(bad)).rejects.toThrow(/kernel 'conv2d' failed: worker 0 died while running it \(exited with code 1\)/);
    expect(maxRelErr(await readBack(be, conv()), expected)).toBeLessThan(1e-5);
  });

  it('a long chain of tasks after a failure names the first failure once, not nested', async () => {
    be.injectFaultForTesting('exit');
    let id = conv();
    for (let i = 0; i < 50; i++) id = be.unary('neg', { dataId: id, shape: [2, 8, 10, 10], dtype: 'float32' }, []);
    const err: Error = await be.read(id).then(() => new Error('resolved'), (e: Error) => e);
    expect(err.message).toMatch(/^workers backend: kernel 'unary' failed: an input failed earlier \(workers backend: kernel 'conv2d' failed: worker \d died while running it \(exited with code 7\)/);
    expect(err.message.match(/an input failed earlier/g)).toHaveLength(1);
  });

  it('a fault aimed at one kernel skips the others', async () => {
    be.injectFaultForTesting('throw', 'pool2d');
    expect(maxRelErr(await readBack(be, conv()), expected)).toBeLessThan(1e-5);
    const pooled = be.pool2d({ dataId: conv(), shape: [2, 8, 10, 10], dtype: 'float32' }, resolvePool2d('test', [2, 8, 10, 10], 'max', { kernelSize: 2 }));
    await expect(be.read(pooled)).rejects.toThrow(/kernel 'pool2d' failed: injected fault/);
  });

  it('a kernel error thrown on the calling thread (inline) rejects data() too', async () => {
    const x = { dataId: be.write(new Float32Array(4), 'float32'), shape: [1, 2, 2], dtype: 'float32' as const };
    const broken = { outer: 1, inH: 2, inW: 2, outH: 2, outW: 2, rows: null, cols: null } as unknown as Parameters<WorkersBackend['gather']>[1];
    const bad = be.gather(x, broken, 0);
    await expect(be.read(bad)).rejects.toThrow(/kernel 'gather' failed: .*null/);
  });
});

describe('lifecycle', () => {
  it('orders work, defers frees of queued inputs and counts memory', async () => {
    const b = await createWorkersBackend({ threads: 2, inlineBelow: 0 });
    const x = put(b, [2, 8, 10, 10], 1);
    const w = put(b, [8, 8, 3, 3], 2);
    const y = b.conv2d(x, w, null, geo);
    const z = b.unary('neg', { dataId: y, shape: [2, 8, 10, 10], dtype: 'float32' }, []);
    b.disposeData(x.dataId);
    b.disposeData(y);
    expect(b.memory().numDataIds).toBe(2);
    const got = await readBack(b, z);
    expect(maxRelErr(got, expected.map((v) => -v))).toBeLessThan(1e-5);
    expect(b.info()).toMatchObject({ threads: 2 });
    b.dispose();
  });

  const expected = cpu.readSync(cpu.conv2d(put(cpu, [2, 8, 10, 10], 1), put(cpu, [8, 8, 3, 3], 2), null, geo));

  it('disposeBackend terminates the workers and fails work still queued', async () => {
    configureWorkers({ threads: 2, inlineBelow: 0 });
    const b = await setBackend('workers');
    const y = b.conv2d(put(b, [2, 8, 10, 10], 1), put(b, [8, 8, 3, 3], 2), null, geo);
    const pending = b.read(y);
    await disposeBackend('workers');
    expect(findBackend('workers')).toBeNull();
    await expect(pending).rejects.toThrow(/disposed/);
  });

  const here = dirname(fileURLToPath(import.meta.url));
  for (const mode of ['dispose', 'idle']) {
    it(`Node exits by itself (${mode})`, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', join(here, 'fixtures/exit-child.ts'), mode], {
        cwd: join(here, '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve(null);
        }, 30_000);
        child.on('exit', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      expect(code, out).toBe(0);
      expect(out).toContain('done');
    });
  }
});
