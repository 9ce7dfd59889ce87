/**
 * Training checkpoints in memory (browser-safe; files: writeCheckpoint / readCheckpoint in '@cnn/models/node'):
 * three files that together resume a run exactly —
 * - `model.safetensors`: the model's state dict (parameters and buffers);
 * - `optimizer.safetensors`: the optimizer's state tensors as `state.<param index>.<name>` (Adam's m and v, SGD's
 *   momentum buffer), its lr, step count, scalars and hyperparameters in the metadata (`cnn.optimizer`);
 * - `state.json`: the loop's TrainState (epoch, position, running sums, every RNG state, the scheduler, the history)
 *   and whatever the caller adds (`extra`, e.g. the CLI's options).
 * The weights are checked finite before anything is encoded, so a diverged model never becomes a checkpoint.
 */
import { CnnError, type nn, type optim } from '@cnn/core';
import { loadEntries } from '../model-file.js';
import { decodeSafetensorsWithMetadata, encodeSafetensors, type SafetensorsEntry } from '../safetensors.js';
import { assertFiniteWeights, type TrainState } from './loop.js';

export const CHECKPOINT_MODEL_FILE = 'model.safetensors';
export const CHECKPOINT_OPTIMIZER_FILE = 'optimizer.safetensors';
export const CHECKPOINT_STATE_FILE = 'state.json';
const OPTIMIZER_KEY = 'cnn.optimizer';

/** A checkpoint's files, name → bytes. */
export type CheckpointFiles = Record<string, Uint8Array>;

/** What a checkpoint holds once decoded. */
export interface Checkpoint<S = unknown, E = unknown> {
  model: Record<string, SafetensorsEntry>;
  optimizer: optim.OptimizerStateDict<optim.OptimizerStateValue>;
  state: TrainState<S>;
  extra: E | undefined;
}

/** Encodes model, optimizer and loop state as checkpoint files. Throws NonFiniteWeightsError for NaN/∞ weights. */
export async function encodeCheckpoint(model: nn.Module, optimizer: optim.Optimizer, state: TrainState, extra?: unknown): Promise<CheckpointFiles> {
  await assertFiniteWeights(model, 'encodeCheckpoint');
  const o = optimizer.stateDict();
  const tensors: Record<string, optim.OptimizerStateDict['state'][number][string]> = {};
  for (const [i, st] of Object.entries(o.state)) for (const [k, t] of Object.entries(st)) tensors[`state.${i}.${k}`] = t;
  const { state: _tensors, ...rest } = o;
  const json = `${JSON.stringify({ state, ...(extra === undefined ? {} : { extra }) })}\n`;
  return {
    [CHECKPOINT_MODEL_FILE]: await encodeSafetensors(model.stateDict(), { format: 'pt' }),
    [CHECKPOINT_OPTIMIZER_FILE]: await encodeSafetensors(tensors, { [OPTIMIZER_KEY]: JSON.stringify(rest) }),
    [CHECKPOINT_STATE_FILE]: new TextEncoder().encode(json),
  };
}

/** Decodes checkpoint files (validated: every file present, the optimizer metadata and the state's format). */
export function decodeCheckpoint<S = unknown, E = unknown>(files: CheckpointFiles): Checkpoint<S, E> {
  const op = 'decodeCheckpoint';
  for (const f of [CHECKPOINT_MODEL_FILE, CHECKPOINT_OPTIMIZER_FILE, CHECKPOINT_STATE_FILE]) if (!files[f]) throw new CnnError(`${op}: ${f} is missing`);
  const model = decodeSafetensorsWithMetadata(files[CHECKPOINT_MODEL_FILE]).tensors;
  const opt = decodeSafetensorsWithMetadata(files[CHECKPOINT_OPTIMIZER_FILE]);
  let rest: Omit<optim.OptimizerStateDict, 'state'>;
  let parsed: { state: TrainState<S>; extra?: E };
  try {
    rest = JSON.parse(opt.metadata[OPTIMIZER_KEY] ?? 'null') as Omit<optim.OptimizerStateDict, 'state'>;
    parsed = JSON.parse(new TextDecoder().decode(files[CHECKPOINT_STATE_FILE])) as { state: TrainState<S>; extra?: E };
  } catch (err) {
    throw new CnnError(`${op}: unreadable JSON: ${(err as Error).message}`);
  }
  if (!rest || typeof rest !== 'object') throw new CnnError(`${op}: ${CHECKPOINT_OPTIMIZER_FILE} has no '${OPTIMIZER_KEY}' metadata`);
  if (parsed?.state?.format !== 'cnn-train-state/1') throw new CnnError(`${op}: ${CHECKPOINT_STATE_FILE} is not a cnn-train-state/1 state`);
  const state: Record<number, Record<string, optim.OptimizerStateValue>> = {};
  for (const [name, e] of Object.entries(opt.tensors)) {
    const m = /^state\.(\d+)\.(.+)$/.exec(name);
    if (!m) throw new CnnError(`${op}: unexpected tensor '${name}' in ${CHECKPOINT_OPTIMIZER_FILE}`);
    (state[Number(m[1])] ??= {})[m[2]] = { shape: e.shape, data: e.data };
  }
  return { model, optimizer: { ...rest, state }, state: parsed.state, extra: parsed.extra };
}

/** Loads a checkpoint's weights into `model` (strict) and its state into `optimizer`; returns the loop state to pass
 * as `resume` to fit / fitDenoiser. Build model, optimizer and scheduler as the interrupted run did first. */
export function restoreCheckpoint<S>(ckpt: Checkpoint<S>, model: nn.Module, optimizer: optim.Optimizer): TrainState<S> {
  loadEntries(model, ckpt.model);
  optimizer.loadStateDict(ckpt.optimizer);
  return ckpt.state;
}
