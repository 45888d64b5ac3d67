import "server-only";
import Database from "better-sqlite3";
import { compareKeys } from "@/lib/lister";
import { PassRows, type PageSpan } from "@/lib/passes";
import { DIFF_FIELDS, type DiffField, type DiffKind } from "@/lib/wire";
import { rolledUp, type KeyRange, type ResolvedPlan, type SideRef } from "./plan";
import { changesRuns, mergedRuns } from "./span-merge";

// The streaming merge. Both passes are read in UTF-8 byte order (keys are BLOBs, so ORDER BY key is
// memcmp order) by iterating cursors over the (pass, key) index, which hold only the row at hand, and
// merged into runs: stretches of consecutive keys of one kind (unchanged, added, removed, changed with
// the same fields) whose entries are consecutive rowids in each pass and stay on one page of each. A
// run never crosses a page boundary of either pass, so page bands fall between runs.
//
// Three ways to the same runs (merge-model.test.ts holds them to it):
// - "aligned" (the usual case): between two differences both passes list the same keys, so the
//   entries at the same position in A and in B are compared by SQLite, a page-pair stretch at a time,
//   reading both tables in rowid order; only differing entries come back, with their keys when the
//   keys differ, and the smaller of two mismatching keys is in one pass only. Unchanged keys never
//   cross into JavaScript. Each mismatch costs one statement, so when they grow dense it hands over.
// - "differences": each cursor carries only the keys of its pass that differ, and SQLite decides
//   that while walking the index (a key of A is looked up in B's index and its fields compared
//   there; B's keys missing from A likewise); the unchanged stretches in between follow from the
//   differences' positions. Constant cost per key whatever the number of differences.
//   Both need each pass's rowid order to be its key order, which holds when the lister found no key
//   out of order or repeated (anomaly count 0): positions are then ranks in key order.
// - "keys": both cursors carry every key (rowid and key only, from the covering index); matched keys
//   are gathered into runs whose fields SQLite compares in one statement per run. Used for passes with
//   anomalies and when one pass rolls keys up by a delimiter and the other does not.

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
type AlignedTuple = [offset: number, sameKey: number, aKey: string | null, bKey: string | null, mask: number];
/** A key of A that differs from B: removed (no rowid in B) or changed (the fields' bits). */
type DifferenceTuple = [aRowid: number, bRowid: number | null, key: string, mask: number];
export type EntryTuple = [key: string, size: number, etag: string | null, lastModified: string | null, storageClass: string | null];

const MASK = `(a.etag IS NOT b.etag) | ((a.size IS NOT b.size) << 1) | ((a.last_modified IS NOT b.last_modified) << 2) | ((a.storage_class IS NOT b.storage_class) << 3)`;

/**
 * The pages of a pass as rowid ranges (pages with entries only, in listing order: by range, then
 * page index), to find the page of an entry and, when listing order is key order, its rank (position
 * among the pass's keys) and back. Each page's entries are consecutive rowids in key order; the
 * pages of a parallel pass were written as they arrived, so rowids grow with listing order only
 * within a range, and rowids are looked up through the pages sorted by their first row.
 */
export class PageSpans {
  private at = 0;
  /** Rank of each span's first entry. */
  private readonly before: Float64Array;
  /** Span positions sorted by first row. */
  private readonly byRow: Int32Array;

  constructor(
    private readonly firstRows: Float64Array,
    private readonly rowCounts: Float64Array,
    private readonly pages: Int32Array,
  ) {
    this.before = new Float64Array(firstRows.length);
    let n = 0;
    let sorted = true;
    for (let i = 0; i < firstRows.length; i++) {
      this.before[i] = n;
      n += rowCounts[i] as number;
      if (i > 0 && (firstRows[i] as number) < (firstRows[i - 1] as number)) sorted = false;
    }
    this.byRow = Int32Array.from({ length: firstRows.length }, (_, i) => i);
    if (!sorted) this.byRow.sort((x, y) => (firstRows[x] as number) - (firstRows[y] as number));
  }

