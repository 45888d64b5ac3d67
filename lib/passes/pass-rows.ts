import "server-only";
import type Database from "better-sqlite3";
import { compareKeys } from "@/lib/lister";
import { END_OF_KEYS } from "./spans";

// The rows of one pass as every view reads them, whatever its layout:
// - "entries" (data directories written before passes shared storage, passes with keys out of order
//   or repeated, inventory reports): every entry of the pass is a row of `entries`, a page's entries
//   consecutive rowids in the order they were delivered;
// - "spans": the pass's rows are the rows of its target valid at its seq, in the key interval
//   (lo, hi] of each of its pages (see spans.ts), in key order.
// A row's id is its rowid in the first layout and its position in the pass's listing order in the
// second; either way a page's rows have the consecutive ids firstRow..firstRow+rowCount-1.

export type Layout = "entries" | "spans";

export interface PassLocation {
  seq: number;
  layout: Layout;
  /** The pass's target (spans layout; also entries passes that began in it). */
  target: number | null;
}

export interface PageSpan {
  page: number;
  /** Id of the page's first row. */
  firstRow: number;
  rowCount: number;
  /** Rows of the pass before this page, in listing order. */
  before: number;
  /** Spans layout: the key interval (lo, hi] the page covered; lo null from the first key, hi null to the last. */
  lo: string | null;
  hi: string | null;
}

/** A row: id, key, size, etag, LastModified, storage class, page, version id. */
export type RowTuple = [
  id: number,
  key: string,
  size: number,
  etag: string | null,
  lastModified: string | null,
  storageClass: string | null,
  page: number,
  versionId: string | null,
];

type PageRow = [page: number, firstRow: number, rowCount: number, lo: string | null, hi: string | null];

type EntryRow = [id: number, key: string, size: number, etag: string | null, lastModified: string | null, storageClass: string | null, versionId: string | null];
type SpanRow = [key: string, size: number, etag: string | null, lastModified: string | null, storageClass: string | null, versionId: string | null];


function statementsFor(db: Database.Database) {
  return {
    // Intervals read as text: SQLite hands the stored UTF-8 over as a string, cheaper than a Buffer each.
    pages: db
      .prepare<[number], PageRow>(`SELECT idx, first_row, row_count, CAST(lo AS TEXT), CAST(hi AS TEXT) FROM pages WHERE pass = ? ORDER BY range_after, idx`)
      .raw(),
    entryRange: db
      .prepare<[number, number], EntryRow>(
        `SELECT rowid, CAST(key AS TEXT), size, etag, last_modified, storage_class, version_id FROM entries WHERE rowid BETWEEN ? AND ? ORDER BY rowid`,
      )
      .raw(),
    spanWindow: db
      .prepare<{ target: number; seq: number; lo: string; hi: Buffer; offset: number; limit: number }, SpanRow>(
        `SELECT CAST(key AS TEXT), size, etag, last_modified, storage_class, version_id FROM spans
         WHERE target = @target AND key > CAST(@lo AS BLOB) AND key <= @hi AND from_seq <= @seq AND (to_seq IS NULL OR to_seq > @seq)
         ORDER BY key LIMIT @limit OFFSET @offset`,
      )
      .raw(),
    spanRange: db
      .prepare<{ target: number; seq: number; lo: string; hi: Buffer; limit: number }, SpanRow>(
        `SELECT CAST(key AS TEXT), size, etag, last_modified, storage_class, version_id FROM spans
         WHERE target = @target AND key > CAST(@lo AS BLOB) AND key <= @hi AND from_seq <= @seq AND (to_seq IS NULL OR to_seq > @seq)
         ORDER BY key LIMIT @limit`,
      )
      .raw(),
    spanRangeMatching: db
      .prepare<{ target: number; seq: number; lo: string; hi: Buffer; limit: number; q: string }, SpanRow>(
        `SELECT CAST(key AS TEXT), size, etag, last_modified, storage_class, version_id FROM spans
         WHERE target = @target AND key > CAST(@lo AS BLOB) AND key <= @hi AND from_seq <= @seq AND (to_seq IS NULL OR to_seq > @seq)
           AND instr(key, CAST(@q AS BLOB)) > 0
         ORDER BY key LIMIT @limit`,
      )
      .raw(),
    // instr(key, '') is 1: an empty q matches every key.
    spanRangeInPrefix: db
      .prepare<{ target: number; seq: number; lo: string; hi: Buffer; limit: number; q: string; low: Buffer; high: Buffer }, SpanRow>(
        `SELECT CAST(key AS TEXT), size, etag, last_modified, storage_class, version_id FROM spans
         WHERE target = @target AND key > CAST(@lo AS BLOB) AND key <= @hi AND key >= @low AND key < @high
           AND from_seq <= @seq AND (to_seq IS NULL OR to_seq > @seq) AND instr(key, CAST(@q AS BLOB)) > 0
         ORDER BY key LIMIT @limit`,
      )
      .raw(),
  };
}

