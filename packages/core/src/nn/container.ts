import type { Tensor } from '../tensor.js';
import { Conv2d } from './conv.js';
import { convBnActivation, isFusableActivation, runChain } from './fusion.js';
import { BatchNorm2d } from './layers.js';
import { fail, fmt } from '../errors.js';
import { Module } from './module.js';

/** Runs its children in order; they are named '0', '1', … as in PyTorch. */
export class Sequential extends Module {
  static readonly layerName = 'Sequential';
  private readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => checkModule('Sequential', `layer ${i}`, m));
    this.layers = layers;
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }

  get length(): number {
    return this.layers.length;
  }

  at(i: number): Module {
    return this.layers[i < 0 ? this.layers.length + i : i];
  }

  /** Adds a layer at the end (named by its index), as PyTorch's Sequential.append. */
  append(layer: Module): this {
    checkModule('Sequential.append', 'layer', layer);
    this.registerModule(String(this.layers.length), layer);
    this.layers.push(layer);
    return this;
  }

  [Symbol.iterator](): IterableIterator<Module> {
    return this.layers[Symbol.iterator]();
  }

  /**
   * The layers in order. A run of Conv2d → BatchNorm2d → activation (either of the last two optional) goes through
   * convBnActivation, which is one fused conv in inference (eval mode, no gradient recorded) and the layers one by one
   * otherwise. The output owns the activations its autograd graph needs; the rest are freed as soon as used.
   */
  forward(x: Tensor): Tensor {
    const steps: ((t: Tensor) => Tensor)[] = [];
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      if (layer instanceof Conv2d) {
        const bn = layers[i + 1] instanceof BatchNorm2d ? (layers[i + 1] as BatchNorm2d) : null;
        const next = layers[i + (bn ? 2 : 1)];
        const act = next && isFusableActivation(next) ? next : null;
        steps.push((t) => convBnActivation(t, layer, bn, act));
        i += (bn ? 1 : 0) + (act ? 1 : 0);
        continue;
      }
      steps.push((t) => layer.forward(t));
    }
    return runChain(x, steps);
  }
}

function checkModule(op: string, what: string, m: unknown): asserts m is Module {
  if (!(m instanceof Module)) fail(op, `${what} must be a Module, got ${m === null ? 'null' : typeof m === 'object' ? (m as object).constructor?.name ?? 'an object' : fmt(m)}`);
}

/** An index as PyTorch takes it (negative counts from the end), checked against `length` (+1 for insert). */
function index(op: string, i: number, length: number): number {
  if (!Number.isInteger(i) || i < -length || i >= length) fail(op, `index ${fmt(i)} is out of range for ${length} module${length === 1 ? '' : 's'}`);
  return i < 0 ? length + i : i;
}

/**
 * A list of modules, registered under '0', '1', … as torch.nn.ModuleList, so their parameters have PyTorch's dotted
 * names (`blocks.0.conv.weight` for a ModuleList registered as `blocks`). It holds modules for a custom module's own
 * forward to call; it has no forward itself. Saved with moduleConfig, it records its modules (a list of layer configs)
 * and their weights, not how a custom forward used them.
 */
export class ModuleList extends Module implements Iterable<Module> {
  static readonly layerName = 'ModuleList';
  private readonly items: Module[] = [];

  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  get length(): number {
    return this.items.length;
  }

  /** The module at `i` (negative counts from the end); an index out of range is an error, as in PyTorch. */
  at(i: number): Module {
    return this.items[index('ModuleList.at', i, this.items.length)];
  }

  /** Replaces the module at `i` (PyTorch's `list[i] = m`). */
  set(i: number, m: Module): this {
    const k = index('ModuleList.set', i, this.items.length);
    checkModule('ModuleList.set', 'module', m);
    this.items[k] = m;
    this.registerModule(String(k), m);
    return this;
  }

