/**
 * Architectures as data: `moduleConfig(module)` writes a model made of built-in layers and containers as a JSON
 * config, `buildModule(config)` builds it again (fresh weights; load a state dict for the trained ones).
 *
 *   { "type": "Sequential", "layers": [ { "type": "Conv2d", "inChannels": 1, "outChannels": 8, "kernelSize": 3 },
 *                                       { "type": "ReLU" }, … ] }
 *
 * A layer is its `type` (the class's layerName, as PyTorch names it) and its constructor options; `Sequential` has
 * `layers`, `ModuleList` has `modules` (a list), `ModuleDict` has `modules` (an object). Configs stay data: a type
 * picks a class from a fixed table, each option name must be one the layer takes, the layer's own constructor checks
 * the values, and nothing in a config is evaluated. Errors name the place in the config (`layers[3].type`).
 */
import { CnnError } from '../errors.js';
import { ModuleDict, ModuleList, Sequential } from './container.js';
import { ConvTranspose1d, ConvTranspose2d, Upsample } from './conv-transpose.js';
import { Conv1d, Conv2d, DepthwiseSeparableConv2d, SpatialSeparableConv2d } from './conv.js';
import {
  AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, BatchNorm1d, BatchNorm2d, Dropout, ELU, Flatten, GELU, GlobalAvgPool2d, Identity,
  LeakyReLU, Linear, LogSoftmax, MaxPool1d, MaxPool2d, ReLU, Sigmoid, Softmax, Tanh,
} from './layers.js';
import { Module } from './module.js';
import { Hardsigmoid, Hardswish, Hardtanh, Mish, PReLU, ReLU6, SiLU, Softplus } from './activations.js';
import { GroupNorm, InstanceNorm2d, LayerNorm } from './norm.js';
import { ChannelShuffle, Dropout2d, PixelShuffle, PixelUnshuffle, ReflectionPad2d, ReplicationPad2d, ZeroPad2d } from './spatial.js';
import { Fold, Unfold } from './unfold.js';

/** A JSON value: what a config may hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A layer or container config: `type` (a layerName) plus the layer's options, or `layers` / `modules` for containers. */
export interface ModuleConfig {
  type: string;
  [option: string]: JsonValue | undefined;
}

/** A layer class buildModule can build: a static layerName and a constructor taking one options object (or none). */
export type LayerClass = (abstract new (options: never) => Module) & { readonly layerName: string };

interface LayerEntry {
  ctor: LayerClass;
  options: readonly string[];
}

const LAYERS = new Map<string, LayerEntry>();

/**
 * Adds a layer class to the table buildModule builds from and moduleConfig writes: `options` lists the names its
 * options object may have (a config with any other name is an error). The built-in layers are registered below, one
 * line each; a user's own leaf layer (one options object kept as `readonly options`, JSON values only) can be
 * registered the same way, under a layerName no other class uses.
 */
export function registerLayer(ctor: LayerClass, options: readonly string[] = []): void {
  const name = ctor?.layerName;
  if (typeof ctor !== 'function' || !Object.prototype.hasOwnProperty.call(ctor, 'layerName') || typeof name !== 'string' || !name) {
    throw new CnnError('registerLayer: the class needs its own static layerName (a non-empty string)');
  }
  if (CONTAINERS.has(name)) throw new CnnError(`registerLayer: '${name}' is a container type`);
  const had = LAYERS.get(name);
  if (had && had.ctor !== ctor) throw new CnnError(`registerLayer: layerName '${name}' is already used by another class`);
  LAYERS.set(name, { ctor, options: [...options] });
}

const CONTAINERS = new Set(['Sequential', 'ModuleList', 'ModuleDict']);

