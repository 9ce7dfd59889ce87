/** Training progress: a cli-progress bar on a TTY, plain lines otherwise (logs, pipes, CI). */
import cliProgress from 'cli-progress';
import type { BatchStats, EpochStats } from '@cnn/models';

export interface Progress {
  batch(s: BatchStats): void;
  epoch(s: EpochStats, extra?: string): void;
  stop(): void;
}

const fmt = (v: number, d = 4): string => (Number.isFinite(v) ? v.toFixed(d) : String(v));

export function makeProgress(opts: { tty: boolean; logEvery: number; out?: (line: string) => void }): Progress {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  if (opts.tty) {
    let bar: cliProgress.SingleBar | null = null;
    let epochShown = 0;
    return {
      batch(s) {
        if (!bar || epochShown !== s.epoch) {
          bar?.stop();
          bar = new cliProgress.SingleBar(
            {
              format: `epoch ${s.epoch}/${s.epochs} [{bar}] {value}/{total} | loss {loss} | acc {acc} | {ips} img/s | eta {eta_formatted}`,
              stream: process.stdout, hideCursor: true, clearOnComplete: true, etaBuffer: 50,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(s.batches, 0, { loss: '-', acc: '-', ips: '-' });
          epochShown = s.epoch;
        }
        bar.update(s.batch, { loss: fmt(s.runningLoss), acc: fmt(s.accuracy), ips: s.imagesPerSec.toFixed(0) });
      },
      epoch(s, extra = '') {
        bar?.stop();
        bar = null;
        out(epochLine(s, extra));
      },
      stop() {
        bar?.stop();
        bar = null;
      },
    };
  }
  return {
    batch(s) {
      if (opts.logEvery > 0 && s.batch % opts.logEvery === 0 && s.batch < s.batches) {
        out(`  epoch ${s.epoch}/${s.epochs} batch ${s.batch}/${s.batches}  loss ${fmt(s.runningLoss)}  acc ${fmt(s.accuracy)}  ${s.imagesPerSec.toFixed(0)} img/s`);
      }
    },
    epoch(s, extra = '') {
      out(epochLine(s, extra));
    },
    stop() {},
  };
}

function epochLine(s: EpochStats, extra: string): string {
  return `epoch ${s.epoch}/${s.epochs}  loss ${fmt(s.loss)}  train acc ${fmt(s.accuracy)}  ${s.imagesPerSec.toFixed(0)} img/s  ${s.seconds.toFixed(1)} s  lr ${s.lr.toPrecision(3)}${extra}`;
}
