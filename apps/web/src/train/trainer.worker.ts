/**
 * The trainer worker: starts the chosen backend here, off the page's main thread, trains, evaluates, and posts the
 * model file back (its buffer transferred, not copied). One run per worker: the panel terminates it afterwards.
 * If the backend cannot start here it says so ('backend-failed') and the panel trains on the main thread instead.
 */
import type { FromTrainer, StartMessage, ToTrainer } from './protocol.js';
import { startBackend } from './start-backend.js';
import { runTraining } from './train-run.js';

/** The dedicated-worker global, typed by what this file uses (the app compiles against the DOM library). */
const scope = self as unknown as {
  postMessage(msg: FromTrainer, opts?: { transfer?: Transferable[] }): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<ToTrainer>) => void): void;
};

const post = (msg: FromTrainer, transfer: Transferable[] = []): void => scope.postMessage(msg, { transfer });
const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

let stop = false;
let running = false;

async function start(msg: StartMessage): Promise<void> {
  let backend: string;
  try {
    backend = await startBackend(msg.backend);
  } catch (err) {
    post({ type: 'backend-failed', backend: msg.backend, message: errorText(err) });
    return;
  }
  post({ type: 'backend-ready', backend });
  try {
    const result = await runTraining(
      { settings: msg.settings, train: msg.train, test: msg.test, backend, mode: 'worker', evalBatchSize: 256 },
      { emit: (m) => post(m), stopRequested: () => stop },
    );
    // Transfer the file's buffer rather than copy it (a plain ArrayBuffer can be transferred; a shared one cannot).
    const buffer = result.bytes.buffer;
    post({ type: 'done', ...result }, buffer instanceof ArrayBuffer ? [buffer] : []);
  } catch (err) {
    post({ type: 'error', message: errorText(err) });
  }
}

scope.addEventListener('message', (e) => {
  const msg = e.data;
  if (msg.type === 'stop') {
    stop = true;
  } else if (msg.type === 'start') {
    if (running) {
      post({ type: 'error', message: 'trainer worker: a run is already in progress; start a new worker for another run' });
      return;
    }
    running = true;
    void start(msg);
  }
});
