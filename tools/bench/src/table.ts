/** Plain-text tables for the CLIs: the first `leftColumns` columns left-aligned, the rest (numbers) right-aligned. */
export function formatTable(head: string[], rows: string[][], leftColumns = 2): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [head, ...rows].map(line).join('\n');
}
