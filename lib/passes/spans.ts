import "server-only";
import type Database from "better-sqlite3";
import { compareKeys } from "@/lib/lister";
import type { Entry, PassKind } from "@/lib/wire";

// The passes of one target share what they have in common. A target is what a pass lists: (connection,
// bucket, prefix, delimiter, start-after, kind, page size), the same for every pass of one history
// series. `spans` holds each distinct entry version of a target once, valid from one pass sequence
// number to another: a row (key, from_seq, to_seq) says "every pass of this target with
// from_seq <= seq < to_seq that covered the key listed it with these fields" (to_seq NULL: open).
// What a pass covered is its pages' key intervals (lo, hi] (pages table); what it listed there is
// exactly the rows valid at its seq in those intervals, in key order.
//
// Recording a page reads the rows valid at the pass's seq in the page's interval (one clustered
// range read), merges them with the page's keys and writes only the differences. A pass that is the
// newest of its target (the usual case) closes the old row at its seq and opens the new one; an
// older pass (a resume after a newer pass began, two passes at once) changes only what is valid at
// its own seq: the old value keeps its validity for the newer passes, which record their own pages
// the same way, so every pass stays exact whatever the order pages arrive in.
//
// Seqs are the passes table's global numbers: validity between two passes of a target covers other
// targets' seqs too, which is harmless because a row is only ever read at its own target's seqs.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS targets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  connection TEXT NOT NULL,
  bucket TEXT NOT NULL,
  prefix TEXT NOT NULL,
  delimiter TEXT,
  start_after TEXT,
  kind TEXT NOT NULL,
  page_size INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,
  span_rows INTEGER NOT NULL DEFAULT 0,
  span_bytes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS targets_by_bucket ON targets (connection, bucket, prefix);
