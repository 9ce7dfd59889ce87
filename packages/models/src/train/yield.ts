/**
 * Lets the event loop run between batches. Training on the cpu backend computes on the calling thread, and awaiting
 * an already-resolved read is only a microtask: without a macrotask break a browser page would freeze and test
 * runners' own messages would time out. setImmediate (Node) costs microseconds; elsewhere a MessageChannel avoids
 * the ≥ 4 ms clamp of nested setTimeout.
 */
let channel: MessageChannel | null = null;
const waiting: (() => void)[] = [];

export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    if (!channel) {
      channel = new MessageChannel();
      channel.port1.onmessage = () => waiting.shift()?.();
    }
    return new Promise((resolve) => {
      waiting.push(resolve);
      channel!.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
