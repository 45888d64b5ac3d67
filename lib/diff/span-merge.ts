import "server-only";
import type Database from "better-sqlite3";
import { compareKeys } from "@/lib/lister";
import { CHANGE, coveredIntervals, coversEverything, END_OF_KEYS, fieldMask, recordedChanges, spanOfId, spanOfKey, type ComparedFields, type PageSpan, type PassRows } from "@/lib/passes";
import { RUN_KIND, RunJoiner, rangeClauses, type DiffReader, type DiffRun, type EntryTuple, type PageSpans, type RunKindCode } from "./merge";
import { rolledUp, type KeyRange, type ResolvedPlan, type SideRef } from "./plan";

// Comparisons that involve passes stored as spans (see lib/passes/spans.ts). Row ids of such a pass
// are positions in its listing order; a run's rows are consecutive positions on one page of each side.
// - "changes": two passes of one target. A key differs between seqs A and B only if one of its rows
//   begins or ends in (min, max], so only those rows are read (two index ranges that grow with what
//   changed, not with the bucket); each difference's position comes from its page and a count within
//   it, and the unchanged keys between differences follow from the positions, as in the differences
//   strategy of merge.ts.
// - "recorded": two consecutive passes of one target whose differences the later one recorded as it
//   listed them, with their positions (see spans.ts): nothing is counted; otherwise as "changes".
// - "merge": any other pair (two targets, a spans pass and an entries pass): both passes are walked in
//   key order and their fields compared here.

type Fields = ComparedFields;

/** Reads the rows of runs of one side by id range (ids of one page). */
export class SideRows {
  private readonly sorted: PageSpan[];

  constructor(
    private readonly rows: PassRows,
    private readonly side: SideRef,
    pages: readonly PageSpan[],
  ) {
    this.sorted = pages.filter((p) => p.rowCount > 0).sort((x, y) => x.firstRow - y.firstRow);
  }

  read(first: number, last: number): EntryTuple[] {
    const span = spanOfId(this.sorted, first);
    if (span === undefined) return [];
    return this.rows.read(this.side, span, first - span.firstRow, last - first + 1).map((r) => [r[1], r[2], r[3], r[4], r[5]]);
  }
}

type ChangeRow = [key: string, from: number, to: number | null, size: number, etag: string | null, lastModified: string | null, storageClass: string | null];

interface Difference {
  key: string;
  kind: RunKindCode;
  mask: number;
  /** Recorded: the key's position in B when added, else in A. */
  at?: number;
}

const statements = new WeakMap<Database.Database, Map<string, Database.Statement<unknown[]>>>();

function prepared<T>(db: Database.Database, sql: string): Database.Statement<unknown[], T> {
  let m = statements.get(db);
  if (m === undefined) {
    m = new Map();
    statements.set(db, m);
  }
  let s = m.get(sql);
  if (s === undefined) {
    s = db.prepare(sql);
    m.set(sql, s);
  }
  return s as Database.Statement<unknown[], T>;
}

const VALID = `from_seq <= @seq AND (to_seq IS NULL OR to_seq > @seq)`;

/** Keys of a spans pass in (lo, key) — or (lo, key] — valid at its seq. */
function countUpTo(db: Database.Database, side: SideRef, lo: string | null, key: string, inclusive: boolean): number {
  const s = prepared<number>(db, `SELECT count(*) FROM spans WHERE target = @target AND key > CAST(@lo AS BLOB) AND key ${inclusive ? "<=" : "<"} CAST(@key AS BLOB) AND ${VALID}`).pluck();
  return (s.get({ target: side.target, lo: lo ?? "", key, seq: side.seq })) ?? 0;
}

/** Keys of a spans pass in [from, key), valid at its seq. */
function countFrom(db: Database.Database, side: SideRef, from: string, key: string): number {
  const s = prepared<number>(db, `SELECT count(*) FROM spans WHERE target = @target AND key >= CAST(@from AS BLOB) AND key < CAST(@key AS BLOB) AND ${VALID}`).pluck();
  return s.get({ target: side.target, from, key, seq: side.seq }) ?? 0;
}

/**
 * Positions of keys asked in ascending order: a key on the same page as the one before is counted
 * from that one, so many differences on one page cost one walk of it, not one each.
 */
