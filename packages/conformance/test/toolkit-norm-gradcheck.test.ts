// Issue 13's normalisation and rearrangement ops (groupNorm, layerNorm, instanceNorm, pixelShuffle, pixelUnshuffle,
// channelShuffle): every fixture case, and every case's gradients against central differences (not only the first
// few per file, as the backends' suites do). cpu by default; CNN_CONFORMANCE_BACKEND=workers|gpu runs the same on
// another backend (gpu under xvfb-run).
import { resolve } from 'node:path';
import '@cnn/backend-cpu';
import { runConformance } from '../src/vitest.js';

const OPS = ['groupNorm', 'layerNorm', 'instanceNorm', 'pixelShuffle', 'pixelUnshuffle', 'channelShuffle'];
const files = OPS.map((op) => resolve(__dirname, '../fixtures', `${op}.json`));

runConformance(process.env.CNN_CONFORMANCE_BACKEND ?? 'cpu', { files, gradCheckCases: 1000 });
