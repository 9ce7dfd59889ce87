/**
 * A layer keeps the options it was built with (`readonly options`) so that `moduleConfig` can write it down and
 * `buildModule` can build it again. The copy is the layer's own: later changes to the caller's object (or its
 * arrays) do not reach it.
 */

/** A deep copy of plain objects and arrays (other values as they are); undefined entries are dropped, as JSON does. */
export function copyOptions<T>(options: T): T {
  if (Array.isArray(options)) return options.map((v) => copyOptions(v)) as T;
  if (options !== null && typeof options === 'object' && Object.getPrototypeOf(options) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = copyOptions(v);
    return out as T;
  }
  return options;
}
