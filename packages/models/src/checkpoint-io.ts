/**
 * Reading training checkpoints written by writeCheckpoint (checkpoint-write.ts, which describes the layout): only what
 * manifest.json names is trusted, and every file's size and SHA-256 are checked against it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CnnError } from '@cnn/core';
import { decodeCheckpoint, type Checkpoint, type CheckpointFiles } from './train/checkpoint.js';
import { CHECKPOINT_MANIFEST, readManifestText, sha256, type CheckpointManifest } from './checkpoint-write.js';

export { CHECKPOINT_MANIFEST, writeCheckpoint } from './checkpoint-write.js';
export type { CheckpointManifest, WriteCheckpointOptions } from './checkpoint-write.js';

/** The manifest of a checkpoint folder, or null when there is none yet. A manifest that exists but does not parse
 * is an error (it is only ever replaced by rename, so that means outside damage). */
export async function readCheckpointManifest(dir: string): Promise<CheckpointManifest | null> {
  const text = await readManifestText(dir);
  if (text === null) return null;
  let m: CheckpointManifest;
  try {
    m = JSON.parse(text) as CheckpointManifest;
  } catch (err) {
    throw new CnnError(`readCheckpoint: ${join(dir, CHECKPOINT_MANIFEST)} is not valid JSON: ${(err as Error).message}`);
  }
  if (m?.format !== 'cnn-checkpoint/1' || typeof m.latest !== 'string' || !/^\d{6}-[\w-]+$/.test(m.latest)) {
    throw new CnnError(`readCheckpoint: ${join(dir, CHECKPOINT_MANIFEST)} is not a cnn-checkpoint/1 manifest`);
  }
  return m;
}

/** Reads the latest checkpoint of `dir` (sizes and SHA-256 checked against the manifest) and decodes it. */
export async function readCheckpoint<S = unknown, E = unknown>(dir: string): Promise<Checkpoint<S, E> & { manifest: CheckpointManifest }> {
  const manifest = await readCheckpointManifest(dir);
  if (!manifest) throw new CnnError(`readCheckpoint: ${dir} holds no checkpoint (no ${CHECKPOINT_MANIFEST})`);
  const files: CheckpointFiles = {};
  for (const [f, { bytes, sha256: hash }] of Object.entries(manifest.files)) {
    const path = join(dir, manifest.latest, f);
    let b: Buffer;
    try {
      b = await readFile(path);
    } catch (err) {
      throw new CnnError(`readCheckpoint: cannot read ${path}: ${(err as Error).message}`);
    }
    const u = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    if (u.length !== bytes || sha256(u) !== hash) throw new CnnError(`readCheckpoint: ${path} does not match the manifest (${u.length} bytes, expected ${bytes}): the checkpoint is damaged`);
    files[f] = u;
  }
  return { ...decodeCheckpoint<S, E>(files), manifest };
}
