import { compareKeys } from "@/lib/wire";
import type { PageRecord } from "@/lib/wire";

// The whole-pass table in listing order interleaves one band per page with the rows: band j sits
// just before the first row of page j. Rows are fetched by row index, so the table maps each
// virtual item index to a band or a row index (binary search over the band positions).

export type TableItem = { kind: "band"; page: PageRecord } | { kind: "row"; row: number };

export interface BandLayout {
  /** Virtual index of each page's band, in page order. */
  bandAt: readonly number[];
  pages: readonly PageRecord[];
  rows: number;
  items: number;
}

/**
 * Page records in listing order, which is key order: a parallel pass's key ranges by where they
 * begin, each range's pages in turn; a sequential pass's pages as they are.
 */
export function inListingOrder(records: readonly PageRecord[]): readonly PageRecord[] {
  if (!records.some((p) => p.cursor !== undefined)) return records;
  return [...records].sort((a, b) => compareKeys(a.cursor?.after ?? "", b.cursor?.after ?? "") || a.index - b.index);
}

export function bandLayout(records: readonly PageRecord[]): BandLayout {
  const pages = inListingOrder(records);
  const bandAt: number[] = [];
  let rows = 0;
  pages.forEach((p, j) => {
    bandAt.push(rows + j);
    rows += p.entryCount;
  });
  return { bandAt, pages, rows, items: rows + pages.length };
}

export function itemAt(layout: BandLayout, index: number): TableItem {
  const { bandAt, pages } = layout;
  let lo = 0;
  let hi = bandAt.length - 1;
  let j = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((bandAt[mid] as number) <= index) {
      j = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (j >= 0 && bandAt[j] === index) return { kind: "band", page: pages[j] as PageRecord };
  return { kind: "row", row: index - (j + 1) };
}

/** The virtual index of the band of the page with this index, or null when it has not arrived. */
export function bandIndexOf(layout: BandLayout, pageIndex: number): number | null {
  const j = layout.pages.findIndex((p) => p.index === pageIndex);
  return j === -1 ? null : (layout.bandAt[j] as number);
}

/** How many rows come before virtual item `index` (bands do not count). */
export function rowsBefore(layout: BandLayout, index: number): number {
  let lo = 0;
  let hi = layout.bandAt.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((layout.bandAt[mid] as number) < index) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, index - lo);
}
