import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { getBackend, getBackendName, listBackends, setBackend, tensor, disposeBackend } from '@cnn/core';
import '../src/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const tsx = resolve(root, 'node_modules/.bin/tsx');

/** Runs a snippet in a child node process (tsx, source conditions) with the given environment. */
function child(code: string, env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(tsx, ['--conditions=source', '-e', code], { cwd: resolve(root, 'packages/backend-gpu'), env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('gpu backend registration and info', () => {
  it("registers 'gpu' with priority 0: cpu (when imported) stays the default", () => {
    expect(listBackends()).toContain('gpu');
    const r = child(
      "import '@cnn/backend-cpu'; import '@cnn/backend-gpu'; import { listBackends, getBackendName } from '@cnn/core'; console.log(JSON.stringify([listBackends(), getBackendName()]));",
      process.env,
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.trim())).toEqual([['cpu', 'gpu'], 'cpu']);
  });

  it('info() names the gpu.js mode and the GL renderer; reads are asynchronous only', async () => {
    const be = await setBackend('gpu');
    expect(getBackendName()).toBe('gpu');
    const info = be.info();
    expect(info.mode).toBe('headlessgl');
    expect(typeof info.renderer).toBe('string');
    expect(String(info.renderer).length).toBeGreaterThan(0);
    expect(info.glVersion).toMatch(/WebGL/);
    expect(be.readSync).toBeUndefined();
    const t = tensor([1, 2, 3]).mul(tensor(2));
    expect(() => t.dataSync()).toThrow(/asynchronously/);
    expect(Array.from(await t.data())).toEqual([2, 4, 6]);
    t.dispose();
    expect(getBackend()).toBe(be);
    await disposeBackend('gpu');
  });

  it('without a display, setBackend("gpu") rejects and says what to run and install (no silent fallback)', () => {
    const env = { ...process.env };
    delete env.DISPLAY;
    delete env.XAUTHORITY;
    const r = child(
      "import '@cnn/backend-gpu'; import { setBackend } from '@cnn/core'; setBackend('gpu').then(() => console.log('STARTED'), (e) => console.log('REJECTED ' + e.message));",
      env,
    );
    expect(r.stdout).not.toContain('STARTED');
    expect(r.stdout).toContain('REJECTED');
    expect(r.stdout).toMatch(/DISPLAY/);
    expect(r.stdout).toMatch(/xvfb-run -a/);
    expect(r.stdout).toMatch(/libgl1-mesa-dev/);
    expect(r.stdout).toMatch(/xvfb xauth/);
  });

  it('a display that cannot be opened also rejects with the instructions', () => {
    const r = child(
      "import '@cnn/backend-gpu'; import { setBackend } from '@cnn/core'; setBackend('gpu').then(() => console.log('STARTED'), (e) => console.log('REJECTED ' + e.message));",
      { ...process.env, DISPLAY: ':987' },
    );
    expect(r.stdout).toContain('REJECTED');
    expect(r.stdout).toMatch(/xvfb-run -a/);
  });
});

void execFileSync;