  private spanOfRowid(rowid: number): number {
    const i = this.at;
    if (i < this.firstRows.length && rowid >= (this.firstRows[i] as number) && rowid < (this.firstRows[i] as number) + (this.rowCounts[i] as number)) {
      return i;
    }
    let lo = 0;
    let hi = this.byRow.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.firstRows[this.byRow[mid] as number] as number) <= rowid) lo = mid + 1;
      else hi = mid - 1;
    }
    if (hi < 0) return -1;
    const span = this.byRow[hi] as number;
    this.at = span;
    return span;
  }

  pageOf(rowid: number): number {
    const i = this.spanOfRowid(rowid);
    return i < 0 ? -1 : (this.pages[i] as number);
  }

  rankOf(rowid: number): number {
    const i = this.spanOfRowid(rowid);
    return i < 0 ? 0 : (this.before[i] as number) + rowid - (this.firstRows[i] as number);
  }

  /** The entry at a rank: its rowid and page, and how many entries of its page follow from there (itself included). */
  entryAt(rank: number): { rowid: number; page: number; left: number } {
    let lo = 0;
    let hi = this.before.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.before[mid] as number) <= rank) lo = mid + 1;
      else hi = mid - 1;
    }
    const i = Math.max(0, hi);
    const offset = rank - (this.before[i] as number);
    return { rowid: (this.firstRows[i] as number) + offset, page: this.pages[i] as number, left: (this.rowCounts[i] as number) - offset };
  }
}

export function rangeClauses(column: string, range: KeyRange): { sql: string; args: Buffer[] } {
  const clauses: string[] = [];
  const args: Buffer[] = [];
  const bound = (op: string, value: Buffer | null) => {
    if (value === null) return;
    clauses.push(`${column} ${op} ?`);
    args.push(value);
  };
  bound(">=", range.from);
  bound("<", range.below);
  bound(">", range.after);
  bound("<=", range.through);
  return { sql: clauses.map((c) => ` AND ${c}`).join(""), args };
}

/**
 * A read-only connection of its own for one comparison: its iterators may stay open across awaits
 * (a slow NDJSON reader) without blocking the pass recorder's writes on the main connection, and it
 * sees one snapshot of the database from the first row to the last. Statements are prepared per
 * cursor: a statement iterates one cursor at a time.
 */
