/**
 * The confusion matrix as a 10×10 table: rows are the actual digits, columns the predicted ones, each cell shaded by
 * its share of the row (so a class with few test images reads the same as one with many). The diagonal (correct)
 * is shaded green, mistakes red.
 */

/** Builds the table for `matrix[actual][predicted]` counts. */
export function confusionTable(matrix: number[][], classNames: readonly string[]): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'train-confusion';
  table.dataset.testid = 'train-confusion';
  const caption = table.createCaption();
  caption.textContent = 'Confusion matrix: rows = actual digit, columns = predicted digit (shade = share of the row)';

  const head = table.createTHead().insertRow();
  const corner = document.createElement('th');
  corner.textContent = 'actual ↓ / predicted →';
  corner.scope = 'col';
  head.appendChild(corner);
  for (const name of classNames) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = name;
    head.appendChild(th);
  }

  const body = table.createTBody();
  matrix.forEach((row, actual) => {
    const tr = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = classNames[actual] ?? String(actual);
    tr.appendChild(th);
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, predicted) => {
      const td = tr.insertCell();
      const share = total ? count / total : 0;
      td.textContent = String(count);
      td.title = `actual ${classNames[actual]}, predicted ${classNames[predicted]}: ${count} of ${total} (${(share * 100).toFixed(1)} %)`;
      // Mistakes are rarer than hits: a square root makes a few percent of confusion visible.
      const alpha = actual === predicted ? share : Math.sqrt(share);
      td.style.backgroundColor = actual === predicted ? `rgba(46, 160, 67, ${alpha.toFixed(3)})` : `rgba(208, 69, 47, ${alpha.toFixed(3)})`;
      td.style.color = alpha > 0.55 ? '#fff' : '';
    });
  });
  return table;
}