CREATE TABLE IF NOT EXISTS spans (
  target INTEGER NOT NULL,
  key BLOB NOT NULL,
  from_seq INTEGER NOT NULL,
  to_seq INTEGER,
  size INTEGER NOT NULL,
  etag TEXT,
  last_modified TEXT,
  storage_class TEXT,
  version_id TEXT,
  initial INTEGER NOT NULL,
  PRIMARY KEY (target, key, from_seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS spans_by_start ON spans (target, from_seq) WHERE initial = 0;
CREATE INDEX IF NOT EXISTS spans_by_end ON spans (target, to_seq) WHERE to_seq IS NOT NULL;
CREATE TABLE IF NOT EXISTS span_bases (
  seq INTEGER PRIMARY KEY,
  base INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS span_bases_by_base ON span_bases (base);
CREATE TABLE IF NOT EXISTS span_changes (
  seq INTEGER NOT NULL,
  key BLOB NOT NULL,
  kind INTEGER NOT NULL,
  mask INTEGER NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (seq, key)
) WITHOUT ROWID;
`;

// A pass's differences from the pass before it, recorded as its pages are (span_bases says which
// pass that is; span_changes holds one row per key that differs). While a pass is the newest of its
// target and the one before it finished with everything covered, the rows valid at its seq in a
// page's interval, before the page writes, are exactly what that previous pass listed there: the
// merge that decides what to write also says what changed, and where. Position is the number of
// keys the pass listed before the key (for a removed key: before where it would be). A consecutive
// comparison then reads only these rows instead of counting its way to each difference. The record
// is dropped as soon as it could be wrong: a page written while a newer pass exists, a pass moved to
// the entries layout, either pass deleted.

// Rows of a target's first pass are most of its rows and never start inside the (A, B] window of a
// comparison (A is at least that first pass), so the index of where rows start leaves them out.

/** The greatest byte string any key can be below: UTF-8 never contains 0xFF. */
export const END_OF_KEYS = Buffer.from([0xff]);

export interface TargetParams {
  connection: string;
  bucket: string;
  prefix: string;
  delimiter: string | null;
  startAfter: string | null;
  kind: PassKind;
  pageSize: number;
}

export interface TargetRow {
  id: number;
  connection: string;
  bucket: string;
  prefix: string;
  delimiter: string | null;
  start_after: string | null;
  kind: PassKind;
  page_size: number;
  first_seq: number;
  span_rows: number;
  span_bytes: number;
}

/** A row valid at some seq: key, from, to, size, etag, LastModified, storage class, version id. */
export type SpanTuple = [
  key: string,
  from: number,
  to: number | null,
  size: number,
  etag: string | null,
  lastModified: string | null,
  storageClass: string | null,
  versionId: string | null,
];

/** An entry as views read it: key, size, etag, LastModified, storage class, version id. */
export type EntryTuple = [key: string, size: number, etag: string | null, lastModified: string | null, storageClass: string | null, versionId: string | null];

/** Rows and bytes of a target's spans, counted as they are written. */
const ROW_OVERHEAD_BYTES = 24;

function rowBytes(key: string, e: { etag: string | null; lastModified: string | null; storageClass: string | null; versionId?: string | null }): number {
  return Buffer.byteLength(key) + (e.etag?.length ?? 0) + (e.lastModified?.length ?? 0) + (e.storageClass?.length ?? 0) + (e.versionId?.length ?? 0) + ROW_OVERHEAD_BYTES;
}

export function targetName(t: TargetParams): string {
  return JSON.stringify([t.connection, t.bucket, t.prefix, t.delimiter, t.startAfter, t.kind, t.pageSize]);
}

/** The exclusive lower bound of an interval as bound to SQL: "" (every key is longer) when open. */
const low = (lo: string | null) => lo ?? "";
/** The inclusive upper bound: END_OF_KEYS when open. */
const high = (hi: string | null): Buffer => (hi === null ? END_OF_KEYS : Buffer.from(hi, "utf8"));

const sameFields = (r: SpanTuple, e: Entry) =>
  r[3] === e.size && r[4] === e.etag && r[5] === e.lastModified && r[6] === e.storageClass && r[7] === (e.versionId ?? null);

/** Kinds of a recorded change (the codes of lib/diff's runs). */
export const CHANGE = { added: 1, removed: 2, changed: 3 } as const;
export type ChangeKind = (typeof CHANGE)[keyof typeof CHANGE];

/** Size, etag, LastModified, storage class: the fields a comparison looks at. */
export type ComparedFields = [size: number, etag: string | null, lastModified: string | null, storageClass: string | null];

/** Bits in DIFF_FIELDS order (etag, size, lastModified, storageClass) for the fields that differ. */
export function fieldMask(a: ComparedFields, b: ComparedFields): number {
  return (a[1] !== b[1] ? 1 : 0) | (a[0] !== b[0] ? 2 : 0) | (a[2] !== b[2] ? 4 : 0) | (a[3] !== b[3] ? 8 : 0);
}

/** A recorded difference: key, kind, changed fields, keys of the pass before it. */
export type RecordedChange = [key: string, kind: ChangeKind, mask: number, position: number];

const BASE_SQL = `SELECT base FROM span_bases WHERE seq = ?`;
const CHANGES_SQL = `SELECT CAST(key AS TEXT), kind, mask, position FROM span_changes WHERE seq = ? ORDER BY key`;
const changeStatements = new WeakMap<Database.Database, { base: Database.Statement<[number], number>; changes: Database.Statement<[number], RecordedChange> }>();

/**
 * The differences of the pass `seq` from the pass `base` in key order, or null when they were not
 * recorded (on any connection: a comparison reads on its own).
 */
export function recordedChanges(db: Database.Database, seq: number, base: number): RecordedChange[] | null {
  let s = changeStatements.get(db);
  if (s === undefined) {
    s = { base: db.prepare<[number], number>(BASE_SQL).pluck(), changes: db.prepare<[number], RecordedChange>(CHANGES_SQL).raw() };
    changeStatements.set(db, s);
  }
  if (s.base.get(seq) !== base) return null;
  return s.changes.all(seq);
}

export class NotKeyOrdered extends Error {
  constructor(key: string, previous: string) {
    super(`keys out of order in a page: ${JSON.stringify(key)} after ${JSON.stringify(previous)}`);
  }
}

const INSERT_BATCH = 100;

export class SpanStore {
  private readonly stmt;
  private readonly inserts = new Map<number, Database.Statement<unknown[]>>();

  /** Creates the tables (once per database, by the pass store, after `passes` has its target column). */
  static createSchema(db: Database.Database): void {
    db.exec(SCHEMA);
  }

  constructor(readonly db: Database.Database) {
    const validAt = `from_seq <= @seq AND (to_seq IS NULL OR to_seq > @seq)`;
    this.stmt = {
      targetByName: db.prepare<[string], TargetRow>(`SELECT * FROM targets WHERE name = ?`),
      targetById: db.prepare<[number], TargetRow>(`SELECT * FROM targets WHERE id = ?`),
      insertTarget: db.prepare<[{ name: string } & TargetParams & { firstSeq: number }]>(
        `INSERT INTO targets (name, connection, bucket, prefix, delimiter, start_after, kind, page_size, first_seq)
         VALUES (@name, @connection, @bucket, @prefix, @delimiter, @startAfter, @kind, @pageSize, @firstSeq)`,
      ),
      deleteTarget: db.prepare<[number]>(`DELETE FROM targets WHERE id = ?`),
      addCounts: db.prepare<[number, number, number]>(`UPDATE targets SET span_rows = span_rows + ?, span_bytes = span_bytes + ? WHERE id = ?`),
      nextSeq: db.prepare<[number, number], number | null>(`SELECT min(seq) FROM passes WHERE target = ? AND seq > ?`).pluck(),
      previousSeq: db.prepare<[number, number], number | null>(`SELECT max(seq) FROM passes WHERE target = ? AND seq < ?`).pluck(),
      valid: db
        .prepare<{ target: number; seq: number; lo: string; hi: Buffer }, SpanTuple>(
          `SELECT CAST(key AS TEXT), from_seq, to_seq, size, etag, last_modified, storage_class, version_id FROM spans
           WHERE target = @target AND key > CAST(@lo AS BLOB) AND key <= @hi AND ${validAt} ORDER BY key`,
        )
        .raw(),
      window: db
        .prepare<{ target: number; seq: number; lo: string; hi: Buffer; offset: number; limit: number }, EntryTuple>(
          `SELECT CAST(key AS TEXT), size, etag, last_modified, storage_class, version_id FROM spans
           WHERE target = @target AND key > CAST(@lo AS BLOB) AND key <= @hi AND ${validAt} ORDER BY key LIMIT @limit OFFSET @offset`,
        )
        .raw(),
      count: db
        .prepare<{ target: number; seq: number; lo: string; hi: Buffer }, number>(
          `SELECT count(*) FROM spans WHERE target = @target AND key > CAST(@lo AS BLOB) AND key <= @hi AND ${validAt}`,
        )
        .pluck(),
      setTo: db.prepare<[number | null, number, string, number]>(`UPDATE spans SET to_seq = ? WHERE target = ? AND key = CAST(? AS BLOB) AND from_seq = ?`),
      setFrom: db.prepare<[number, number, number, string, number]>(
        `UPDATE spans SET from_seq = ?, initial = ? WHERE target = ? AND key = CAST(? AS BLOB) AND from_seq = ?`,
      ),
      deleteRow: db.prepare<[number, string, number]>(`DELETE FROM spans WHERE target = ? AND key = CAST(? AS BLOB) AND from_seq = ?`),
      versions: db
        .prepare<[number, string], SpanTuple>(
          `SELECT CAST(key AS TEXT), from_seq, to_seq, size, etag, last_modified, storage_class, version_id FROM spans
           WHERE target = ? AND key = CAST(? AS BLOB) ORDER BY from_seq`,
        )
        .raw(),
      // Garbage once a pass is gone: rows that lie between the surviving passes around it.
      garbageEnded: db.prepare<{ target: number; prev: number; next: number }, [string, number, number]>(
        `SELECT CAST(key AS TEXT), from_seq, ${BYTES_SQL} FROM spans
         WHERE target = @target AND to_seq IS NOT NULL AND to_seq > @prev AND to_seq <= @next AND from_seq > @prev`,
      ).raw(),
      garbageOpen: db.prepare<{ target: number; prev: number; seq: number }, [string, number, number]>(
        `SELECT CAST(key AS TEXT), from_seq, ${BYTES_SQL} FROM spans
         WHERE target = @target AND initial = 0 AND from_seq > @prev AND from_seq <= @seq AND to_seq IS NULL`,
      ).raw(),
      deleteAll: db.prepare<[number]>(`DELETE FROM spans WHERE target = ?`),
      reopen: db.prepare<[number, number]>(`UPDATE spans SET to_seq = NULL WHERE target = ? AND to_seq IS NOT NULL AND to_seq > ?`),
      baseOf: db.prepare<[number], number>(BASE_SQL).pluck(),
      setBase: db.prepare<[number, number]>(`INSERT OR REPLACE INTO span_bases (seq, base) VALUES (?, ?)`),
      basedOn: db.prepare<[number], number>(`SELECT seq FROM span_bases WHERE base = ?`).pluck(),
      dropBase: db.prepare<[number]>(`DELETE FROM span_bases WHERE seq = ?`),
      dropChanges: db.prepare<[number]>(`DELETE FROM span_changes WHERE seq = ?`),
      insertChange: db.prepare<[number, string, number, number, number]>(`INSERT INTO span_changes (seq, key, kind, mask, position) VALUES (?, CAST(? AS BLOB), ?, ?, ?)`),
    };
  }

  /** The target's id, made (with `seq` as its first pass) when it does not exist yet. */
  targetFor(t: TargetParams, seq: number): number {
    const name = targetName(t);
    const found = this.stmt.targetByName.get(name);
    if (found !== undefined) return found.id;
    return Number(this.stmt.insertTarget.run({ name, ...t, firstSeq: seq }).lastInsertRowid);
  }

  target(id: number): TargetRow | undefined {
    return this.stmt.targetById.get(id);
  }

  findTarget(t: TargetParams): TargetRow | undefined {
    return this.stmt.targetByName.get(targetName(t));
  }

  private insertStatement(rows: number): Database.Statement<unknown[]> {
    let s = this.inserts.get(rows);
    if (s === undefined) {
      const values = Array.from({ length: rows }, () => "(?, CAST(? AS BLOB), ?, ?, ?, ?, ?, ?, ?, ?)").join(", ");
      s = this.db.prepare(
        `INSERT INTO spans (target, key, from_seq, to_seq, size, etag, last_modified, storage_class, version_id, initial) VALUES ${values}`,
      );
      this.inserts.set(rows, s);
    }
    return s;
  }

  /**
   * Records what one page of the pass `seq` listed in the key interval (lo, hi] (lo null: from the
   * target's first key; hi null: to its last). `entries` must be in strictly ascending key order
   * (NotKeyOrdered otherwise, before anything is written). Run it inside the page's transaction.
   * `before` is how many keys the pass listed before this page: given, and while the pass's
   * differences from the one before it are recorded (trackChanges), the page's are recorded too.
   */
  recordPage(target: number, seq: number, lo: string | null, hi: string | null, entries: readonly Entry[], before: number | null = null): void {
    for (let i = 1; i < entries.length; i++) {
      const prev = (entries[i - 1] as Entry).key;
      const key = (entries[i] as Entry).key;
      if (compareKeys(key, prev) <= 0) throw new NotKeyOrdered(key, prev);
    }
    const t = this.stmt.targetById.get(target);
    if (t === undefined) throw new Error(`unknown target ${target}`);
    const next = this.stmt.nextSeq.get(target, seq) ?? null;
    const rows = this.stmt.valid.all({ target, seq, lo: low(lo), hi: high(hi) });
    const writer = new SpanWriter(this, t, seq, next);
    let tracked = before !== null && this.stmt.baseOf.get(seq) !== undefined;
    // A newer pass may have changed what is valid at this seq's neighbours: the record could be wrong.
    if (tracked && next !== null) {
      this.untrack(seq);
      tracked = false;
    }
    const change = (key: string, kind: ChangeKind, mask: number, i: number) => {
      if (tracked) this.stmt.insertChange.run(seq, key, kind, mask, (before as number) + i);
    };
    let j = 0;
    for (const [i, e] of entries.entries()) {
      let r = rows[j];
      while (r !== undefined && compareKeys(r[0], e.key) < 0) {
        writer.end(r);
        change(r[0], CHANGE.removed, 0, i);
        r = rows[++j];
      }
      if (r !== undefined && r[0] === e.key) {
        j++;
        if (sameFields(r, e)) continue;
        writer.end(r);
        writer.add(e, r[2]);
        const mask = fieldMask([r[3], r[4], r[5], r[6]], [e.size, e.etag, e.lastModified, e.storageClass]);
        // A new version id alone is not a difference a comparison shows.
        if (mask !== 0) change(e.key, CHANGE.changed, mask, i);
      } else {
        writer.add(e, undefined);
        change(e.key, CHANGE.added, 0, i);
      }
    }
    for (; j < rows.length; j++) {
      const r = rows[j] as SpanTuple;
      writer.end(r);
      change(r[0], CHANGE.removed, 0, entries.length);
    }
    writer.flush();
  }

  /**
   * Records the differences of the pass `seq` from `base` as its pages are written (see the top of
   * this file). Only for a pass just made, the newest of its target, whose previous pass `base`
   * finished having covered every key.
   */
  trackChanges(seq: number, base: number): void {
    this.stmt.setBase.run(seq, base);
  }

  /** Forgets the recorded differences of the pass `seq`. */
  untrack(seq: number): void {
    this.stmt.dropChanges.run(seq);
    this.stmt.dropBase.run(seq);
  }


  /** Internal to SpanWriter. */
  insertRows(args: unknown[], rows: number): void {
    if (rows > 0) this.insertStatement(rows).run(...args);
  }

  /** Internal to SpanWriter. */
  get statements() {
    return this.stmt;
  }

  addCounts(target: number, rows: number, bytes: number): void {
    if (rows !== 0 || bytes !== 0) this.stmt.addCounts.run(rows, bytes, target);
  }

  /** Rows listed at `seq` in (lo, hi], in key order, from the `offset`-th, at most `limit`. */
  rows(target: number, seq: number, lo: string | null, hi: string | null, offset = 0, limit = -1): EntryTuple[] {
    return this.stmt.window.all({ target, seq, lo: low(lo), hi: high(hi), offset, limit });
  }

  count(target: number, seq: number, lo: string | null, hi: string | null): number {
    return this.stmt.count.get({ target, seq, lo: low(lo), hi: high(hi) }) ?? 0;
  }

  /** Every stored version of one key of a target, oldest first. */
  versions(target: number, key: string): SpanTuple[] {
    return this.stmt.versions.all(target, key);
  }

  /**
   * Drops the rows no surviving pass of the target can read once the pass `seq` is gone (call it
   * after its passes row is deleted): those that lie strictly between the surviving passes around it.
   * The target goes with its last pass.
   */
  forgetPass(target: number, seq: number): void {
    this.untrack(seq);
    for (const later of this.stmt.basedOn.all(seq)) this.untrack(later);
    const prev = this.stmt.previousSeq.get(target, seq) ?? null;
    const next = this.stmt.nextSeq.get(target, seq) ?? null;
    if (prev === null && next === null) {
      this.stmt.deleteAll.run(target);
      this.stmt.deleteTarget.run(target);
      return;
    }
    const garbage = [...this.stmt.garbageEnded.all({ target, prev: prev ?? -1, next: next ?? Number.MAX_SAFE_INTEGER })];
    if (next === null) garbage.push(...this.stmt.garbageOpen.all({ target, prev: prev ?? -1, seq }));
    let bytes = 0;
    for (const [key, from, b] of garbage) {
      this.stmt.deleteRow.run(target, key, from);
      bytes += b;
    }
    this.addCounts(target, -garbage.length, -bytes);
    // The newest pass went: what the one before it listed is again the latest known state, and
    // nothing begins after it any more.
    if (next === null && prev !== null) this.stmt.reopen.run(target, prev);
  }
}

const BYTES_SQL = `length(key) + coalesce(length(etag), 0) + coalesce(length(last_modified), 0) + coalesce(length(storage_class), 0) + coalesce(length(version_id), 0) + ${ROW_OVERHEAD_BYTES}`;

/**
 * The writes of one page: where a key's value at `seq` ends or begins. `next` is the target's next
 * pass after `seq` (null when `seq` is the newest): validity past it belongs to the passes from there on.
 */
class SpanWriter {
  private readonly args: unknown[] = [];
  private pending = 0;
  private rows = 0;
  private bytes = 0;
  private readonly s: SpanStore["statements"];

  constructor(
    private readonly store: SpanStore,
    private readonly target: TargetRow,
    private readonly seq: number,
    private readonly next: number | null,
  ) {
    this.s = store.statements;
  }

  /** The row `r`, valid at seq, no longer holds at seq (the key is gone or changed). */
  end(r: SpanTuple): void {
    const [key, from, to] = r;
    const t = this.target.id;
    if (from < this.seq) this.s.setTo.run(this.seq, t, key, from);
    else {
      this.s.deleteRow.run(t, key, from);
      this.rows--;
      this.bytes -= rowBytes(key, { etag: r[4], lastModified: r[5], storageClass: r[6], versionId: r[7] });
    }
    // The passes after this one listed (or will list) the old value: it stays valid for them.
    if (this.next !== null && (to === null || this.next < to)) {
      this.insert(key, this.next, to, { size: r[3], etag: r[4], lastModified: r[5], storageClass: r[6], versionId: r[7] });
    }
  }

  /**
   * `e` is what the key holds at seq. `endedAt` is the end of the row it replaces (undefined when
   * the key had no value at seq).
   */
  add(e: Entry, endedAt: number | null | undefined): void {
    // The newest pass: nothing of this target begins after it, so its value holds from here on.
    if (this.next === null) {
      this.insert(e.key, this.seq, null, e);
      return;
    }
    // An older pass: its value holds at its own seq only, up to the next pass (or the key's next row).
    let to: number | null = this.next;
    if (endedAt !== undefined && endedAt !== null && endedAt < to) to = endedAt;
    const versions = endedAt === undefined ? this.store.versions(this.target.id, e.key) : [];
    if (endedAt === undefined) {
      const later = versions.find((v) => v[1] > this.seq);
      if (later !== undefined && later[1] < to) to = later[1];
      // Join an equal row that ends here or begins where this one ends.
      const before = versions.find((v) => v[2] === this.seq && sameFields(v, e));
      const after = versions.find((v) => v[1] === to && sameFields(v, e));
      if (before !== undefined && after !== undefined) {
        this.s.deleteRow.run(this.target.id, e.key, after[1]);
        this.rows--;
        this.bytes -= rowBytes(e.key, e);
        this.s.setTo.run(after[2], this.target.id, e.key, before[1]);
        return;
      }
      if (before !== undefined) {
        this.s.setTo.run(to, this.target.id, e.key, before[1]);
        return;
      }
      if (after !== undefined) {
        this.s.setFrom.run(this.seq, this.seq === this.target.first_seq ? 1 : 0, this.target.id, e.key, after[1]);
        return;
      }
    }
    this.insert(e.key, this.seq, to, e);
  }

  private insert(key: string, from: number, to: number | null, e: Omit<Entry, "key">): void {
    this.args.push(this.target.id, key, from, to, e.size, e.etag, e.lastModified, e.storageClass, e.versionId ?? null, from === this.target.first_seq ? 1 : 0);
    this.rows++;
    this.bytes += rowBytes(key, e);
    if (++this.pending === INSERT_BATCH) this.flushInserts();
  }

  private flushInserts(): void {
    this.store.insertRows(this.args, this.pending);
    this.args.length = 0;
    this.pending = 0;
  }

  flush(): void {
    this.flushInserts();
    this.store.addCounts(this.target.id, this.rows, this.bytes);
  }
}
