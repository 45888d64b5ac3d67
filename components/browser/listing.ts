import type { BrowseEndEvent, BrowseEvent, BrowseStartEvent, Entry, PageFlag, PassError, Tie } from "@/lib/wire";

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
  /** How the walk got past an odd marker or ending on this page. */
  flags: PageFlag[];
  /** As-of mode: what the ListObjectVersions page held (tokens are key markers there). */
  versions: { versions: number; deleteMarkers: number; absentKeys: number; ties: number } | null;
}

export type ListingRow =
  | { kind: "band"; band: PageBand }
  | { kind: "folder"; prefix: string; page: number }
  | { kind: "object"; entry: Entry; page: number; tie?: Tie };

export interface Listing {
  /** The request this listing answers (its browse API URL): what the rows belong to. */
  url: string;
  /**
   * Which run of listing this is, counted up in the page for every listing started, also a new run
   * of the same URL: a view of a finished listing can say exactly which one it shows.
   */
  generation: number;
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
  /** As-of mode: keys whose state at T depends on a change in T's own second, in listing order. */
  ties: Tie[];
}

export function emptyListing(url = "", generation = 0): Listing {
  return { url, generation, start: null, rows: [], rowCount: 0, bandRows: [], bands: [], objects: 0, folders: 0, bytes: 0, end: null, streamError: null, ties: [] };
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
      const ties = new Map((event.ties ?? []).map((t) => [t.key, t]));
      const rows: ListingRow[] = [];
      let e = 0;
      let p = 0;
      while (e < entries.length || p < commonPrefixes.length) {
        const entry = entries[e];
        const prefix = commonPrefixes[p];
        if (entry !== undefined && (prefix === undefined || compareCodePoints(entry.key, prefix) < 0)) {
          const tie = ties.get(entry.key);
          rows.push(tie !== undefined ? { kind: "object", entry, page: page.index, tie } : { kind: "object", entry, page: page.index });
          e++;
        } else if (prefix !== undefined) {
          rows.push({ kind: "folder", prefix, page: page.index });
          p++;
        }
      }
      const nameOf = (row: ListingRow | undefined): string | null =>
        row === undefined ? null : row.kind === "object" ? row.entry.key : row.kind === "folder" ? row.prefix : null;
      const v = page.versions;
      const band: PageBand = {
        index: page.index,
        firstKey: nameOf(rows[0]),
        lastKey: nameOf(rows[rows.length - 1]),
        objectCount: entries.length,
        folderCount: commonPrefixes.length,
        bytes: page.bytes,
        durationMs: page.durationMs,
        attempts: page.attempts,
        tokenIn: v !== undefined ? v.keyMarker : page.request.continuationToken,
        tokenOut: v !== undefined ? v.nextKeyMarker : page.nextContinuationToken,
        anomalyCount: page.anomalyCount,
        error: page.error,
        flags: page.flags ?? [],
        versions: v !== undefined ? { versions: v.versions, deleteMarkers: v.deleteMarkers, absentKeys: v.absentKeys, ties: v.tieCount } : null,
      };
      listing.bandRows.push(listing.rows.length);
      listing.rows.push({ kind: "band", band });
      for (const row of rows) listing.rows.push(row);
      listing.rowCount = listing.rows.length;
      listing.bands.push(band);
      listing.objects += entries.length;
      listing.folders += commonPrefixes.length;
      listing.bytes += page.bytes;
      for (const t of ties.values()) listing.ties.push(t);
      return;
    }
  }
}

/** A value React can hold: new identity, the shared rows cut at their current length. */
export function snapshotListing(listing: Listing): Listing {
  return { ...listing, rowCount: listing.rows.length, bands: listing.bands.slice(), bandRows: listing.bandRows.slice(), ties: listing.ties.slice() };
}
