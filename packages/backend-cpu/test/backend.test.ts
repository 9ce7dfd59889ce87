import { describe, expect, it } from 'vitest';
import { getBackend, setBackend, listBackends } from '@cnn/core';
import { CpuBackend } from '../src/index.js';

describe('CpuBackend memory', () => {
  it('tracks live data ids and bytes; read and readSync return copies', async () => {
    const be = new CpuBackend();
    const src = Float32Array.from([1, 2, 3]);
    const a = be.write(src, 'float32');
    src[0] = 99; // the backend must not keep a reference
    const b = be.write(Int32Array.from([4, 5]), 'int32');
    expect(be.memory()).toMatchObject({ numDataIds: 2, numBytes: 20 });
    const r = be.readSync(a);
    expect(Array.from(r)).toEqual([1, 2, 3]);
    r[1] = 42;
    expect(Array.from(await be.read(a))).toEqual([1, 2, 3]);
    expect(be.readSync(b)).toBeInstanceOf(Int32Array);
    be.disposeData(a);
    expect(be.memory()).toMatchObject({ numDataIds: 1, numBytes: 8 });
    expect(() => be.readSync(a)).toThrow(/disposeData/);
    const y = be.unary('neg', { dataId: b, shape: [2], dtype: 'int32' }, []);
    expect(Array.from(be.readSync(y))).toEqual([-4, -5]);
    expect(be.memory().numDataIds).toBe(2);
  });

  it('write converts to the requested dtype', () => {
    const be = new CpuBackend();
    const id = be.write(Float32Array.from([1, 2]), 'int32');
    expect(be.readSync(id)).toBeInstanceOf(Int32Array);
  });

  it('registers itself as "cpu" on import', async () => {
    expect(listBackends()).toContain('cpu');
    const be = await setBackend('cpu');
    expect(be).toBeInstanceOf(CpuBackend);
    expect(getBackend()).toBe(be);
    expect(be.info()).toMatchObject({ name: 'cpu', threads: 1 });
  });
});
