import "server-only";
import Database from "better-sqlite3";
import { compareKeys } from "@/lib/lister";
import { DIFF_FIELDS, type DiffField, type DiffKind } from "@/lib/wire";
import { rolledUp, type KeyRange, type ResolvedPlan } from "./plan";

// The streaming merge. Both passes are read in UTF-8 byte order (keys are BLOBs, so ORDER BY key is
// memcmp order) by two iterating cursors over the (pass, key) index, which hold only the row at hand.
// The cursors carry rowid and key alone: the index covers them, so no table row is touched and no
// field crosses into JavaScript for the great majority of keys that did not change.
//
// Matched keys are gathered into runs: consecutive keys whose rowids advance by one in both passes
// and that stay on one page of each. A run's fields are then compared by SQLite in one statement
// (rowid a+i against rowid b+i), which returns only the rows that differ. Added and removed keys form
// runs the same way. A run never crosses a page boundary of either pass, so page bands fall between
// runs, and a run is at most one page long.

export const RUN_KIND = { unchanged: 0, added: 1, removed: 2, changed: 3 } as const satisfies Record<DiffKind, number>;
export type RunKindCode = (typeof RUN_KIND)[DiffKind];
export const KIND_OF_CODE: readonly DiffKind[] = ["unchanged", "added", "removed", "changed"];

/** Bit i stands for DIFF_FIELDS[i]. */
export function fieldsOf(mask: number): DiffField[] {
  return DIFF_FIELDS.filter((_, i) => (mask & (1 << i)) !== 0);
}

export interface DiffRun {
  kind: RunKindCode;
  /** Changed fields (bits in DIFF_FIELDS order); 0 unless changed. */
  fields: number;
  length: number;
  /** Rowid of the run's first entry in pass A (entries of a run are consecutive rowids); null when added. */
  aRow: number | null;
  bRow: number | null;
  aPage: number | null;
  bPage: number | null;
}

type KeyTuple = [rowid: number, key: string];
type FieldDiffTuple = [offset: number, mask: number];

/** The pages of a pass as rowid ranges, to find the page of any of its entries. */
class PageSpans {
  private at = 0;

  constructor(
    private readonly firstRows: Float64Array,
    private readonly rowCounts: Float64Array,
    private readonly pages: Int32Array,
  ) {}

  pageOf(rowid: number): number {
    const i = this.at;
    if (i < this.firstRows.length && rowid >= (this.firstRows[i] as number) && rowid < (this.firstRows[i] as number) + (this.rowCounts[i] as number)) {
      return this.pages[i] as number;
    }
    let lo = 0;
    let hi = this.firstRows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.firstRows[mid] as number) <= rowid) lo = mid + 1;
      else hi = mid - 1;
    }
    if (hi < 0) return -1;
    this.at = hi;
    return this.pages[hi] as number;
  }
}

/**
 * A read-only connection of its own for one comparison: its iterators may stay open across awaits
 * (a slow NDJSON reader) without blocking the pass recorder's writes on the main connection, and it
 * sees one snapshot of the database from the first row to the last.
 */
