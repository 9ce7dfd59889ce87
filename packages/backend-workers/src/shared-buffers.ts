/**
 * Shared memory of freed outputs, kept for the next output of the same size. A fresh SharedArrayBuffer's pages are
 * touched for the first time by the kernel that writes it, which costs ~1–2 ms per 8 MiB in Node and 6–9 ms in
 * Chromium (measured): a model's activations repeat the same few sizes every run, so most outputs reuse a buffer.
 *
 * A buffer is recycled only once nothing can touch it: the backend gives it back when its DataId is released (after
 * every task queued before the free has run), and never when the task writing it failed (the pool settles all of a
 * kernel's parts before failing it, but a failed output is not trusted either). Recycled memory is not zeroed: every
 * parallel kernel writes its whole output (the workers package's tests run the kernel suite on poisoned buffers).
 */
const KEEP_BYTES = 64 << 20;
const KEEP_PER_SIZE = 8;

export class SharedBuffers {
  private readonly free = new Map<number, SharedArrayBuffer[]>();
  private keptBytes = 0;
  /** How many outputs got a recycled buffer (for tests and curiosity). */
  reuses = 0;

  /** A float32 array of `size` elements on shared memory, recycled when a buffer of that size is free. */
  take(size: number): Float32Array {
    const bytes = size * 4;
    const list = this.free.get(bytes);
    const sab = list?.pop();
    if (sab) {
      this.keptBytes -= bytes;
      this.reuses++;
      return new Float32Array(sab);
    }
    return new Float32Array(new SharedArrayBuffer(bytes));
  }

  /** Keeps `values`' buffer for reuse (within the caps); anything else is left to the garbage collector. */
  give(values: Float32Array | Int32Array): void {
    const sab = values.buffer;
    if (!(sab instanceof SharedArrayBuffer) || values.byteOffset !== 0 || values.byteLength !== sab.byteLength || sab.byteLength === 0) return;
    const bytes = sab.byteLength;
    if (this.keptBytes + bytes > KEEP_BYTES) return;
    let list = this.free.get(bytes);
    if (!list) this.free.set(bytes, (list = []));
    if (list.length >= KEEP_PER_SIZE) return;
    this.onRecycle?.(values);
    list.push(sab);
    this.keptBytes += bytes;
  }

  /** Bytes held for reuse (not counted in memory().numBytes, which counts live data). */
  get bytes(): number {
    return this.keptBytes;
  }

  /** Drops everything kept. */
  clear(): void {
    this.free.clear();
    this.keptBytes = 0;
  }

  /** Test hook: called with each buffer as it is kept (the tests fill it with NaN to prove no kernel reads stale memory). */
  onRecycle: ((values: Float32Array | Int32Array) => void) | null = null;
}
