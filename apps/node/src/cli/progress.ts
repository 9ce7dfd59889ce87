/** Training progress: a cli-progress bar on a TTY, plain lines otherwise (logs, pipes, CI). */
import cliProgress from 'cli-progress';
import type { BatchStats, EpochStats } from '@cnn/models';

/** Batch / epoch statistics with the metric shown beside the loss: accuracy (classifiers) or `metric` (e.g. PSNR). */
export type ProgressBatch = Omit<BatchStats, 'accuracy'> & { accuracy?: number; metric?: number };
export type ProgressEpoch = Omit<EpochStats, 'accuracy'> & { accuracy?: number; metric?: number };

export interface Progress {
  batch(s: ProgressBatch): void;
  epoch(s: ProgressEpoch, extra?: string): void;
  stop(): void;
}

/** 'acc': training accuracy (default); 'psnr': `metric` in dB (denoisers). */
type MetricKind = 'acc' | 'psnr';
const metricText = (kind: MetricKind, s: { accuracy?: number; metric?: number }): string =>
  kind === 'psnr' ? `psnr ${fmt(s.metric ?? NaN, 2)} dB` : `acc ${fmt(s.accuracy ?? NaN)}`;

const fmt = (v: number, d = 4): string => (Number.isFinite(v) ? v.toFixed(d) : String(v));

export function makeProgress(opts: { tty: boolean; logEvery: number; out?: (line: string) => void; metric?: MetricKind }): Progress {
  const kind = opts.metric ?? 'acc';
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
              format: `epoch ${s.epoch}/${s.epochs} [{bar}] {value}/{total} | loss {loss} | {metric} | {ips} img/s | eta {eta_formatted}`,
              stream: process.stdout, hideCursor: true, clearOnComplete: true, etaBuffer: 50,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(s.batches, 0, { loss: '-', metric: '-', ips: '-' });
          epochShown = s.epoch;
        }
        bar.update(s.batch, { loss: fmt(s.runningLoss), metric: metricText(kind, s), ips: s.imagesPerSec.toFixed(0) });
      },
      epoch(s, extra = '') {
        bar?.stop();
        bar = null;
        out(epochLine(s, extra, kind));
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
        out(`  epoch ${s.epoch}/${s.epochs} batch ${s.batch}/${s.batches}  loss ${fmt(s.runningLoss)}  ${metricText(kind, s)}  ${s.imagesPerSec.toFixed(0)} img/s`);
      }
    },
    epoch(s, extra = '') {
      out(epochLine(s, extra, kind));
    },
    stop() {},
  };
}

function epochLine(s: ProgressEpoch, extra: string, kind: MetricKind): string {
  return `epoch ${s.epoch}/${s.epochs}  loss ${fmt(s.loss)}  train ${metricText(kind, s)}  ${s.imagesPerSec.toFixed(0)} img/s  ${s.seconds.toFixed(1)} s  lr ${s.lr.toPrecision(3)}${extra}`;
}