class Positions {
  private last: { span: PageSpan; key: string; at: number } | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly side: SideRef,
    private readonly keyed: readonly PageSpan[],
    private readonly total: number,
  ) {}

  /** The keys of the pass below `key`. */
  below(key: string): number {
    const span = spanOfKey(this.keyed, key);
    if (span === undefined) return positionOf(this.db, this.side, this.keyed, this.total, key, false);
    const l = this.last;
    const at =
      l !== null && l.span === span && compareKeys(l.key, key) <= 0
        ? l.at + countFrom(this.db, this.side, l.key, key)
        : span.before + countUpTo(this.db, this.side, span.lo, key, false);
    this.last = { span, key, at };
    return at;
  }
}

/** The keys of a spans pass below `key` (up to and including it when `inclusive`): its position. */
function positionOf(db: Database.Database, side: SideRef, keyed: readonly PageSpan[], total: number, key: string, inclusive: boolean): number {
  const span = spanOfKey(keyed, key);
  if (span !== undefined) return span.before + countUpTo(db, side, span.lo, key, inclusive);
  // Between the pages' intervals (or past them): every key of the pages before it.
  for (const s of keyed) if (s.lo !== null && compareKeys(key, s.lo) <= 0) return s.before;
  return total;
}

/** Keys whose value differs between seqs x and y of one target, in key order. */
function* differences(db: Database.Database, target: number, aSeq: number, bSeq: number, range: KeyRange): Generator<Difference> {
  const r = rangeClauses("key", range);
  const sql = `SELECT CAST(key AS TEXT) AS k, from_seq, to_seq, size, etag, last_modified, storage_class FROM spans
     WHERE target = ? AND initial = 0 AND from_seq > ? AND from_seq <= ?${r.sql}
     UNION
     SELECT CAST(key AS TEXT) AS k, from_seq, to_seq, size, etag, last_modified, storage_class FROM spans
     WHERE target = ? AND to_seq IS NOT NULL AND to_seq > ? AND to_seq <= ?${r.sql}
     ORDER BY k, from_seq`;
  const lo = Math.min(aSeq, bSeq);
  const hi = Math.max(aSeq, bSeq);
  const rows = db.prepare<unknown[], ChangeRow>(sql).raw().iterate(target, lo, hi, ...r.args, target, lo, hi, ...r.args);
  const at = (versions: ChangeRow[], seq: number) => versions.find((v) => v[1] <= seq && (v[2] === null || v[2] > seq));
  let key: string | null = null;
  let versions: ChangeRow[] = [];
  const settle = (): Difference | null => {
    if (key === null) return null;
    const a = at(versions, aSeq);
    const b = at(versions, bSeq);
    if (a === undefined && b === undefined) return null;
    if (a === undefined) return { key, kind: RUN_KIND.added, mask: 0 };
    if (b === undefined) return { key, kind: RUN_KIND.removed, mask: 0 };
    const mask = fieldMask([a[3], a[4], a[5], a[6]], [b[3], b[4], b[5], b[6]]);
    return mask === 0 ? null : { key, kind: RUN_KIND.changed, mask };
  };
  for (const row of rows) {
    if (row[0] !== key) {
      const d = settle();
      if (d !== null) yield d;
      key = row[0];
      versions = [];
    }
    versions.push(row);
  }
  const d = settle();
  if (d !== null) yield d;
}

/**
 * The differences the later of two consecutive passes recorded against the earlier, as A to B, or
 * null when there are none to use: each pass must cover every key of the target, the whole of it compared.
 */
function recordedDifferences(reader: DiffReader, a: SideRef, b: SideRef, range: KeyRange, keyedA: readonly PageSpan[], keyedB: readonly PageSpan[]): Difference[] | null {
  if (range.through !== null || range.rollups.length > 0 || !coversEverything(keyedA) || !coversEverything(keyedB)) return null;
  const forward = a.seq < b.seq;
  const changes = forward ? recordedChanges(reader.db, b.seq, a.seq) : recordedChanges(reader.db, a.seq, b.seq);
  if (changes === null) return null;
  // A recorded position counts keys of the later pass; the earlier one has, before the same key,
  // those less the keys added before it plus those removed before it.
  let added = 0;
  let removed = 0;
  return changes.map(([key, kind, mask, position]) => {
    const inEarlier = position - added + removed;
    if (kind === CHANGE.added) added++;
    if (kind === CHANGE.removed) removed++;
    if (kind === CHANGE.changed) return { key, kind: RUN_KIND.changed, mask, at: forward ? inEarlier : position };
    if ((kind === CHANGE.added) === forward) return { key, kind: RUN_KIND.added, mask: 0, at: forward ? position : inEarlier };
    return { key, kind: RUN_KIND.removed, mask: 0, at: forward ? inEarlier : position };
  });
}