export class DiffReader {
  readonly db: Database.Database;
  readonly rows: PassRows;
  readonly fieldDiffs: Database.Statement<[{ a: number; b: number; last: number }], FieldDiffTuple>;
  readonly entryRange: Database.Statement<[number, number], EntryTuple>;
  private readonly spanRows: Database.Statement<[number], [number, number, number]>;
  private readonly pagesRead = new Map<string, readonly PageSpan[]>();

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    this.db.pragma("busy_timeout = 5000");
    this.rows = new PassRows(this.db);
    this.fieldDiffs = this.db
      .prepare<[{ a: number; b: number; last: number }], FieldDiffTuple>(
        `SELECT a.rowid - @a, ${MASK} AS mask
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
    this.alignedDiffs = this.db
      .prepare<[{ a: number; b: number; last: number }], AlignedTuple>(
        `SELECT a.rowid - @a, a.key = b.key AS same_key,
           CASE WHEN a.key = b.key THEN NULL ELSE CAST(a.key AS TEXT) END,
           CASE WHEN a.key = b.key THEN NULL ELSE CAST(b.key AS TEXT) END,
           ${MASK} AS mask
         FROM entries a JOIN entries b ON b.rowid = a.rowid - @a + @b
         WHERE a.rowid BETWEEN @a AND @last AND (a.key <> b.key OR mask <> 0)
         ORDER BY a.rowid`,
      )
      .raw();
    this.keyOf = this.db.prepare<[number], string>(`SELECT CAST(key AS TEXT) FROM entries WHERE rowid = ?`).pluck();
    this.spanRows = this.db
      .prepare<[number], [number, number, number]>(`SELECT first_row, row_count, idx FROM pages WHERE pass = ? AND row_count > 0 ORDER BY range_after, idx`)
      .raw();
  }

  /** The pass's pages in listing order, with where their rows are (see pass-rows.ts); read once per reader. */
  pages(side: SideRef): readonly PageSpan[] {
    const name = `${side.seq}:${side.pageRecords}`;
    let pages = this.pagesRead.get(name);
    if (pages === undefined) {
      pages = this.rows.pages(side);
      this.pagesRead.set(name, pages);
    }
    return pages;
  }

  spans(side: SideRef): PageSpans {
    if (side.layout === "spans") {
      const pages = this.pages(side).filter((p) => p.rowCount > 0);
      return new PageSpans(
        Float64Array.from(pages, (p) => p.firstRow),
        Float64Array.from(pages, (p) => p.rowCount),
        Int32Array.from(pages, (p) => p.page),
      );
    }
    const rows = this.spanRows.all(side.seq);
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

  /** Every key of one pass in the range. */
  keys(seq: number, range: KeyRange): IterableIterator<KeyTuple> {
    const r = rangeClauses("key", range);
    return this.db
      .prepare<unknown[], KeyTuple>(`SELECT rowid, CAST(key AS TEXT) FROM entries WHERE pass = ?${r.sql} ORDER BY key, rowid`)
      .raw()
      .iterate(seq, ...r.args);
  }

  /** A's keys in the range that B lacks or lists with other fields. */
  differences(aSeq: number, bSeq: number, range: KeyRange): IterableIterator<DifferenceTuple> {
    const r = rangeClauses("a.key", range);
    return this.db
      .prepare<unknown[], DifferenceTuple>(
        `SELECT a.rowid, b.rowid, CAST(a.key AS TEXT), ${MASK} AS mask
         FROM entries a LEFT JOIN entries b ON b.pass = ? AND b.key = a.key
         WHERE a.pass = ?${r.sql} AND (b.rowid IS NULL OR mask <> 0)
         ORDER BY a.key`,
      )
      .raw()
      .iterate(bSeq, aSeq, ...r.args);
  }

  /** B's keys in the range that A lacks. */
  additions(aSeq: number, bSeq: number, range: KeyRange): IterableIterator<KeyTuple> {
    const r = rangeClauses("b.key", range);
    return this.db
      .prepare<unknown[], KeyTuple>(
        `SELECT b.rowid, CAST(b.key AS TEXT) FROM entries b
         WHERE b.pass = ?${r.sql} AND NOT EXISTS (SELECT 1 FROM entries a WHERE a.pass = ? AND a.key = b.key)
         ORDER BY b.key`,
      )
      .raw()
      .iterate(bSeq, ...r.args, aSeq);
  }

  /**
   * Entries of A from rowid `a` and of B from rowid `b`, position by position up to `last` in A:
   * those whose key or fields differ, in order (the keys only for a key mismatch).
   */
  readonly alignedDiffs: Database.Statement<[{ a: number; b: number; last: number }], AlignedTuple>;

  private readonly keyOf: Database.Statement<[number], string>;

  keyAt(rowid: number): string {
    return this.keyOf.get(rowid) ?? "";
  }

  /** Ranks [start, end) of the pass's keys inside the range (rowid order being key order). */
  rankBounds(seq: number, range: KeyRange, spans: PageSpans): { start: number; end: number } {
    const r = rangeClauses("key", range);
    const edge = (dir: "ASC" | "DESC") =>
      this.db
        .prepare<unknown[], number>(`SELECT rowid FROM entries WHERE pass = ?${r.sql} ORDER BY key ${dir} LIMIT 1`)
        .pluck()
        .get(seq, ...r.args);
    const first = edge("ASC");
    const last = edge("DESC");
    if (first === undefined || last === undefined) return { start: 0, end: 0 };
    return { start: spans.rankOf(first), end: spans.rankOf(last) + 1 };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Joins runs that continue one another (same kind, fields and pages, next rowids) into one. */
export class RunJoiner {
  private open: DiffRun | null = null;

  /** The run that can no longer grow, if `run` does not continue it. */
  push(run: DiffRun): DiffRun | null {
    const o = this.open;
    if (
      o !== null &&
      o.kind === run.kind &&
      o.fields === run.fields &&
      o.aPage === run.aPage &&
      o.bPage === run.bPage &&
      (o.aRow === null ? run.aRow === null : run.aRow === o.aRow + o.length) &&
      (o.bRow === null ? run.bRow === null : run.bRow === o.bRow + o.length)
    ) {
      o.length += run.length;
      return null;
    }
    this.open = run;
    return o;
  }

  flush(): DiffRun | null {
    const o = this.open;
    this.open = null;
    return o;
  }
}

/** The differences strategy (see the top of this file). */
/** Where a comparison already went: the ranks reached, the last key compared, the run still open. */
interface Resume {
  rankA: number;
  rankB: number;
  after: string;
  joiner: RunJoiner;
  spansA: PageSpans;
  spansB: PageSpans;
}

function* differenceRuns(reader: DiffReader, resolved: ResolvedPlan, resume?: Resume): Generator<DiffRun, void, undefined> {
  const { range } = resolved;
  const spansA = resume?.spansA ?? reader.spans(resolved.a);
  const spansB = resume?.spansB ?? reader.spans(resolved.b);
  const boundsA = reader.rankBounds(resolved.a.seq, range, spansA);
  const boundsB = reader.rankBounds(resolved.b.seq, range, spansB);
  const rest: KeyRange = resume !== undefined ? { ...range, after: Buffer.from(resume.after, "utf8") } : range;
  const differences = reader.differences(resolved.a.seq, resolved.b.seq, rest);
  const additions = reader.additions(resolved.a.seq, resolved.b.seq, rest);
  const joiner = resume?.joiner ?? new RunJoiner();
  let rankA = resume?.rankA ?? boundsA.start;
  let rankB = resume?.rankB ?? boundsB.start;

  /** `n` unchanged keys from the current ranks, cut where a page of A or B ends. */
  function* unchanged(n: number): Generator<DiffRun, void, undefined> {
    while (n > 0) {
      const a = spansA.entryAt(rankA);
      const b = spansB.entryAt(rankB);
      const length = Math.min(n, a.left, b.left);
      const closed = joiner.push({ kind: RUN_KIND.unchanged, fields: 0, length, aRow: a.rowid, bRow: b.rowid, aPage: a.page, bPage: b.page });
      if (closed !== null) yield closed;
      rankA += length;
      rankB += length;
      n -= length;
    }
  }

  function* emit(run: DiffRun): Generator<DiffRun, void, undefined> {
    const closed = joiner.push(run);
    if (closed !== null) yield closed;
  }

  const inconsistent = () =>
    new Error(`passes ${resolved.a.id} and ${resolved.b.id}: the unchanged keys between two differences do not line up`);

  try {
    let d = differences.next();
    let added = additions.next();
    while (d.done !== true || added.done !== true) {
      // A key is never both: additions are keys A lacks, differences are keys A has.
      const fromA = added.done === true || (d.done !== true && compareKeys(d.value[2], added.value[1]) < 0);
      if (fromA && d.done !== true) {
        const [aRowid, bRowid, , mask] = d.value;
        const at = spansA.rankOf(aRowid);
        yield* unchanged(at - rankA);
        if (bRowid === null) {
          yield* emit({ kind: RUN_KIND.removed, fields: 0, length: 1, aRow: aRowid, bRow: null, aPage: spansA.pageOf(aRowid), bPage: null });
        } else {
          if (spansB.rankOf(bRowid) !== rankB) throw inconsistent();
          yield* emit({ kind: RUN_KIND.changed, fields: mask, length: 1, aRow: aRowid, bRow: bRowid, aPage: spansA.pageOf(aRowid), bPage: spansB.pageOf(bRowid) });
          rankB++;
        }
        rankA++;
        d = differences.next();
      } else if (added.done !== true) {
        const [bRowid] = added.value;
        yield* unchanged(spansB.rankOf(bRowid) - rankB);
        yield* emit({ kind: RUN_KIND.added, fields: 0, length: 1, aRow: null, bRow: bRowid, aPage: null, bPage: spansB.pageOf(bRowid) });
        rankB++;
        added = additions.next();
      }
    }
    if (boundsA.end - rankA !== boundsB.end - rankB) throw inconsistent();
    yield* unchanged(boundsA.end - rankA);
    const last = joiner.flush();
    if (last !== null) yield last;
  } finally {
    differences.return?.();
    additions.return?.();
  }
}

/** One pass's cursor for the keys strategy: the current key, its rowid and page; keys the other pass cannot cover are skipped. */
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

/** The keys strategy (see the top of this file). */
function* keyRuns(reader: DiffReader, resolved: ResolvedPlan): Generator<DiffRun, void, undefined> {
  const { range } = resolved;
  const a = new SideCursor(reader.keys(resolved.a.seq, range), reader.spans(resolved.a), range);
  const b = new SideCursor(reader.keys(resolved.b.seq, range), reader.spans(resolved.b), range);
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

/** Mismatches tolerated in the aligned strategy: this many, plus one per this many keys compared. */
const ALIGNED_MISMATCH_BASE = 256;
const ALIGNED_KEYS_PER_MISMATCH = 64;

/** The aligned strategy (see the top of this file). */
function* alignedRuns(reader: DiffReader, resolved: ResolvedPlan, mismatchBudget: (compared: number) => number): Generator<DiffRun, void, undefined> {
  const { range } = resolved;
  const spansA = reader.spans(resolved.a);
  const spansB = reader.spans(resolved.b);
  const boundsA = reader.rankBounds(resolved.a.seq, range, spansA);
  const boundsB = reader.rankBounds(resolved.b.seq, range, spansB);
  const joiner = new RunJoiner();
  let rankA = boundsA.start;
  let rankB = boundsB.start;
  let compared = 0;
  let mismatches = 0;

  function* emit(run: DiffRun): Generator<DiffRun, void, undefined> {
    const closed = joiner.push(run);
    if (closed !== null) yield closed;
  }

  while (rankA < boundsA.end && rankB < boundsB.end) {
    if (mismatches > mismatchBudget(compared)) {
      // Dense differences cost a statement each here: the differences strategy takes over.
      const lastA = rankA > boundsA.start ? reader.keyAt(spansA.entryAt(rankA - 1).rowid) : "";
      const lastB = rankB > boundsB.start ? reader.keyAt(spansB.entryAt(rankB - 1).rowid) : "";
      const after = compareKeys(lastA, lastB) >= 0 ? lastA : lastB;
      if (after !== "") {
        yield* differenceRuns(reader, resolved, { rankA, rankB, after, joiner, spansA, spansB });
        return;
      }
    }
    const a = spansA.entryAt(rankA);
    const b = spansB.entryAt(rankB);
    const length = Math.min(a.left, b.left, boundsA.end - rankA, boundsB.end - rankB);
    let at = 0;
    let mismatch: { offset: number; aKey: string; bKey: string } | null = null;
    for (const [offset, sameKey, aKey, bKey, mask] of reader.alignedDiffs.iterate({ a: a.rowid, b: b.rowid, last: a.rowid + length - 1 })) {
      if (sameKey !== 1) {
        mismatch = { offset, aKey: aKey ?? "", bKey: bKey ?? "" };
        break;
      }
      if (offset > at) yield* emit({ kind: RUN_KIND.unchanged, fields: 0, length: offset - at, aRow: a.rowid + at, bRow: b.rowid + at, aPage: a.page, bPage: b.page });
      yield* emit({ kind: RUN_KIND.changed, fields: mask, length: 1, aRow: a.rowid + offset, bRow: b.rowid + offset, aPage: a.page, bPage: b.page });
      at = offset + 1;
    }
    const alignedTo = mismatch?.offset ?? length;
    if (alignedTo > at) yield* emit({ kind: RUN_KIND.unchanged, fields: 0, length: alignedTo - at, aRow: a.rowid + at, bRow: b.rowid + at, aPage: a.page, bPage: b.page });
    rankA += alignedTo;
    rankB += alignedTo;
    compared += alignedTo;
    if (mismatch === null) continue;
    // The keys before the mismatch are equal in both passes, so the smaller of the two mismatching
    // keys is in one pass only.
    mismatches++;
    compared++;
    if (compareKeys(mismatch.aKey, mismatch.bKey) < 0) {
      yield* emit({ kind: RUN_KIND.removed, fields: 0, length: 1, aRow: a.rowid + alignedTo, bRow: null, aPage: a.page, bPage: null });
      rankA++;
    } else {
      yield* emit({ kind: RUN_KIND.added, fields: 0, length: 1, aRow: null, bRow: b.rowid + alignedTo, aPage: null, bPage: b.page });
      rankB++;
    }
  }
  // Whatever is left is in one pass only.
  for (; rankA < boundsA.end; ) {
    const a = spansA.entryAt(rankA);
    const length = Math.min(a.left, boundsA.end - rankA);
    yield* emit({ kind: RUN_KIND.removed, fields: 0, length, aRow: a.rowid, bRow: null, aPage: a.page, bPage: null });
    rankA += length;
  }
  for (; rankB < boundsB.end; ) {
    const b = spansB.entryAt(rankB);
    const length = Math.min(b.left, boundsB.end - rankB);
    yield* emit({ kind: RUN_KIND.added, fields: 0, length, aRow: null, bRow: b.rowid, aPage: null, bPage: b.page });
    rankB += length;
  }
  const last = joiner.flush();
  if (last !== null) yield last;
}

/**
 * "aligned", "differences" and "keys" compare two passes that keep their entries in `entries`;
 * "changes" two spans passes of one target (only the rows that begin or end between them are read);
 * "recorded" the same, from the differences the later pass recorded when the two are consecutive;
 * "merge" any other pair, by walking both passes in key order (see span-merge.ts).
 */
export type MergeStrategy = "aligned" | "differences" | "keys" | "changes" | "recorded" | "merge";

/** Which strategy a comparison can use. */
export function strategyFor(resolved: ResolvedPlan): MergeStrategy {
  const { a, b } = resolved;
  if (a.layout === "spans" && b.layout === "spans" && a.target !== null && a.target === b.target && resolved.range.rollups.length === 0) return "recorded";
  if (a.layout !== "entries" || b.layout !== "entries") return "merge";
  return a.anomalies === 0 && b.anomalies === 0 && resolved.range.rollups.length === 0 ? "aligned" : "keys";
}

export interface MergeOptions {
  /** Mismatches the aligned strategy tolerates after comparing `compared` keys before it hands over. */
  mismatchBudget?: (compared: number) => number;
}

const defaultBudget = (compared: number) => ALIGNED_MISMATCH_BASE + compared / ALIGNED_KEYS_PER_MISMATCH;

/**
 * The comparison as runs in key order. Synchronous: the caller decides when to pause (an async
 * consumer yields to the event loop between runs); the cursors are closed when it stops early.
 */
export function mergeRuns(
  reader: DiffReader,
  resolved: ResolvedPlan,
  strategy: MergeStrategy = strategyFor(resolved),
  opts: MergeOptions = {},
): Generator<DiffRun, void, undefined> {
  switch (strategy) {
    case "aligned":
      return alignedRuns(reader, resolved, opts.mismatchBudget ?? defaultBudget);
    case "differences":
      return differenceRuns(reader, resolved);
    case "keys":
      return keyRuns(reader, resolved);
    case "changes":
      return changesRuns(reader, resolved);
    case "recorded":
      return changesRuns(reader, resolved, true);
    case "merge":
      return mergedRuns(reader, resolved);
  }
}