  append(m: Module): this {
    checkModule('ModuleList.append', 'module', m);
    this.registerModule(String(this.items.length), m);
    this.items.push(m);
    return this;
  }

  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as Iterable<Module>)?.[Symbol.iterator] !== 'function') fail('ModuleList.extend', `expects an iterable of modules, got ${fmt(modules)}`);
    const list = [...modules];
    list.forEach((m, i) => checkModule('ModuleList.extend', `item ${i}`, m));
    for (const m of list) this.append(m);
    return this;
  }

  /** Inserts `m` before index `i` (0 … length; negative counts from the end); later modules are renamed, as PyTorch's insert does. */
  insert(i: number, m: Module): this {
    const n = this.items.length;
    if (!Number.isInteger(i)) fail('ModuleList.insert', `index must be an integer, got ${fmt(i)}`);
    checkModule('ModuleList.insert', 'module', m);
    const k = Math.min(Math.max(i < 0 ? n + i : i, 0), n); // Python's list.insert clamps
    this.items.splice(k, 0, m);
    this.renumber();
    return this;
  }

  /** Removes and returns the module at `i` (default the last); later modules are renamed. */
  pop(i = -1): Module {
    const k = index('ModuleList.pop', i, this.items.length);
    const [m] = this.items.splice(k, 1);
    this.renumber();
    return m;
  }

  [Symbol.iterator](): IterableIterator<Module> {
    return this.items[Symbol.iterator]();
  }

  /** Re-registers every module under its index, in order (state-dict order follows registration order). */
  private renumber(): void {
    for (const [name] of this.namedChildren()) this.unregisterModule(name);
    this.items.forEach((m, i) => this.registerModule(String(i), m));
  }

  forward(): Tensor {
    return fail('ModuleList', 'has no forward: call its modules from your own module\'s forward (for layers applied in order, use nn.Sequential)');
  }
}

/** A ModuleDict key: a non-empty string without '.', as PyTorch requires (the dot separates name parts). */
function checkKey(op: string, key: unknown): string {
  if (typeof key !== 'string' || key === '' || key.includes('.')) fail(op, `key must be a non-empty string without '.', got ${fmt(key)}`);
  return key;
}

/**
 * Modules by name, registered under their keys as torch.nn.ModuleDict (`heads.cls.weight` for a ModuleDict
 * registered as `heads`), in insertion order; setting an existing key replaces it in place. Iterates as a Map
 * ([key, module] pairs). Like ModuleList it has no forward.
 */
export class ModuleDict extends Module implements Iterable<[string, Module]> {
  static readonly layerName = 'ModuleDict';
  private readonly items = new Map<string, Module>();

  constructor(modules: Record<string, Module> | Iterable<readonly [string, Module]> = {}) {
    super();
    this.update(modules);
  }

  get length(): number {
    return this.items.size;
  }

  get(key: string): Module | undefined {
    return this.items.get(key);
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  set(key: string, m: Module): this {
    checkKey('ModuleDict.set', key);
    checkModule('ModuleDict.set', `module '${key}'`, m);
    this.items.set(key, m);
    this.registerModule(key, m);
    return this;
  }

  /** Adds or replaces every entry of `modules` (an object or [key, module] pairs), as PyTorch's update. */
  update(modules: Record<string, Module> | Iterable<readonly [string, Module]>): this {
    if (modules === null || typeof modules !== 'object') fail('ModuleDict', `expects an object of modules or [key, module] pairs, got ${fmt(modules)}`);
    const entries = Symbol.iterator in modules ? [...(modules as Iterable<readonly [string, Module]>)] : Object.entries(modules as Record<string, Module>);
    for (const e of entries) {
      if (!Array.isArray(e) || e.length !== 2) fail('ModuleDict', `expects [key, module] pairs, got ${fmt(e)}`);
      checkKey('ModuleDict', e[0]);
      checkModule('ModuleDict', `module '${e[0]}'`, e[1]);
    }
    for (const [k, m] of entries) this.set(k, m);
    return this;
  }

  /** Removes `key`; true when it was there. */
  delete(key: string): boolean {
    this.unregisterModule(key);
    return this.items.delete(key);
  }

  keys(): IterableIterator<string> {
    return this.items.keys();
  }

  values(): IterableIterator<Module> {
    return this.items.values();
  }

  entries(): IterableIterator<[string, Module]> {
    return this.items.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, Module]> {
    return this.items.entries();
  }

  forward(): Tensor {
    return fail('ModuleDict', 'has no forward: call its modules from your own module\'s forward');
  }
}