/** The "changes" and "recorded" strategies (see the top of this file). */
export function* changesRuns(reader: DiffReader, resolved: ResolvedPlan, recorded = false): Generator<DiffRun, void, undefined> {
  const { a, b, range } = resolved;
  if (a.target === null || a.target !== b.target) throw new Error("the changes strategy compares two spans passes of one target");
  const db = reader.db;
  const keyedA = reader.pages(a).filter((p) => p.hi !== "" && p.hi !== p.lo);
  const keyedB = reader.pages(b).filter((p) => p.hi !== "" && p.hi !== p.lo);
  const totalA = keyedA.reduce((n, p) => n + p.rowCount, 0);
  const totalB = keyedB.reduce((n, p) => n + p.rowCount, 0);
  const spansA: PageSpans = reader.spans(a);
  const spansB: PageSpans = reader.spans(b);
  // One target: both passes list the same prefix after the same start-after; only where an
  // unfinished pass stopped narrows the comparison.
  const through = range.through?.toString("utf8") ?? null;
  const endA = through === null ? totalA : positionOf(db, a, keyedA, totalA, through, true);
  const endB = through === null ? totalB : positionOf(db, b, keyedB, totalB, through, true);
  const positionsA = new Positions(db, a, keyedA, totalA);
  const positionsB = new Positions(db, b, keyedB, totalB);
  const joiner = new RunJoiner();
  let rankA = 0;
  let rankB = 0;

  function* unchanged(n: number): Generator<DiffRun, void, undefined> {
    while (n > 0) {
      const x = spansA.entryAt(rankA);
      const y = spansB.entryAt(rankB);
      const length = Math.min(n, x.left, y.left);
      const closed = joiner.push({ kind: RUN_KIND.unchanged, fields: 0, length, aRow: x.rowid, bRow: y.rowid, aPage: x.page, bPage: y.page });
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
  const inconsistent = () => new Error(`passes ${a.id} and ${b.id}: the unchanged keys between two differences do not line up`);

  const found = (recorded ? recordedDifferences(reader, a, b, range, keyedA, keyedB) : null) ?? differences(db, a.target, a.seq, b.seq, range);
  for (const d of found) {
    if (d.kind === RUN_KIND.added) {
      const at = d.at ?? positionsB.below(d.key);
      if (at - rankB < 0) throw inconsistent();
      yield* unchanged(at - rankB);
      yield* emit({ kind: RUN_KIND.added, fields: 0, length: 1, aRow: null, bRow: at, aPage: null, bPage: spansB.pageOf(at) });
      rankB++;
      continue;
    }
    const at = d.at ?? positionsA.below(d.key);
    if (at - rankA < 0) throw inconsistent();
    yield* unchanged(at - rankA);
    if (d.kind === RUN_KIND.removed) {
      yield* emit({ kind: RUN_KIND.removed, fields: 0, length: 1, aRow: at, aPage: spansA.pageOf(at), bRow: null, bPage: null });
    } else {
      yield* emit({ kind: RUN_KIND.changed, fields: d.mask, length: 1, aRow: at, aPage: spansA.pageOf(at), bRow: rankB, bPage: spansB.pageOf(rankB) });
      rankB++;
    }
    rankA++;
  }
  if (endA - rankA !== endB - rankB || endA < rankA) throw inconsistent();
  yield* unchanged(endA - rankA);
  const last = joiner.flush();
  if (last !== null) yield last;
}

/** One side of the "merge" strategy: its rows in key order within the range, with ids and pages. */
interface SideRow {
  key: string;
  id: number;
  page: number;
  fields: Fields;
}

type EntriesKeyRow = [rowid: number, key: string, size: number, etag: string | null, lastModified: string | null, storageClass: string | null];
type SpansKeyRow = [key: string, size: number, etag: string | null, lastModified: string | null, storageClass: string | null];

function* sideRows(reader: DiffReader, side: SideRef, range: KeyRange): Generator<SideRow, void, undefined> {
  const db = reader.db;
  const spans = reader.spans(side);
  if (side.layout === "entries") {
    const r = rangeClauses("key", range);
    // A statement of its own: it iterates while the other side's does.
    const rows = db
      .prepare<unknown[], EntriesKeyRow>(`SELECT rowid, CAST(key AS TEXT), size, etag, last_modified, storage_class FROM entries WHERE pass = ?${r.sql} ORDER BY key, rowid`)
      .raw()
      .iterate(side.seq, ...r.args);
    for (const [id, key, size, etag, lastModified, storageClass] of rows) {
      if (range.rollups.length > 0 && rolledUp(key, range.rollups)) continue;
      yield { key, id, page: spans.pageOf(id), fields: [size, etag, lastModified, storageClass] };
    }
    return;
  }
  if (side.target === null) return;
  const r = rangeClauses("key", range);
  const lower = rangeClauses("key", { from: range.from, after: range.after, below: null, through: null, rollups: [] });
  const interval = `target = ? AND key > CAST(? AS BLOB) AND key <= ? AND from_seq <= ? AND (to_seq IS NULL OR to_seq > ?)`;
  const rows = db.prepare<unknown[], SpansKeyRow>(`SELECT CAST(key AS TEXT), size, etag, last_modified, storage_class FROM spans WHERE ${interval}${r.sql} ORDER BY key`).raw();
  // Rows of an interval the range leaves out at its start still hold positions.
  const skipped = prepared<number>(db, `SELECT count(*) FROM spans WHERE ${interval} AND NOT (1${lower.sql})`).pluck();
  for (const iv of coveredIntervals(reader.pages(side))) {
    const base = [side.target, iv.lo ?? "", iv.hi === null ? END_OF_KEYS : Buffer.from(iv.hi, "utf8"), side.seq, side.seq];
    let id = iv.before + (lower.args.length > 0 ? ((skipped.get(...base, ...lower.args)) ?? 0) : 0);
    for (const [key, size, etag, lastModified, storageClass] of rows.iterate(...base, ...r.args)) {
      const at = id++;
      if (range.rollups.length > 0 && rolledUp(key, range.rollups)) continue;
      yield { key, id: at, page: spans.pageOf(at), fields: [size, etag, lastModified, storageClass] };
    }
  }
}

/** The "merge" strategy (see the top of this file). */
export function* mergedRuns(reader: DiffReader, resolved: ResolvedPlan): Generator<DiffRun, void, undefined> {
  const as = sideRows(reader, resolved.a, resolved.range);
  const bs = sideRows(reader, resolved.b, resolved.range);
  const state: { open: DiffRun | null } = { open: null };
  const extend = (kind: RunKindCode, fields: number, x: SideRow | null, y: SideRow | null): DiffRun | null => {
    const o = state.open;
    if (
      o !== null &&
      o.kind === kind &&
      o.fields === fields &&
      (x === null ? o.aRow === null : o.aRow !== null && x.id === o.aRow + o.length && x.page === o.aPage) &&
      (y === null ? o.bRow === null : o.bRow !== null && y.id === o.bRow + o.length && y.page === o.bPage)
    ) {
      o.length++;
      return null;
    }
    state.open = { kind, fields, length: 1, aRow: x?.id ?? null, bRow: y?.id ?? null, aPage: x?.page ?? null, bPage: y?.page ?? null };
    return o;
  };
  try {
    let x = as.next();
    let y = bs.next();
    while (x.done !== true || y.done !== true) {
      const order = x.done === true ? 1 : y.done === true ? -1 : x.value.key === y.value.key ? 0 : compareKeys(x.value.key, y.value.key);
      let closed: DiffRun | null;
      if (order === 0 && x.done !== true && y.done !== true) {
        const mask = fieldMask(x.value.fields, y.value.fields);
        closed = extend(mask === 0 ? RUN_KIND.unchanged : RUN_KIND.changed, mask, x.value, y.value);
        x = as.next();
        y = bs.next();
      } else if (order < 0 && x.done !== true) {
        closed = extend(RUN_KIND.removed, 0, x.value, null);
        x = as.next();
      } else if (y.done !== true) {
        closed = extend(RUN_KIND.added, 0, null, y.value);
        y = bs.next();
      } else break;
      if (closed !== null) yield closed;
    }
    if (state.open !== null) yield state.open;
  } finally {
    as.return(undefined);
    bs.return(undefined);
  }
}
