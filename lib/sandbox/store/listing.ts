import { compareUtf8, prefixUpperBound, utf8 } from "./keys";

/** A listing row whose first column is the key as text. */
export type KeyedRow = readonly [string, ...unknown[]];

/**
 * Rows of one index in listing order, restricted to a key range. `limit` < 0 means unbounded;
 * with `lazy` the rows are produced on demand so that abandoning the iteration costs nothing.
 */
export interface RowSource<R extends KeyedRow> {
  range(lower: Buffer, lowerInclusive: boolean, upper: Buffer, limit: number, lazy: boolean): Iterable<R>;
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

/**
 * Fills `page` from `source` in key order. Without a delimiter one bounded range read serves the page;
 * with one, each rolled-up common prefix is skipped by a fresh seek past `prefix ‖ 0xFF`, so the
 * cost is per item returned, never per key inside a rolled-up prefix.
 */
export function walkRange<R extends KeyedRow>(source: RowSource<R>, page: PageCollector<R>, range: WalkRange): void {
  if (page.full) return;
  const { prefix, delimiter, after } = range;
  const prefixBytes = utf8(prefix);
  const upper = prefixUpperBound(prefixBytes);
  let lower = prefixBytes;
  let lowerInclusive = true;
  if (after !== undefined && compareUtf8(after, prefix) >= 0) {
    lower = utf8(after);
    lowerInclusive = false;
  }

  if (delimiter === "") {
    for (const row of source.range(lower, lowerInclusive, upper, page.remaining, false)) page.addRow(row);
    return;
  }

  for (;;) {
    let skipPast: string | undefined;
    for (const row of source.range(lower, lowerInclusive, upper, -1, true)) {
      const key = row[0];
      const at = key.indexOf(delimiter, prefix.length);
      if (at < 0) {
        page.addRow(row);
        if (page.full) return;
        continue;
      }
      skipPast = key.slice(0, at + delimiter.length);
      if (after === undefined || compareUtf8(skipPast, after) > 0) {
        page.addPrefix(skipPast);
        if (page.full) return;
      }
      break;
    }
    if (skipPast === undefined) return;
    lower = prefixUpperBound(utf8(skipPast));
    lowerInclusive = false;
  }
}
