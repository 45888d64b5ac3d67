import { compareUtf8, prefixUpperBound, utf8 } from "./keys";

/** A listing row whose first column is the key as text. */
export type KeyedRow = readonly [string, ...unknown[]];

/** Rows of one index in listing order, restricted to a key range; `limit` < 0 means unbounded. */
export interface RowSource<R extends KeyedRow> {
  range(lower: Buffer, lowerInclusive: boolean, upper: Buffer, limit: number): R[];
  /** The rows that follow `row` in listing order (a key may have several rows: its versions). */
  following(row: R, upper: Buffer, limit: number): R[];
}

/**
 * Collects one page plus one look-ahead item: S3 reports IsTruncated only when something really
 * follows, and rows and rolled-up common prefixes share the MaxKeys budget.
 */
export class PageCollector<R extends KeyedRow> {
  readonly rows: R[] = [];
  readonly prefixes: string[] = [];
  private lastWasPrefix = false;

  constructor(readonly maxItems: number) {}

  get count(): number {
    return this.rows.length + this.prefixes.length;
  }

  /** maxItems + 1 gathered: the page is complete and known to be truncated. */
  get full(): boolean {
    return this.count > this.maxItems;
  }

  get remaining(): number {
    return this.maxItems + 1 - this.count;
  }

  addRow(row: R): void {
    this.rows.push(row);
    this.lastWasPrefix = false;
  }

  addPrefix(prefix: string): void {
    this.prefixes.push(prefix);
    this.lastWasPrefix = true;
  }

  /** Drops the look-ahead item, if any; returns whether the page is truncated. */
  finish(): boolean {
    if (!this.full) return false;
    if (this.lastWasPrefix) this.prefixes.pop();
    else this.rows.pop();
    return true;
  }

  /** The greatest item kept: where the next page resumes. */
  lastItem(): { kind: "row"; row: R } | { kind: "prefix"; prefix: string } | undefined {
    const row = this.rows.at(-1);
    const prefix = this.prefixes.at(-1);
    if (row === undefined) return prefix === undefined ? undefined : { kind: "prefix", prefix };
    if (prefix === undefined || compareUtf8(row[0], prefix) > 0) return { kind: "row", row };
    return { kind: "prefix", prefix };
  }
}

export interface WalkRange {
  prefix: string;
  delimiter: string;
  /**
   * Exclusive start (StartAfter, marker, token position). Common prefixes not greater than it are
   * left out, which also skips the remainder of a prefix that ended the previous page.
   */
  after: string | undefined;
}

/** Rows read per range query right after a rolled-up prefix was left behind; doubles while no row is wasted. */
const SMALL_CHUNK = 4;

/**
 * Fills `page` from `source` in key order. Without a delimiter one bounded range read serves the page.
 * With one, rows are read in chunks; a rolled-up common prefix that runs past the end of a chunk is
 * skipped by a fresh seek past `prefix ‖ 0xFF`, and the next chunk starts small, so rows read inside
 * rolled-up prefixes stay within a constant factor of the items returned, however many keys a
 * prefix holds.
 */
export function walkRange<R extends KeyedRow>(source: RowSource<R>, page: PageCollector<R>, range: WalkRange): void {
  if (page.full) return;
  const { prefix, delimiter, after } = range;
  const prefixBytes = utf8(prefix);
  const upper = prefixUpperBound(prefixBytes);
  const startsAfter = after !== undefined && compareUtf8(after, prefix) >= 0;
  const lower = startsAfter ? utf8(after) : prefixBytes;

  if (delimiter === "") {
    for (const row of source.range(lower, !startsAfter, upper, page.remaining)) page.addRow(row);
    return;
  }

  let chunk = page.remaining;
  let rows = source.range(lower, !startsAfter, upper, chunk);
  for (;;) {
    let rolledUp: string | undefined;
    let wasted = false;
    for (const row of rows) {
      const key = row[0];
      if (rolledUp !== undefined) {
        if (key.startsWith(rolledUp)) {
          wasted = true;
          continue;
        }
        rolledUp = undefined;
      }
      const at = key.indexOf(delimiter, prefix.length);
      if (at < 0) {
        page.addRow(row);
      } else {
        rolledUp = key.slice(0, at + delimiter.length);
        if (after === undefined || compareUtf8(rolledUp, after) > 0) page.addPrefix(rolledUp);
      }
      if (page.full) return;
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < chunk) return;
    if (rolledUp !== undefined) {
      chunk = SMALL_CHUNK;
      rows = source.range(prefixUpperBound(utf8(rolledUp)), false, upper, chunk);
    } else {
      chunk = Math.min(page.remaining, wasted ? chunk : chunk * 2);
      rows = source.following(last, upper, chunk);
    }
  }
}