export class DiffReader {
  readonly db: Database.Database;
  readonly fieldDiffs: Database.Statement<[{ a: number; b: number; last: number }], FieldDiffTuple>;
  readonly entryRange: Database.Statement<[number, number], EntryTuple>;
  private readonly spanRows: Database.Statement<[number], [number, number, number]>;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    this.db.pragma("busy_timeout = 5000");
    this.fieldDiffs = this.db
      .prepare<[{ a: number; b: number; last: number }], FieldDiffTuple>(
        `SELECT a.rowid - @a,
           (a.etag IS NOT b.etag) | ((a.size IS NOT b.size) << 1) | ((a.last_modified IS NOT b.last_modified) << 2) | ((a.storage_class IS NOT b.storage_class) << 3) AS mask
         FROM entries a JOIN entries b ON b.rowid = a.rowid - @a + @b
         WHERE a.rowid BETWEEN @a AND @last AND mask <> 0
         ORDER BY a.rowid`,
      )
      .raw();
    this.entryRange = this.db
      .prepare<[number, number], EntryTuple>(
        `SELECT CAST(key AS TEXT), size, etag, last_modified, storage_class FROM entries WHERE rowid BETWEEN ? AND ? ORDER BY rowid`,
      )
      .raw();
    this.spanRows = this.db
      .prepare<[number], [number, number, number]>(`SELECT first_row, row_count, idx FROM pages WHERE pass = ? AND row_count > 0 ORDER BY first_row`)
      .raw();
  }

  spans(seq: number): PageSpans {
    const rows = this.spanRows.all(seq);
    const firstRows = new Float64Array(rows.length);
    const rowCounts = new Float64Array(rows.length);
    const pages = new Int32Array(rows.length);
    rows.forEach(([first, count, idx], i) => {
      firstRows[i] = first;
      rowCounts[i] = count;
      pages[i] = idx;
    });
    return new PageSpans(firstRows, rowCounts, pages);
  }

  /** A fresh cursor over one pass's keys in the range (a statement iterates one cursor at a time). */
  keys(seq: number, range: KeyRange): IterableIterator<KeyTuple> {
    const where = ["pass = ?"];
    const args: (number | Buffer)[] = [seq];
    const bound = (sql: string, value: Buffer | null) => {
      if (value === null) return;
      where.push(sql);
      args.push(value);
    };
    bound("key >= ?", range.from);
    bound("key < ?", range.below);
    bound("key > ?", range.after);
    bound("key <= ?", range.through);
    const sql = `SELECT rowid, CAST(key AS TEXT) FROM entries WHERE ${where.join(" AND ")} ORDER BY key, rowid`;
    return this.db.prepare<unknown[], KeyTuple>(sql).raw().iterate(...args);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export type EntryTuple = [key: string, size: number, etag: string | null, lastModified: string | null, storageClass: string | null];

/** One pass's cursor: the current key, its rowid and page; keys the other pass cannot cover are skipped. */
class SideCursor {
  rowid = 0;
  key = "";
  page = 0;
  done = false;

  constructor(
    private readonly rows: IterableIterator<KeyTuple>,
    private readonly spans: PageSpans,
    private readonly range: KeyRange,
  ) {}

  advance(): void {
    for (;;) {
      const next = this.rows.next();
      if (next.done === true) {
        this.done = true;
        return;
      }
      const [rowid, key] = next.value;
      if (this.range.rollups.length > 0 && rolledUp(key, this.range.rollups)) continue;
      this.rowid = rowid;
      this.key = key;
      this.page = this.spans.pageOf(rowid);
      return;
    }
  }

  close(): void {
    this.rows.return?.();
  }
}

const PAIRED = -1;

/** The run being gathered: matched keys (PAIRED, compared when it closes), or added or removed ones. */
interface OpenRun {
  kind: typeof PAIRED | typeof RUN_KIND.added | typeof RUN_KIND.removed;
  length: number;
  aRow: number;
  bRow: number;
  aPage: number;
  bPage: number;
}

/**
 * The comparison as runs in key order. Synchronous: the caller decides when to pause (an async
 * consumer yields to the event loop between runs); the cursors are closed when it stops early.
 */
export function* mergeRuns(reader: DiffReader, resolved: ResolvedPlan): Generator<DiffRun, void, undefined> {
  const { range } = resolved;
  const a = new SideCursor(reader.keys(resolved.a.seq, range), reader.spans(resolved.a.seq), range);
  const b = new SideCursor(reader.keys(resolved.b.seq, range), reader.spans(resolved.b.seq), range);
  let open: OpenRun | null = null;

  function* close(run: OpenRun): Generator<DiffRun, void, undefined> {
    if (run.kind === RUN_KIND.added) {
      yield { kind: RUN_KIND.added, fields: 0, length: run.length, aRow: null, bRow: run.bRow, aPage: null, bPage: run.bPage };
      return;
    }
    if (run.kind === RUN_KIND.removed) {
      yield { kind: RUN_KIND.removed, fields: 0, length: run.length, aRow: run.aRow, bRow: null, aPage: run.aPage, bPage: null };
      return;
    }
    const piece = (kind: RunKindCode, fields: number, from: number, to: number): DiffRun => ({
      kind,
      fields,
      length: to - from,
      aRow: run.aRow + from,
      bRow: run.bRow + from,
      aPage: run.aPage,
      bPage: run.bPage,
    });
    let at = 0;
    let changedFrom = -1;
    let changedMask = 0;
    for (const [offset, mask] of reader.fieldDiffs.all({ a: run.aRow, b: run.bRow, last: run.aRow + run.length - 1 })) {
      if (changedFrom !== -1 && (offset !== at || mask !== changedMask)) {
        yield piece(RUN_KIND.changed, changedMask, changedFrom, at);
        changedFrom = -1;
      }
      if (changedFrom === -1) {
        if (offset > at) yield piece(RUN_KIND.unchanged, 0, at, offset);
        changedFrom = offset;
        changedMask = mask;
      }
      at = offset + 1;
    }
    if (changedFrom !== -1) yield piece(RUN_KIND.changed, changedMask, changedFrom, at);
    if (at < run.length) yield piece(RUN_KIND.unchanged, 0, at, run.length);
  }

  try {
    a.advance();
    b.advance();
    while (!a.done || !b.done) {
      const order = a.done ? 1 : b.done ? -1 : a.key === b.key ? 0 : compareKeys(a.key, b.key);
      if (order === 0) {
        if (
          open !== null &&
          open.kind === PAIRED &&
          a.rowid === open.aRow + open.length &&
          b.rowid === open.bRow + open.length &&
          a.page === open.aPage &&
          b.page === open.bPage
        ) {
          open.length++;
        } else {
          if (open !== null) yield* close(open);
          open = { kind: PAIRED, length: 1, aRow: a.rowid, bRow: b.rowid, aPage: a.page, bPage: b.page };
        }
        a.advance();
        b.advance();
      } else if (order < 0) {
        if (open !== null && open.kind === RUN_KIND.removed && a.rowid === open.aRow + open.length && a.page === open.aPage) {
          open.length++;
        } else {
          if (open !== null) yield* close(open);
          open = { kind: RUN_KIND.removed, length: 1, aRow: a.rowid, bRow: -1, aPage: a.page, bPage: -1 };
        }
        a.advance();
      } else {
        if (open !== null && open.kind === RUN_KIND.added && b.rowid === open.bRow + open.length && b.page === open.bPage) {
          open.length++;
        } else {
          if (open !== null) yield* close(open);
          open = { kind: RUN_KIND.added, length: 1, aRow: -1, bRow: b.rowid, aPage: -1, bPage: b.page };
        }
        b.advance();
      }
    }
    if (open !== null) yield* close(open);
  } finally {
    a.close();
    b.close();
  }
}
