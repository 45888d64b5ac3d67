import type { BrowseEndEvent, BrowseEvent, BrowseStartEvent, Entry, PassError } from "@/lib/wire";

// Folds the browse stream into rows for one virtualized list: a band row opening every page, then
// that page's folders and objects in S3's order. Pure: no React, unit-tested.

export interface PageBand {
  index: number;
  /** First and last name of the page, folders included (S3 orders both together). */
  firstKey: string | null;
  lastKey: string | null;
  objectCount: number;
  folderCount: number;
  bytes: number;
  durationMs: number;
  attempts: number;
  /** The token this page was requested with, and the one it handed to the next page. */
  tokenIn: string | null;
  tokenOut: string | null;
  anomalyCount: number;
  error: PassError | null;
}

export type ListingRow =
  | { kind: "band"; band: PageBand }
  | { kind: "folder"; prefix: string; page: number }
  | { kind: "object"; entry: Entry; page: number };

export interface Listing {
  start: BrowseStartEvent | null;
  /**
   * Append-only and shared between snapshots (copying 100k rows per page would be quadratic): read
   * only the first `rowCount` rows, which never change once written.
   */
  rows: ListingRow[];
  rowCount: number;
  /** Row index of each page's band, by page index. */
  bandRows: number[];
  bands: PageBand[];
  objects: number;
  folders: number;
  bytes: number;
  end: BrowseEndEvent | null;
  streamError: { code: string; message: string } | null;
}

export function emptyListing(): Listing {
  return { start: null, rows: [], rowCount: 0, bandRows: [], bands: [], objects: 0, folders: 0, bytes: 0, end: null, streamError: null };
}

/** S3 orders by UTF-8 bytes, which is code point order; JS `<` compares UTF-16 units instead. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Mutates `listing` (the fold runs on a private copy inside the query function). */
export function applyBrowseEvent(listing: Listing, event: BrowseEvent): void {
  switch (event.type) {
    case "start":
      listing.start = event;
      return;
    case "end":
      listing.end = event;
      return;
    case "error":
      listing.streamError = event.error;
      return;
    case "page": {
      const { page, entries, commonPrefixes } = event;
      const rows: ListingRow[] = [];
      let e = 0;
      let p = 0;
      while (e < entries.length || p < commonPrefixes.length) {
        const entry = entries[e];
        const prefix = commonPrefixes[p];
        if (entry !== undefined && (prefix === undefined || compareCodePoints(entry.key, prefix) < 0)) {
          rows.push({ kind: "object", entry, page: page.index });
          e++;
        } else if (prefix !== undefined) {
          rows.push({ kind: "folder", prefix, page: page.index });
          p++;
        }
      }
      const nameOf = (row: ListingRow | undefined): string | null =>
        row === undefined ? null : row.kind === "object" ? row.entry.key : row.kind === "folder" ? row.prefix : null;
      const band: PageBand = {
        index: page.index,
        firstKey: nameOf(rows[0]),
        lastKey: nameOf(rows[rows.length - 1]),
        objectCount: entries.length,
        folderCount: commonPrefixes.length,
        bytes: page.bytes,
        durationMs: page.durationMs,
        attempts: page.attempts,
        tokenIn: page.request.continuationToken,
        tokenOut: page.nextContinuationToken,
        anomalyCount: page.anomalyCount,
        error: page.error,
      };
      listing.bandRows.push(listing.rows.length);
      listing.rows.push({ kind: "band", band });
      for (const row of rows) listing.rows.push(row);
      listing.rowCount = listing.rows.length;
      listing.bands.push(band);
      listing.objects += entries.length;
      listing.folders += commonPrefixes.length;
      listing.bytes += page.bytes;
      return;
    }
  }
}

/** A value React can hold: new identity, the shared rows cut at their current length. */
export function snapshotListing(listing: Listing): Listing {
  return { ...listing, rowCount: listing.rows.length, bands: listing.bands.slice(), bandRows: listing.bandRows.slice() };
}
