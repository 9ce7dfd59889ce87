#!/usr/bin/env node
/**
 * The root postinstall: gets headless-gl (`gl`, the GPU backend's native module in Node) built when this machine can
 * build it, quietly, and otherwise says in one line what the GPU backend needs.
 *
 * Why not let pnpm build it: `gl` compiles from source against X11/GL development packages. On a machine without
 * them node-gyp prints some forty lines of `gyp ERR!` and `gl install: Failed`, and then the install succeeds (gl is
 * optional) — a newcomer reads that as a broken install. So pnpm-workspace.yaml lists gl in ignoredBuiltDependencies
 * and this script does what gl's own install script does (`prebuild-install || node-gyp rebuild`), with every line of
 * that output in a log file:
 *   - gl already loads: nothing to do, nothing printed;
 *   - a prebuilt binary for this platform downloads: done;
 *   - the build prerequisites are here (C++ compiler, make, python3, pkg-config and its x11 xi xext gl modules):
 *     node-gyp builds it, and one line says whether that worked (pointing to the log if not);
 *   - otherwise: one line, naming what is missing and the README that lists the packages.
 * It never fails the install: every other backend works without gl.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LOG = join(ROOT, 'node_modules', '.cache', 'gl-build.log');
const LOG_SHOWN = relative(process.cwd(), LOG) || LOG;
const README = 'packages/backend-gpu/README.md';
/** The pkg-config modules ANGLE's gyp files ask for (x11 xi xext) and the GL headers/library it links (gl). */
const PKG_CONFIG_MODULES = ['x11', 'xi', 'xext', 'gl'];
const say = (line) => console.log(`GPU backend in Node: ${line}`);

const glDir = locateGl();
if (glDir === null) process.exit(0); // optional dependencies omitted (--no-optional): nothing to build
if (glLoads(glDir)) process.exit(0);

mkdirSync(dirname(LOG), { recursive: true });
if (runLogged(glDir, binOf(glDir, 'prebuild-install'), []) && glLoads(glDir)) {
  say('headless-gl installed (prebuilt binary); run it under a display, e.g. `xvfb-run -a`.');
  process.exit(0);
}

const missing = missingPrerequisites();
if (missing.length > 0) {
  say(`needs the build packages listed in ${README} (not found here: ${missing.join(', ')}); install them, then run \`pnpm install\` again. The cpu and workers backends are ready.`);
  process.exit(0);
}

say(`building headless-gl from source (a few minutes; log: ${LOG_SHOWN})`);
if (runLogged(glDir, binOf(glDir, 'node-gyp'), ['rebuild', '--jobs=max']) && glLoads(glDir)) {
  say('headless-gl built; run the GPU backend under a display, e.g. `xvfb-run -a`.');
} else {
  say(`headless-gl could not be built, so the GPU backend cannot start in Node (the cpu and workers backends are ready); see ${LOG_SHOWN}`);
  if (process.env.CI) process.stderr.write(readFileSync(LOG, 'utf8').split('\n').slice(-60).join('\n') + '\n');
}

/** gl's directory as the GPU backend resolves it, or null when the optional dependency is not installed. */
function locateGl() {
  const fromGpuBackend = createRequire(join(ROOT, 'packages', 'backend-gpu', 'package.json'));
  try {
    return dirname(fromGpuBackend.resolve('gl/package.json'));
  } catch {
    return null;
  }
}

/** Whether `require('gl')` works (in a child process: a half-built native module must not take this script down). */
function glLoads(dir) {
  return spawnSync(process.execPath, ['-e', 'require(process.argv[1])', dir], { stdio: 'ignore' }).status === 0;
}

/** The JavaScript file behind `name`'s bin, as gl's own install script would find it (gl depends on both tools). */
function binOf(dir, name) {
  const packageJson = createRequire(join(dir, 'package.json')).resolve(`${name}/package.json`);
  const { bin } = JSON.parse(readFileSync(packageJson, 'utf8'));
  return join(dirname(packageJson), typeof bin === 'string' ? bin : bin[name]);
}

/** Runs a Node script in gl's directory with its output appended to the log; true on exit code 0. */
function runLogged(dir, script, args) {
  const log = openSync(LOG, 'a');
  try {
    return spawnSync(process.execPath, [script, ...args], { cwd: dir, stdio: ['ignore', log, log] }).status === 0;
  } finally {
    closeSync(log);
  }
}

/** What node-gyp needs to build gl that this machine lacks, in the words a package manager would use. */
function missingPrerequisites() {
  const missing = [];
  if (!['c++', 'g++', 'clang++'].some(onPath)) missing.push('a C++ compiler');
  if (!onPath('make')) missing.push('make');
  if (!process.env.PYTHON && !onPath('python3')) missing.push('python3');
  if (!onPath('pkg-config')) return [...missing, 'pkg-config'];
  const modules = PKG_CONFIG_MODULES.filter((m) => spawnSync('pkg-config', ['--exists', m], { stdio: 'ignore' }).status !== 0);
  if (modules.length > 0) missing.push(`the pkg-config modules ${modules.join(' ')}`);
  return missing;
}

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
