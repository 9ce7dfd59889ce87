/**
 * Child process of checkpoint-kill.test.ts: writes checkpoints 1…count into `dir` from the prepared files in
 * `source/<k>/` (checkpoint k: every weight = k, epoch k). With `pause` = 'k:<phase>' it prints `PAUSED` at that phase
 * of checkpoint k and waits to be killed; otherwise it sleeps `sleepMs` at every phase (so a kill at a random time
 * lands inside a write) and prints `DONE k` after each checkpoint. It imports only the writer (no @cnn/core) to start fast.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeCheckpoint } from '../../src/checkpoint-write.js';

const [source, dir, countText, pause = '', sleepText = '0'] = process.argv.slice(2);
const count = Number(countText);
const sleepMs = Number(sleepText);
for (let k = 1; k <= count; k++) {
  const from = join(source, String(k));
  const files = Object.fromEntries(readdirSync(from).map((f) => [f, new Uint8Array(readFileSync(join(from, f)))]));
  await writeCheckpoint(dir, files, { epoch: k, batch: 0 }, {
    onPhase: async (phase) => {
      if (pause === `${k}:${phase}`) {
        process.stdout.write('PAUSED\n');
        await new Promise(() => setInterval(() => undefined, 1000)); // until killed
      }
      if (sleepMs) await new Promise((r) => setTimeout(r, sleepMs));
    },
  });
  process.stdout.write(`DONE ${k}\n`);
}
