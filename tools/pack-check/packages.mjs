// The publishable packages (packages/* without "private": true) and how to pack them as a user receives them.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Every packages/* package that is published: { name, version, dir }. */
export function publishablePackages() {
  const base = join(ROOT, 'packages');
  return readdirSync(base)
    .map((entry) => join(base, entry))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ pkg }) => !pkg.private)
    .map(({ dir, pkg }) => ({ name: pkg.name, version: pkg.version, dir }));
}

/** Runs a command; resolves with its exit code and output (stdout + stderr), never rejects. */
export function run(command, args, options = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolvePromise({ code: 127, output: output + String(error) }));
    child.on('close', (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

/**
 * pnpm, the way this process was started: `pnpm <script>` sets npm_execpath to pnpm's own entry; otherwise the
 * version pinned in the root package.json's packageManager field, through npx.
 */
export function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) return { command: process.execPath, args: [execPath] };
  const { packageManager } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  return { command: 'npx', args: ['-y', packageManager] };
}

/**
 * Packs every publishable package into `destination` with pnpm (which rewrites `workspace:*` ranges to the packed
 * versions, as `pnpm publish` does). Needs each package's dist/ built. Returns [{ name, version, dir, tarball }].
 */
export async function packAll(destination) {
  const packages = publishablePackages();
  const missing = packages.filter(({ dir }) => !existsSync(join(dir, 'dist')));
  if (missing.length > 0) {
    throw new Error(`pack: no dist/ in ${missing.map(({ name }) => name).join(', ')}; run \`pnpm build\` first`);
  }
  const pnpm = pnpmCommand();
  const results = await Promise.all(
    packages.map(async (entry) => {
      const { code, output } = await run(pnpm.command, [...pnpm.args, 'pack', '--pack-destination', destination], { cwd: entry.dir });
      if (code !== 0) throw new Error(`pnpm pack failed in ${entry.dir}:\n${output}`);
      const tarball = join(destination, `${entry.name.replace(/^@/, '').replace('/', '-')}-${entry.version}.tgz`);
      if (!existsSync(tarball)) throw new Error(`pnpm pack in ${entry.dir} did not write ${tarball}:\n${output}`);
      return { ...entry, tarball };
    }),
  );
  return results;
}
