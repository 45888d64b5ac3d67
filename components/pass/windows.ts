// The whole-pass table asks the server for fixed blocks of rows, so scrolling back and forth reuses
// cached blocks and a query key says exactly which rows it holds.

export const BLOCK_ROWS = 200;

export interface Block {
  offset: number;
  limit: number;
}

/** The blocks covering rows first..last (inclusive), clipped to `total` rows. */
export function blocksFor(first: number, last: number, total: number): Block[] {
  if (total <= 0 || last < first) return [];
  const lo = Math.max(0, Math.floor(first / BLOCK_ROWS));
  const hi = Math.floor(Math.min(last, total - 1) / BLOCK_ROWS);
  const out: Block[] = [];
  for (let b = lo; b <= hi; b++) {
    const offset = b * BLOCK_ROWS;
    out.push({ offset, limit: Math.min(BLOCK_ROWS, total - offset) });
  }
  return out;
}

/** True when the two block lists are far apart: the user jumped rather than scrolled. */
export function jumped(previous: readonly Block[], next: readonly Block[]): boolean {
  const a = previous[0];
  const b = next[0];
  if (a === undefined || b === undefined) return false;
  return Math.abs(a.offset - b.offset) > 2 * BLOCK_ROWS;
}
