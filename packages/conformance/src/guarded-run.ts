import { memory, type Tensor } from '@cnn/core';
import type { CaseFailure } from './runner.js';

/**
 * Runs one case's `body`, which pushes every tensor it makes onto `made`: an exception becomes a 'run' failure, the
 * tensors are disposed whatever happens, and live tensors or backend data blocks left over become a 'leak' failure.
 */
export async function guardedRun(failures: CaseFailure[], body: (made: Tensor[]) => Promise<void>, leakContext = ''): Promise<void> {
  const before = memory();
  const made: Tensor[] = [];
  try {
    await body(made);
  } catch (err) {
    failures.push({ what: 'run', message: err instanceof Error ? err.message : String(err) });
  } finally {
    for (const t of made) t.dispose();
  }
  const after = memory();
  if (after.numTensors !== before.numTensors || after.numDataIds !== before.numDataIds) {
    failures.push({
      what: 'leak',
      message: `live tensors ${before.numTensors} → ${after.numTensors}, backend data blocks ${before.numDataIds} → ${after.numDataIds}${leakContext}`,
    });
  }
}
