/**
 * The results table: one row per (workload, engine), filled in as rows finish. Unsupported, skipped or failed pairs
 * show their reason instead of numbers; W1 rows show the max abs error against the cpu backend's output.
 */
import type { BrowserBenchRow, BrowserWorkload } from '../../../../tools/bench/src/browser.js';

const WORKLOAD_LABEL: Record<BrowserWorkload, string> = {
  'w1-fwd': 'W1 forward (1.21 GFLOP)',
  'mnist-step': 'MNIST-CNN training step (batch 64, Adam)',
  'resnet18-infer': 'ResNet-18 inference (batch 1, 224², 3.63 GFLOP)',
  'mobilenet-infer': 'MobileNet v1 inference (batch 1, 224², 1.14 GFLOP)',
};

const COLUMNS = ['workload', 'engine', 'median ms', 'min ms', 'GFLOP/s', 'img/s', 'runs', 'max abs err vs cpu', 'note'];

export function createTable(container: HTMLElement): { add(row: BrowserBenchRow): void; clear(): void } {
  const table = document.createElement('table');
  table.dataset.testid = 'bench-table';
  const head = table.createTHead().insertRow();
  for (const c of COLUMNS) {
    const th = document.createElement('th');
    th.textContent = c;
    th.scope = 'col';
    head.append(th);
  }
  const body = table.createTBody();
  container.replaceChildren(table);
  return {
    clear: () => body.replaceChildren(),
    add(r: BrowserBenchRow) {
      const tr = body.insertRow();
      tr.dataset.workload = r.workload;
      tr.dataset.backend = r.backend;
      tr.dataset.status = r.status;
      const ok = r.status === 'ok';
      const num = (v: number | undefined, digits: number) => (ok && v !== undefined ? v.toFixed(digits) : '—');
      const agreement = r.maxAbsErr === undefined ? '' : `${r.maxAbsErr.toExponential(1)} ${r.agrees ? '✓' : `✗ (> ${r.tolerance?.toExponential(1)})`}`;
      const cells = [
        WORKLOAD_LABEL[r.workload], r.backend, num(r.medianMs, 1), num(r.minMs, 1), num(r.gflops, 2), num(r.imagesPerSec, 1),
        ok ? `${r.runs} (+${r.warmup} warm-up)` : '—', agreement, r.reason ?? '',
      ];
      cells.forEach((text, i) => {
        const td = tr.insertCell();
        td.textContent = text;
        if (i >= 2 && i <= 6) td.className = 'num';
      });
      if (r.status !== 'ok' || r.agrees === false) tr.className = r.status === 'unsupported' || r.status === 'skipped' ? 'unsupported' : 'bad';
    },
  };
}