type Statements = ReturnType<typeof statementsFor>;
const statements = new WeakMap<Database.Database, Statements>();

export class PassRows {
  private readonly stmt: Statements;

  constructor(readonly db: Database.Database) {
    let s = statements.get(db);
    if (s === undefined) {
      s = statementsFor(db);
      statements.set(db, s);
    }
    this.stmt = s;
  }

  /**
   * The pass's pages in listing order (a parallel pass's ranges by where they begin, each range's pages
   * in turn; one range otherwise), each with where its rows are.
   */
  pages(pass: PassLocation): PageSpan[] {
    let before = 0;
    return this.stmt.pages.all(pass.seq).map(([page, firstRow, rowCount, lo, hi]) => {
      const span: PageSpan = { page, firstRow: pass.layout === "spans" ? before : firstRow, rowCount, before, lo, hi };
      before += rowCount;
      return span;
    });
  }

  /** Rows `offset..offset+limit-1` of one page (fewer at its end). */
  read(pass: PassLocation, span: PageSpan, offset: number, limit: number): RowTuple[] {
    const count = Math.min(limit, span.rowCount - offset);
    if (count <= 0) return [];
    if (pass.layout === "entries") {
      const first = span.firstRow + offset;
      return this.stmt.entryRange.all(first, first + count - 1).map((r) => [r[0], r[1], r[2], r[3], r[4], r[5], span.page, r[6]] as RowTuple);
    }
    if (pass.target === null) return [];
    const rows = this.stmt.spanWindow.all({
      target: pass.target,
      seq: pass.seq,
      lo: span.lo ?? "",
      hi: span.hi === null ? END_OF_KEYS : Buffer.from(span.hi, "utf8"),
      offset,
      limit: count,
    });
    const first = span.firstRow + offset;
    return rows.map((r, i) => [first + i, r[0], r[1], r[2], r[3], r[4], span.page, r[5]]);
  }

  /** Every row of a page. */
  readPage(pass: PassLocation, span: PageSpan): RowTuple[] {
    return this.read(pass, span, 0, span.rowCount);
  }

  /**
   * A spans pass's rows in key order strictly after `after` (containing `q`, and in [low, high) with
   * `range`: a prefix filter), at most `limit`, each with its page.
   */
  after(pass: PassLocation, spans: readonly PageSpan[], after: string | null, limit: number, q: string | null, range: [Buffer, Buffer] | null = null): RowTuple[] {
    const out: RowTuple[] = [];
    if (pass.target === null) return out;
    const keyed = spans.filter((s) => s.hi !== "" && s.hi !== s.lo);
    for (const iv of coveredIntervals(keyed)) {
      if (out.length >= limit) break;
      if (after !== null && iv.hi !== null && compareKeys(iv.hi, after) <= 0) continue;
      if (range !== null && iv.hi !== null && Buffer.compare(Buffer.from(iv.hi, "utf8"), range[0]) < 0) continue;
      if (range !== null && iv.lo !== null && Buffer.compare(Buffer.from(iv.lo, "utf8"), range[1]) >= 0) break;
      const lo = after !== null && (iv.lo === null || compareKeys(after, iv.lo) > 0) ? after : iv.lo;
      const args = { target: pass.target, seq: pass.seq, lo: lo ?? "", hi: iv.hi === null ? END_OF_KEYS : Buffer.from(iv.hi, "utf8"), limit: limit - out.length };
      const rows =
        range !== null
          ? this.stmt.spanRangeInPrefix.all({ ...args, q: q ?? "", low: range[0], high: range[1] })
          : q === null
            ? this.stmt.spanRange.all(args)
            : this.stmt.spanRangeMatching.all({ ...args, q });
      for (const r of rows) {
        const span = spanOfKey(keyed, r[0]);
        out.push([-1, r[0], r[1], r[2], r[3], r[4], span?.page ?? -1, r[5]]);
      }
    }
    return out;
  }

