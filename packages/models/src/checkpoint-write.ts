/**
 * Training checkpoints on disk ('@cnn/models/node'), crash-safe: a process killed at any point of a write (SIGKILL,
 * power loss) leaves the previous complete checkpoint as the latest, never a torn one.
 *
 *   <dir>/manifest.json              which checkpoint is the latest, with each file's size and SHA-256; written last
 *   <dir>/000003-epoch-0002/         one folder per checkpoint: model.safetensors, optimizer.safetensors, state.json
 *   <dir>/000004-epoch-0002-step-17/ (after an interruption mid-epoch)
 *
 * A write: every file into a fresh hidden temporary folder (each fsynced), the folder fsynced and renamed to its
 * final name (the sequence number makes names unique, so a live checkpoint is never overwritten), the parent fsynced,
 * then manifest.json through a temporary file + fsync + rename + fsync of the folder. Only after that are older
 * checkpoints (beyond `keep`) and leftovers of killed writes removed. Readers trust only what the manifest names and
 * check sizes and hashes.
 */
// Only node: imports here (no @cnn/core), so that the crash test's child process that writes checkpoints starts fast.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export const CHECKPOINT_MANIFEST = 'manifest.json';

export interface CheckpointManifest {
  format: 'cnn-checkpoint/1';
  /** Increases by one with every checkpoint written to the folder. */
  seq: number;
  /** The folder (inside the checkpoint directory) of the latest checkpoint. */
  latest: string;
  files: Record<string, { bytes: number; sha256: string }>;
  epoch: number;
  batch: number;
  savedAt: string;
}

export interface WriteCheckpointOptions {
  /** Complete checkpoints kept, the new one included (default 2). */
  keep?: number;
  /** Test hook: awaited at each stage of the write ('dir', 'file:<name>:half', 'file:<name>:synced', 'renamed',
   * 'manifest:written', 'manifest:renamed', 'cleaned'), so a test can kill the process at each. */
  onPhase?: (phase: string) => void | Promise<void>;
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** fsyncs a folder, so that the renames in it are durable. Some platforms (Windows) cannot open a folder: skipped there. */
async function fsyncDir(path: string): Promise<void> {
  let h;
  try {
    h = await open(path, 'r');
  } catch (err) {
    if (['EISDIR', 'EPERM', 'EACCES'].includes((err as NodeJS.ErrnoException).code ?? '')) return;
    throw err;
  }
  try {
    await h.sync();
  } catch (err) {
    if (!['EINVAL', 'EPERM', 'EBADF'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await h.close();
  }
}

/** Writes bytes and fsyncs them before closing. With `half`, writes in two halves and awaits it between (tests). */
async function writeSynced(path: string, bytes: Uint8Array, half?: () => void | Promise<void>): Promise<void> {
  const h = await open(path, 'wx');
  try {
    if (half) {
      const mid = bytes.length >> 1;
      await h.write(bytes, 0, mid, 0);
      await half();
      await h.write(bytes, mid, bytes.length - mid, mid);
    } else {
      await h.write(bytes, 0, bytes.length, 0);
    }
    await h.sync();
  } finally {
    await h.close();
  }
}

/** The manifest text of a checkpoint folder, or null when there is none yet. */
export async function readManifestText(dir: string): Promise<string | null> {
  try {
    return await readFile(join(dir, CHECKPOINT_MANIFEST), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Writes checkpoint files (from encodeCheckpoint) into `dir` as its new latest checkpoint; returns the manifest. */
export async function writeCheckpoint(dir: string, files: Record<string, Uint8Array>, info: { epoch: number; batch: number }, opts: WriteCheckpointOptions = {}): Promise<CheckpointManifest> {
  const keep = opts.keep ?? 2;
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`writeCheckpoint: keep must be an integer ≥ 1, got ${String(keep)}`);
  const phase = async (p: string): Promise<void> => {
    await opts.onPhase?.(p);
  };
  await mkdir(dir, { recursive: true });
  const text = await readManifestText(dir);
  const previous = text === null ? null : (JSON.parse(text) as CheckpointManifest);
  const seq = (previous?.seq ?? 0) + 1;
  const name = `${String(seq).padStart(6, '0')}-epoch-${String(info.epoch).padStart(4, '0')}${info.batch ? `-step-${info.batch}` : ''}`;
  const tmp = join(dir, `.tmp-${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  await phase('dir');
  const listed: CheckpointManifest['files'] = {};
  for (const [f, bytes] of Object.entries(files)) {
    await writeSynced(join(tmp, f), bytes, opts.onPhase ? () => phase(`file:${f}:half`) : undefined);
    listed[f] = { bytes: bytes.length, sha256: sha256(bytes) };
    await phase(`file:${f}:synced`);
  }
  await fsyncDir(tmp);
  const final = join(dir, name);
  await rm(final, { recursive: true, force: true }); // only a leftover of a killed write can have this name
  await rename(tmp, final);
  await fsyncDir(dir);
  await phase('renamed');
  const manifest: CheckpointManifest = { format: 'cnn-checkpoint/1', seq, latest: name, files: listed, epoch: info.epoch, batch: info.batch, savedAt: new Date().toISOString() };
  const mtmp = join(dir, `.tmp-manifest-${process.pid}-${randomBytes(4).toString('hex')}`);
  await writeSynced(mtmp, new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
  await phase('manifest:written');
  await rename(mtmp, join(dir, CHECKPOINT_MANIFEST));
  await fsyncDir(dir);
  await phase('manifest:renamed');
  // Older checkpoints beyond `keep` and leftovers of killed writes; the manifest already names the new one.
  const entries = await readdir(dir);
  // Kept: the new one and the keep − 1 newest before it. Folders numbered ≥ seq other than the new one are orphans of
  // writes killed before their manifest (never named by one).
  const folders = entries.filter((e) => /^\d{6}-/.test(e));
  const older = folders.filter((e) => Number(e.slice(0, 6)) < seq).sort();
  const kept = new Set([name, ...older.slice(Math.max(0, older.length - (keep - 1)))]);
  const stale = [...folders.filter((e) => !kept.has(e)), ...entries.filter((e) => e.startsWith('.tmp-') && !e.includes(`-${process.pid}-`))];
  for (const e of stale) await rm(join(dir, e), { recursive: true, force: true });
  await phase('cleaned');
  return manifest;
}

