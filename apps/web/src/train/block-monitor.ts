/**
 * Measures how long the main thread was blocked while training runs: a 16 ms timer heartbeat (how late each tick
 * fires is how long something held the thread) plus the browser's long-task entries where it reports them (tasks
 * over 50 ms, Chromium). The larger of the two is the honest figure: it includes our own chart drawing.
 */
const TICK_MS = 16;

export class MainThreadMonitor {
  private maxBlockMs = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private observer: PerformanceObserver | null = null;
  private expected = 0;
  private since = 0;

  /** The longest block seen since `start`, in milliseconds. */
  get maxBlock(): number {
    return this.maxBlockMs;
  }

  start(): void {
    this.stop();
    this.maxBlockMs = 0;
    this.since = performance.now();
    if (typeof PerformanceObserver === 'function' && PerformanceObserver.supportedEntryTypes?.includes('longtask')) {
      this.observer = new PerformanceObserver((list) => {
        // Entries arrive after the task ends: one that began before `start` belongs to the previous phase.
        for (const e of list.getEntries()) if (e.startTime >= this.since) this.note(e.duration);
      });
      this.observer.observe({ type: 'longtask' });
    }
    this.tick();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.observer?.disconnect();
    this.observer = null;
  }

  private note(ms: number): void {
    if (ms > this.maxBlockMs) this.maxBlockMs = ms;
  }

  private tick(): void {
    this.expected = performance.now() + TICK_MS;
    this.timer = setTimeout(() => {
      // A hidden tab throttles timers to ~1 s: that lateness is the browser's doing, not a blocked thread.
      if (document.visibilityState === 'visible') this.note(Math.max(0, performance.now() - this.expected));
      this.tick();
    }, TICK_MS);
  }
}