  /** Rows by id, in the order asked (ids that are not the pass's are left out). */
  byIds(pass: PassLocation, spans: readonly PageSpan[], ids: readonly number[]): RowTuple[] {
    if (ids.length === 0) return [];
    const bySpan = new Map<PageSpan, number[]>();
    const sorted = spans.filter((s) => s.rowCount > 0).sort((a, b) => a.firstRow - b.firstRow);
    for (const id of ids) {
      const s = spanOfId(sorted, id);
      if (s === undefined) continue;
      const list = bySpan.get(s);
      if (list === undefined) bySpan.set(s, [id]);
      else list.push(id);
    }
    const found = new Map<number, RowTuple>();
    for (const [s, list] of bySpan) {
      const lo = Math.min(...list) - s.firstRow;
      const hi = Math.max(...list) - s.firstRow;
      for (const r of this.read(pass, s, lo, hi - lo + 1)) found.set(r[0], r);
    }
    const out: RowTuple[] = [];
    for (const id of ids) {
      const r = found.get(id);
      if (r !== undefined) out.push(r);
    }
    return out;
  }
}

/** The page (of pages in key order) whose interval holds `key`, or undefined when none covered it. */
export function spanOfKey(spans: readonly PageSpan[], key: string): PageSpan | undefined {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = spans[mid] as PageSpan;
    if (s.hi !== null && compareKeys(key, s.hi) > 0) lo = mid + 1;
    else if (s.lo !== null && compareKeys(key, s.lo) <= 0) hi = mid - 1;
    else return s.hi === "" ? undefined : s;
  }
  return undefined;
}

/** The span (sorted by firstRow) holding row id `id`. */
export function spanOfId(sortedByFirstRow: readonly PageSpan[], id: number): PageSpan | undefined {
  let lo = 0;
  let hi = sortedByFirstRow.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = sortedByFirstRow[mid] as PageSpan;
    if (id < s.firstRow) hi = mid - 1;
    else if (id >= s.firstRow + s.rowCount) lo = mid + 1;
    else return s;
  }
  return undefined;
}

/**
 * Consecutive pages of a spans pass joined into the key intervals they cover together, with the
 * position of each interval's first row: one range read covers many pages.
 */
export function coveredIntervals(spans: readonly PageSpan[]): { lo: string | null; hi: string | null; before: number; rows: number }[] {
  const out: { lo: string | null; hi: string | null; before: number; rows: number }[] = [];
  for (const s of spans) {
    if (s.hi === "") continue;
    const last = out[out.length - 1];
    if (last !== undefined && last.hi !== null && last.hi === s.lo) {
      last.hi = s.hi;
      last.rows += s.rowCount;
    } else if (s.hi !== s.lo) {
      out.push({ lo: s.lo, hi: s.hi, before: s.before, rows: s.rowCount });
    }
  }
  return out;
}

/** True when the pages of a spans pass covered every key of its target, from the first to the last. */
export function coversEverything(spans: readonly PageSpan[]): boolean {
  const intervals = coveredIntervals(spans);
  return intervals.length === 1 && intervals[0]?.lo === null && intervals[0].hi === null;
}