// ---- the built-in layers: one line each (the option names of each constructor) ------------------------------------
const POOL2D = ['kernelSize', 'stride', 'padding', 'dilation', 'ceilMode', 'countIncludePad'];
const POOL1D = POOL2D;
const CONV = ['inChannels', 'outChannels', 'kernelSize', 'stride', 'padding', 'paddingMode', 'dilation', 'groups', 'bias'];
const BATCH_NORM = ['numFeatures', 'eps', 'momentum', 'affine', 'trackRunningStats'];
registerLayer(Conv1d, CONV);
registerLayer(Conv2d, CONV);
registerLayer(DepthwiseSeparableConv2d, [...CONV.filter((k) => k !== 'groups'), 'depthMultiplier']);
registerLayer(SpatialSeparableConv2d, ['inChannels', 'outChannels', 'kernelSize', 'stride', 'padding', 'paddingMode', 'bias']);
registerLayer(ConvTranspose1d, [...CONV, 'outputPadding']);
registerLayer(ConvTranspose2d, [...CONV, 'outputPadding']);
registerLayer(Upsample, ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor']);
registerLayer(MaxPool1d, POOL1D);
registerLayer(MaxPool2d, POOL2D);
registerLayer(AvgPool1d, POOL1D);
registerLayer(AvgPool2d, POOL2D);
registerLayer(AdaptiveAvgPool2d, ['outputSize']);
registerLayer(AdaptiveMaxPool2d, ['outputSize']);
registerLayer(GlobalAvgPool2d);
registerLayer(BatchNorm1d, BATCH_NORM);
registerLayer(BatchNorm2d, BATCH_NORM);
registerLayer(Dropout, ['p']);
registerLayer(Linear, ['inFeatures', 'outFeatures', 'bias']);
registerLayer(Flatten, ['startDim', 'endDim']);
registerLayer(Identity);
registerLayer(ReLU);
registerLayer(LeakyReLU, ['negativeSlope']);
registerLayer(ELU, ['alpha']);
registerLayer(GELU);
registerLayer(Sigmoid);
registerLayer(Tanh);
registerLayer(Softmax, ['dim']);
registerLayer(LogSoftmax, ['dim']);
registerLayer(ReLU6);
registerLayer(Hardtanh, ['minVal', 'maxVal']);
registerLayer(Hardswish);
registerLayer(Hardsigmoid);
registerLayer(SiLU);
registerLayer(Mish);
registerLayer(Softplus, ['beta', 'threshold']);
registerLayer(PReLU, ['numParameters', 'init']);
registerLayer(GroupNorm, ['numGroups', 'numChannels', 'eps', 'affine']);
registerLayer(LayerNorm, ['normalizedShape', 'eps', 'elementwiseAffine', 'bias']);
registerLayer(InstanceNorm2d, ['numFeatures', 'eps', 'momentum', 'affine', 'trackRunningStats']);
registerLayer(Dropout2d, ['p']);
registerLayer(ZeroPad2d, ['padding']);
registerLayer(ReflectionPad2d, ['padding']);
registerLayer(ReplicationPad2d, ['padding']);
registerLayer(PixelShuffle, ['upscaleFactor']);
registerLayer(PixelUnshuffle, ['downscaleFactor']);
registerLayer(ChannelShuffle, ['groups']);
registerLayer(Unfold, ['kernelSize', 'dilation', 'padding', 'stride']);
registerLayer(Fold, ['outputSize', 'kernelSize', 'dilation', 'padding', 'stride']);

/** The layer types buildModule knows (layer names, then the containers). */
export function layerTypes(): string[] {
  return [...LAYERS.keys(), ...CONTAINERS];
}

// ---- shared checks ---------------------------------------------------------------------------------------------

/** A ModuleDict's key order: `order` when given (it must list exactly the keys of `modules`), else the object's. */
function dictOrder(op: string, path: string, keys: string[], order: JsonValue | undefined): string[] {
  if (order === undefined) return keys;
  const same = Array.isArray(order) && order.length === keys.length && order.every((k) => typeof k === 'string' && keys.includes(k)) && new Set(order).size === keys.length;
  if (!same) throw new CnnError(`${op}: ${at(path, 'order')} must list each key of ${at(path, 'modules')} once (${JSON.stringify(keys)}), got ${describe(order)}`);
  return order as string[];
}

/** Where in a config: `layers[3].kernelSize`, `modules.head.type`; the root alone is `config`. */
const at = (path: string, key?: string | number): string => {
  const p = typeof key === 'number' ? `${path}[${key}]` : key === undefined ? path : path ? `${path}.${key}` : key;
  return p || 'config';
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'non-plain object'}`;
  if (typeof v === 'function') return 'a function';
  return `${typeof v} ${JSON.stringify(v) ?? String(v)}`;
}

/** Fails unless `v` is JSON data (null, booleans, finite numbers, strings, lists, plain objects): no functions,
 * tensors, class instances, NaN or Infinity. */
function checkJson(op: string, path: string, v: unknown): void {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new CnnError(`${op}: ${path} must be JSON data, got ${v}`);
    return;
  }
  if (Array.isArray(v)) return v.forEach((x, i) => checkJson(op, `${path}[${i}]`, x));
  if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) if (x !== undefined) checkJson(op, `${path}.${k}`, x);
    return;
  }
  throw new CnnError(`${op}: ${path} must be JSON data (numbers, strings, booleans, lists, plain objects), got ${describe(v)}`);
}

// ---- buildModule -----------------------------------------------------------------------------------------------

export interface BuildModuleOptions {
  /** Builders for types outside the layer table, tried first (e.g. @cnn/models' architectures: `{ type: 'resnet18' }`
   * inside a Sequential). Gets the config's options without `type` and the path, for errors. */
  types?: Readonly<Record<string, (options: Record<string, JsonValue>, path: string) => Module>>;
}

/**
 * Builds the module a config describes, with fresh weights (from the seedable generator). Unknown types and option
 * names are errors naming them and where they are in the config; each layer's constructor checks its values.
 */
export function buildModule(config: unknown, options: BuildModuleOptions = {}): Module {
  return build('buildModule', config, '', options);
}

function build(op: string, config: unknown, path: string, opts: BuildModuleOptions): Module {
  if (!isPlainObject(config)) throw new CnnError(`${op}: ${at(path)} must be an object like { "type": "Conv2d", ... }, got ${describe(config)}`);
  checkJson(op, at(path), config);
  const { type, ...rest } = config as Record<string, JsonValue>;
  const extra = opts.types;
  const known = (): string => [...(extra ? Object.keys(extra) : []), ...layerTypes()].join(', ');
  if (typeof type !== 'string') throw new CnnError(`${op}: ${at(path, 'type')} must be a string naming a layer type (one of ${known()}), got ${describe(type)}`);
  if (extra && Object.prototype.hasOwnProperty.call(extra, type)) return extra[type](rest, path);
  if (type === 'Sequential' || type === 'ModuleList') {
    const key = type === 'Sequential' ? 'layers' : 'modules';
    onlyKeys(op, path, type, rest, [key]);
    const list = rest[key];
    if (!Array.isArray(list)) throw new CnnError(`${op}: ${at(path, key)} must be a list of layer configs, got ${describe(list)}`);
    const children = buildAll(op, list.map((c, i) => [at(path, key) + `[${i}]`, c] as const), opts, type === 'Sequential');
    return type === 'Sequential' ? new Sequential(...children) : new ModuleList(children);
  }
  if (type === 'ModuleDict') {
    onlyKeys(op, path, type, rest, ['modules', 'order']);
    const dict = rest.modules;
    if (!isPlainObject(dict)) throw new CnnError(`${op}: ${at(path, 'modules')} must be an object of layer configs by name, got ${describe(dict)}`);
    const keys = dictOrder(op, path, Object.keys(dict), rest.order);
    for (const k of keys) if (!k || k.includes('.')) throw new CnnError(`${op}: ${at(path, 'modules')} key ${JSON.stringify(k)} must be non-empty and without '.'`);
    const children = buildAll(op, keys.map((k) => [at(at(path, 'modules'), k), dict[k]] as const), opts, false);
    return new ModuleDict(keys.map((k, i) => [k, children[i]] as const));
  }
  const entry = LAYERS.get(type);
  if (!entry) throw new CnnError(`${op}: ${at(path, 'type')}: unknown layer type '${type}'; known types: ${known()}`);
  onlyKeys(op, path, type, rest, entry.options);
  try {
    const Ctor = entry.ctor as unknown as new (options?: Record<string, JsonValue>) => Module;
    return entry.options.length ? new Ctor(rest) : new Ctor();
  } catch (err) {
    if (err instanceof CnnError) throw new CnnError(`${op}: ${at(path)} (${type}): ${err.message}`);
    throw err;
  }
}

/** Builds children in order; if one fails, the ones already built are disposed. A Sequential's layers must have a
 * forward, so a ModuleList or ModuleDict there is an error (PyTorch would fail only when run). */
function buildAll(op: string, items: readonly (readonly [string, unknown])[], opts: BuildModuleOptions, inSequential: boolean): Module[] {
  const out: Module[] = [];
  try {
    for (const [p, c] of items) {
      const m = build(op, c, p, opts);
      out.push(m);
      if (inSequential && (m instanceof ModuleList || m instanceof ModuleDict)) throw new CnnError(noForward(op, p, m));
    }
  } catch (err) {
    for (const m of out) m.dispose();
    throw err;
  }
  return out;
}

const noForward = (op: string, path: string, m: Module): string =>
  `${op}: ${path} is a ${m.typeName}, which has no forward, so the Sequential holding it cannot run; use a Sequential there`;

function onlyKeys(op: string, path: string, type: string, rest: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(rest)) {
    if (rest[k] !== undefined && !allowed.includes(k)) {
      throw new CnnError(`${op}: ${at(path, k)}: unknown option '${k}' for ${type}; ${allowed.length ? `its options: ${allowed.join(', ')}` : 'it takes no options'}`);
    }
  }
}

// ---- moduleConfig ----------------------------------------------------------------------------------------------

export interface ModuleConfigOptions {
  /** Describes modules outside the layer table (e.g. @cnn/models' architectures by their own `config`); return
   * undefined for any other module. */
  describe?: (module: Module, path: string) => ModuleConfig | undefined;
}

/**
 * The JSON config of a model made of built-in layers and containers (nn.Sequential, nested or not, nn.ModuleList,
 * nn.ModuleDict): `buildModule(moduleConfig(m))` builds the same architecture, and `m.stateDict()` holds the weights
 * to load into it. A custom Module subclass with its own forward cannot be written as data: the error names it and
 * where it is. A ModuleList or ModuleDict is saved as its modules (their configs and weights); how a custom forward
 * called them is code, and is not saved.
 */
export function moduleConfig(module: Module, options: ModuleConfigOptions = {}): ModuleConfig {
  if (!(module instanceof Module)) throw new CnnError(`moduleConfig: expects a Module, got ${describe(module)}`);
  return configOf(module, '', '', options);
}

/** `path`: where in the config; `name`: the module's dotted name in the model ('' for the model itself). */
function configOf(m: Module, path: string, name: string, opts: ModuleConfigOptions): ModuleConfig {
  const op = 'moduleConfig';
  const custom = opts.describe?.(m, at(path));
  if (custom !== undefined) return custom;
  const where = name ? `${at(path)} (module '${name}')` : 'the model';
  const child = (n: string): string => (name ? `${name}.${n}` : n);
  if (m.constructor === Sequential) {
    const layers = [...(m as Sequential)].map((c, i) => {
      const p = at(path, 'layers') + `[${i}]`;
      if (c instanceof ModuleList || c instanceof ModuleDict) throw new CnnError(noForward(op, p, c));
      return configOf(c, p, child(String(i)), opts);
    });
    return { type: 'Sequential', layers: layers as unknown as JsonValue[] };
  }
  if (m.constructor === ModuleList) {
    const modules = [...(m as ModuleList)].map((c, i) => configOf(c, at(path, 'modules') + `[${i}]`, child(String(i)), opts));
    return { type: 'ModuleList', modules: modules as unknown as JsonValue[] };
  }
  if (m.constructor === ModuleDict) {
    const modules: Record<string, JsonValue> = {};
    for (const [k, c] of m as ModuleDict) modules[k] = configOf(c, at(at(path, 'modules'), k), child(k), opts) as unknown as JsonValue;
    // JavaScript objects list integer-like keys ("0", "10") first, whatever their insertion order: `order` keeps it.
    return { type: 'ModuleDict', modules, order: [...(m as ModuleDict).keys()] };
  }
  const type = m.typeName;
  const entry = LAYERS.get(type);
  if (!entry || entry.ctor !== m.constructor) {
    throw new CnnError(
      `${op}: ${where} is a ${type}, a custom Module with its own forward: code cannot be saved as a config. Build the model ` +
        'from built-in layers in nn.Sequential (nested Sequentials for blocks), or save only its weights (stateDict) and rebuild it with your own code',
    );
  }
  const own = (m as unknown as { options?: unknown }).options;
  const given = own === undefined ? {} : own;
  if (!isPlainObject(given)) throw new CnnError(`${op}: ${where}: ${type}.options must be a plain object, got ${describe(given)}`);
  checkJson(op, `${where}: ${type}.options`, given);
  for (const [k, v] of Object.entries(given)) {
    if (v !== undefined && !entry.options.includes(k)) {
      throw new CnnError(`${op}: ${where}: ${type} was built with option '${k}', which it does not take (its options: ${entry.options.join(', ') || 'none'})`);
    }
  }
  return JSON.parse(JSON.stringify({ type, ...given })) as ModuleConfig;
}
