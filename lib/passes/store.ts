import "server-only";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { startCheckpointer, type Checkpointer } from "./checkpointer";
import { coversEverything, PassRows, spanOfKey, type Layout, type PassLocation } from "./pass-rows";
import { NotKeyOrdered, SpanStore } from "./spans";
import { compareKeys, type ListCursor, type ListedPage } from "@/lib/lister";
import type { ParallelState, ParallelStep, RangeRecord } from "@/lib/parallel";
import {
  withdrawnPage,
  type EntriesResponse,
  type Entry,
  type PageEvent,
  type PageRecord,
  type PassError,
  type PassKind,
  type PassListQuery,
  type PassStatus,
  type PassSummary,
  type PagedEntry,
  type SnapshotInfo,
  type InventoryInfo,
} from "@/lib/wire";
import { RACE_PREFIX } from "@/lib/wire";

// Keys are stored as BLOBs so that SQLite's memcmp order is S3's UTF-8 byte order. A pass's entries
// are written one transaction per page and never held in memory as a whole. List and snapshot passes
// share storage with the other passes of their target (layout "spans", see spans.ts); a pass whose
// keys come out of order or repeated, and every pass of a data directory written before, keeps every
// entry in `entries` (layout "entries", see pass-rows.ts).

const SCHEMA = `
CREATE TABLE IF NOT EXISTS passes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL DEFAULT 'list',
  connection TEXT NOT NULL,
  bucket TEXT NOT NULL,
  prefix TEXT NOT NULL,
  delimiter TEXT,
  page_size INTEGER NOT NULL,
  start_after TEXT,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  ended_at INTEGER,
  updated_at INTEGER NOT NULL,
  run_started_at INTEGER NOT NULL,
  active_ms INTEGER NOT NULL DEFAULT 0,
  runs INTEGER NOT NULL DEFAULT 1,
  page_records INTEGER NOT NULL DEFAULT 0,
  pages INTEGER NOT NULL DEFAULT 0,
  failed_pages INTEGER NOT NULL DEFAULT 0,
  keys INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  prefixes INTEGER NOT NULL DEFAULT 0,
  anomalies INTEGER NOT NULL DEFAULT 0,
  requests INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  last_complete_page INTEGER NOT NULL DEFAULT 0,
  next_token TEXT,
  cursor BLOB,
  last_key TEXT,
  last_key_page INTEGER NOT NULL DEFAULT -1,
  last_prefix TEXT,
  last_prefix_page INTEGER NOT NULL DEFAULT -1,
  snapshot TEXT,
  snapshot_state TEXT,
  concurrency INTEGER NOT NULL DEFAULT 1,
  parallel TEXT,
  layout TEXT NOT NULL DEFAULT 'entries',
  target INTEGER,
  stored_bytes INTEGER,
  inventory TEXT
);
CREATE INDEX IF NOT EXISTS passes_by_target ON passes (connection, bucket, prefix, seq);
CREATE TABLE IF NOT EXISTS pages (
  pass INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  record TEXT NOT NULL,
  common_prefixes TEXT NOT NULL,
  first_row INTEGER NOT NULL,
  row_count INTEGER NOT NULL,
  lo BLOB,
  hi BLOB,
  range_id INTEGER,
  range_after BLOB,
  PRIMARY KEY (pass, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pass_ranges (
  pass INTEGER NOT NULL,
  id INTEGER NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (pass, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entries (
  pass INTEGER NOT NULL,
  page INTEGER NOT NULL,
  key BLOB NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT,
  last_modified TEXT,
  storage_class TEXT,
  version_id TEXT
);
CREATE INDEX IF NOT EXISTS entries_by_key ON entries (pass, key);
`;

/** Columns added after the first release: data dirs made before them get them by ALTER TABLE. */
const ADDED_COLUMNS: readonly [table: string, column: string, type: string][] = [
  ["passes", "snapshot", "TEXT"],
  ["passes", "snapshot_state", "TEXT"],
  ["passes", "inventory", "TEXT"],
  ["entries", "version_id", "TEXT"],
  ["passes", "concurrency", "INTEGER NOT NULL DEFAULT 1"],
  ["passes", "parallel", "TEXT"],
  ["pages", "range_id", "INTEGER"],
  ["pages", "range_after", "BLOB"],
  // Passes recorded before these columns existed keep every entry in `entries`.
  ["passes", "layout", "TEXT NOT NULL DEFAULT 'entries'"],
  ["passes", "target", "INTEGER"],
  ["pages", "lo", "BLOB"],
  ["pages", "hi", "BLOB"],
  // Bytes a pass holds of its own (page records, and its entries when kept in full); NULL for passes
  // recorded before it was counted, measured once when first asked.
  ["passes", "stored_bytes", "INTEGER"],
];

/**
 * Indexes on added columns: made once the columns exist. A pass's pages in listing order with where
 * their rows are, from the index alone: the rows themselves carry each page's record (~600 bytes),
 * and every view and comparison of a pass reads this first (a 1M-key pass: 1000 pages).
 */
const ADDED_INDEXES = `CREATE INDEX IF NOT EXISTS passes_by_span_target ON passes (target, seq) WHERE target IS NOT NULL;
CREATE INDEX IF NOT EXISTS pages_in_order ON pages (pass, range_after, idx, first_row, row_count, lo, hi);`;

/** Bytes counted for a page row beyond its record and prefixes (keys, first row, interval). */
const PAGE_OVERHEAD_BYTES = 32;
/** An entry row as counted: its values and a per-row overhead (rowid, header, key index entry). */
const ENTRY_OVERHEAD_BYTES = 40;
const ENTRY_BYTES_SQL = `2 * length(key) + coalesce(length(etag), 0) + coalesce(length(last_modified), 0) + coalesce(length(storage_class), 0) + coalesce(length(version_id), 0) + ${ENTRY_OVERHEAD_BYTES}`;

function entryBytes(e: Entry): number {
  return 2 * Buffer.byteLength(e.key) + (e.etag?.length ?? 0) + (e.lastModified?.length ?? 0) + (e.storageClass?.length ?? 0) + (e.versionId?.length ?? 0) + ENTRY_OVERHEAD_BYTES;
}

// A page's entries get consecutive rowids in the order S3 sent them, so replaying a page is one
// rowid range scan and the key index is the only one to maintain. Listing order (key order without
// anomalies) is the pages by (range_after, idx): a sequential pass has one range (range_after NULL),
// a parallel pass's ranges are disjoint key ranges ordered by where they begin, and each range's
// pages follow one another in key order. Rows go in with multi-row INSERTs:
// per-statement overhead, not the B-trees, dominates a 1000-row page.
const INSERT_BATCH = 100;

export interface PassRow {
  seq: number;
  id: string;
  kind: PassKind;
  connection: string;
  bucket: string;
  prefix: string;
  delimiter: string | null;
  page_size: number;
  start_after: string | null;
  status: PassStatus;
  created_at: number;
  ended_at: number | null;
  updated_at: number;
  run_started_at: number;
  active_ms: number;
  runs: number;
  page_records: number;
  pages: number;
  failed_pages: number;
  keys: number;
  bytes: number;
  prefixes: number;
  anomalies: number;
  requests: number;
  error: string | null;
  last_complete_page: number;
  next_token: string | null;
  cursor: Buffer | null;
  last_key: string | null;
  last_key_page: number;
  last_prefix: string | null;
  last_prefix_page: number;
  snapshot: string | null;
  snapshot_state: string | null;
  concurrency: number;
  parallel: string | null;
  layout: Layout;
  target: number | null;
  stored_bytes: number | null;
  inventory: string | null;
}

// Keys are read back with CAST(key AS TEXT): SQLite hands the stored UTF-8 bytes over as a string,
// which is much cheaper than a Buffer per key.
type EntryTuple = [key: string, size: number, etag: string | null, lastModified: string | null, storageClass: string | null, versionId: string | null];
type PagedEntryTuple = [...EntryTuple, page: number];

export interface NewPass {
  id: string;
  /** Default "list". */
  kind?: PassKind;
  connection: string;
  bucket: string;
  prefix: string;
  delimiter: string | null;
  pageSize: number;
  startAfter: string | null;
  snapshot?: SnapshotInfo | null;
  snapshotState?: string | null;
  /** Default 1. */
  concurrency?: number;
  /** Set for concurrency > 1. */
  parallel?: ParallelState | null;
  inventory?: InventoryInfo | null;
}

/** What a snapshot pass writes with each page: its running SnapshotInfo and the walk's own state. */
export interface SnapshotProgress {
  info: SnapshotInfo;
  /** Opaque to the store: the service's running state, read back on resume. */
  state: string;
  /** The greatest key settled so far (the key still open is not): where a resumed walk continues. */
  settledKey: string | null;
}

/** What a resumed run needs to continue exactly where the pass left off. */
export interface ResumePoint {
  nextIndex: number;
  /** The last recorded page answered and was not truncated: nothing is left to list. */
  finished: boolean;
  nextToken: string | null;
  /** Greatest key or common prefix recorded so far (byte order): a safe start-after. */
  cursor: string | null;
  previous: ListCursor;
}

export type KeyLookup = { state: "listed"; entry: PagedEntry } | { state: "absent" | "not_covered" | "rolled_up" };

const RESUMABLE: ReadonlySet<PassStatus> = new Set(["failed", "interrupted", "cancelled"]);

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function toSummary(r: PassRow): PassSummary {
  return {
    id: r.id,
    kind: r.kind,
    connection: r.connection,
    bucket: r.bucket,
    prefix: r.prefix,
    delimiter: r.delimiter,
    pageSize: r.page_size,
    startAfter: r.start_after,
    status: r.status,
    createdAt: iso(r.created_at),
    endedAt: r.ended_at !== null ? iso(r.ended_at) : null,
    updatedAt: iso(r.updated_at),
    activeMs: r.active_ms + (r.status === "running" ? Math.max(0, Date.now() - r.run_started_at) : 0),
    runs: r.runs,
    totals: {
      pages: r.pages,
      failedPages: r.failed_pages,
      keys: r.keys,
      bytes: r.bytes,
      prefixes: r.prefixes,
      anomalies: r.anomalies,
      requests: r.requests,
    },
    error: r.error !== null ? (JSON.parse(r.error) as PassError) : null,
    // An import is not resumed: a new one reads and verifies the report again.
    resumable: RESUMABLE.has(r.status) && r.kind !== "inventory",
    snapshot: r.snapshot !== null ? (JSON.parse(r.snapshot) as SnapshotInfo) : null,
    concurrency: r.concurrency,
    parallel: r.parallel !== null ? (JSON.parse(r.parallel) as ParallelState).info : null,
    inventory: r.inventory !== null ? (JSON.parse(r.inventory) as InventoryInfo) : null,
  };
}

const textOf = (b: Buffer | null) => (b === null ? null : b.toString("utf8"));
/**
 * The keys that begin with `prefix` as a range of UTF-8 byte strings, [low, high): high is the prefix
 * with its last byte raised by one (UTF-8 never has a 0xFF byte, so that byte always exists). Null
 * for the empty prefix, which every key begins with.
 */
export function prefixRange(prefix: string): [Buffer, Buffer] | null {
  if (prefix === "") return null;
  const low = Buffer.from(prefix, "utf8");
  const high = Buffer.from(low);
  high[high.length - 1] = (high[high.length - 1] as number) + 1;
  return [low, high];
}

function toEntry(r: EntryTuple | PagedEntryTuple): Entry {
  const e: Entry = { key: r[0], size: r[1], etag: r[2], lastModified: r[3], storageClass: r[4] };
  if (r[5] !== null) e.versionId = r[5];
  return e;
}

export class PassStore {
  readonly db: Database.Database;
  readonly spans: SpanStore;
  readonly rows: PassRows;
  /**
   * How new passes keep their entries. "entries" is how data directories written before passes
   * shared storage kept them; tests and benchmarks compare the two.
   */
  newPassLayout: Layout = "spans";
  private readonly stmt;
  private readonly checkpointer: Checkpointer;
  private readonly recordPageTx: (seq: number, page: ListedPage, snapshot: SnapshotProgress | null) => void;
  private readonly recordStepTx: (seq: number, step: ParallelStep) => void;
  private readonly listStatements = new Map<string, Database.Statement<(string | number)[], PassRow>>();
  private readonly insertStatements = new Map<number, Database.Statement<(number | string | null)[]>>();
  private readonly insertVersionedStatements = new Map<number, Database.Statement<(number | string | null)[]>>();

  constructor(
    readonly file: string,
    opts: { busyTimeoutMs?: number } = {},
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.round(opts.busyTimeoutMs ?? 5000))}`);
    this.db.pragma("journal_size_limit = 67108864");
    this.db.pragma("wal_autocheckpoint = 0");
    this.checkpointer = startCheckpointer(file, () => {
      if (this.db.open) this.db.pragma("wal_autocheckpoint = 1000");
    });
    this.db.exec(SCHEMA);
    for (const [table, column, type] of ADDED_COLUMNS) {
      const columns = this.db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`).all();
      if (!columns.some((c) => c.name === column)) this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
    this.db.exec(ADDED_INDEXES);
    SpanStore.createSchema(this.db);
    this.spans = new SpanStore(this.db);
    this.rows = new PassRows(this.db);
    const db = this.db;
    this.stmt = {
      insertPass: db.prepare<
        [
          Omit<NewPass, "kind" | "snapshot" | "snapshotState" | "concurrency" | "parallel" | "inventory"> & {
            kind: PassKind;
            now: number;
            snapshot: string | null;
            snapshotState: string | null;
            concurrency: number;
            parallel: string | null;
            inventory: string | null;
            layout: Layout;
          },
        ]
      >(
        `INSERT INTO passes (id, kind, connection, bucket, prefix, delimiter, page_size, start_after, status, created_at, updated_at, run_started_at, snapshot, snapshot_state, concurrency, parallel, inventory, layout, stored_bytes)
         VALUES (@id, @kind, @connection, @bucket, @prefix, @delimiter, @pageSize, @startAfter, 'running', @now, @now, @now, @snapshot, @snapshotState, @concurrency, @parallel, @inventory, @layout, 0)`,
      ),
      setTarget: db.prepare<[number, number]>(`UPDATE passes SET target = ? WHERE seq = ?`),
      setLayout: db.prepare<[Layout, number]>(`UPDATE passes SET layout = ? WHERE seq = ?`),
      byId: db.prepare<[string], PassRow>(`SELECT * FROM passes WHERE id = ?`),
      bySeq: db.prepare<[number], PassRow>(`SELECT * FROM passes WHERE seq = ?`),
      previousOfTarget: db.prepare<[number, number], PassRow>(`SELECT * FROM passes WHERE target = ? AND seq < ? ORDER BY seq DESC LIMIT 1`),
      nextRow: db.prepare<[], number>(`SELECT coalesce(max(rowid), 0) + 1 FROM entries`).pluck(),
      insertPage: db.prepare<[number, number, string, string, number, number, string | null, string | null, number | null, string | null]>(
        `INSERT INTO pages (pass, idx, record, common_prefixes, first_row, row_count, lo, hi, range_id, range_after)
         VALUES (?, ?, ?, ?, ?, ?, CAST(? AS BLOB), CAST(? AS BLOB), ?, CAST(? AS BLOB))`,
      ),
      setFirstRow: db.prepare<[number, number, number]>(`UPDATE pages SET first_row = ? WHERE pass = ? AND idx = ?`),
      setParallel: db.prepare<[string, number]>(`UPDATE passes SET parallel = ? WHERE seq = ?`),
      saveRange: db.prepare<[number, number, string]>(
        `INSERT INTO pass_ranges (pass, id, record) VALUES (?, ?, ?) ON CONFLICT (pass, id) DO UPDATE SET record = excluded.record`,
      ),
      ranges: db.prepare<[number], string>(`SELECT record FROM pass_ranges WHERE pass = ? ORDER BY id`).pluck(),
      rangePages: db.prepare<[number, number], { idx: number; record: string; first_row: number; row_count: number; common_prefixes: string }>(
        `SELECT idx, record, first_row, row_count, common_prefixes FROM pages WHERE pass = ? AND range_id = ?`,
      ),
      withdrawPage: db.prepare<[string, number, number]>(`UPDATE pages SET record = ?, common_prefixes = '[]', row_count = 0 WHERE pass = ? AND idx = ?`),
      deleteRows: db.prepare<[number, number]>(`DELETE FROM entries WHERE rowid BETWEEN ? AND ?`),
      rowsBytes: db.prepare<[number, number], number>(`SELECT coalesce(sum(${ENTRY_BYTES_SQL}), 0) FROM entries WHERE rowid BETWEEN ? AND ?`).pluck(),
      withdrawTotals: db.prepare<[{ seq: number; keys: number; bytes: number; prefixes: number; anomalies: number; stored: number }]>(
        `UPDATE passes SET keys = keys - @keys, bytes = bytes - @bytes, prefixes = prefixes - @prefixes, anomalies = anomalies - @anomalies,
           stored_bytes = max(0, coalesce(stored_bytes, 0) - @stored) WHERE seq = @seq`,
      ),
      deleteRanges: db.prepare<[number]>(`DELETE FROM pass_ranges WHERE pass = ?`),
      afterPage: db.prepare<
        [
          {
            seq: number;
            ok: number;
            keys: number;
            bytes: number;
            prefixes: number;
            anomalies: number;
            requests: number;
            complete: number;
            nextToken: string | null;
            cursor: string | null;
            lastKey: string | null;
            lastKeyPage: number;
            lastPrefix: string | null;
            lastPrefixPage: number;
            stored: number;
            now: number;
          },
        ]
      >(
        `UPDATE passes SET
           page_records = page_records + 1,
           stored_bytes = coalesce(stored_bytes, 0) + @stored,
           pages = pages + @ok,
           failed_pages = failed_pages + (1 - @ok),
           keys = keys + @keys, bytes = bytes + @bytes, prefixes = prefixes + @prefixes,
           anomalies = anomalies + @anomalies, requests = requests + @requests,
           last_complete_page = @complete,
           next_token = CASE WHEN @ok = 1 THEN @nextToken ELSE next_token END,
           cursor = CASE WHEN @cursor IS NOT NULL AND (cursor IS NULL OR CAST(@cursor AS BLOB) > cursor) THEN CAST(@cursor AS BLOB) ELSE cursor END,
           last_key = coalesce(@lastKey, last_key),
           last_key_page = CASE WHEN @lastKey IS NOT NULL THEN @lastKeyPage ELSE last_key_page END,
           last_prefix = coalesce(@lastPrefix, last_prefix),
           last_prefix_page = CASE WHEN @lastPrefix IS NOT NULL THEN @lastPrefixPage ELSE last_prefix_page END,
           updated_at = @now
         WHERE seq = @seq`,
      ),
      setSnapshot: db.prepare<[string, string | null, number]>(`UPDATE passes SET snapshot = ?, snapshot_state = coalesce(?, snapshot_state) WHERE seq = ?`),
      setInventory: db.prepare<[string, number]>(`UPDATE passes SET inventory = ? WHERE seq = ?`),
      resetTotals: db.prepare<[number, number]>(
        `UPDATE passes SET page_records = 0, pages = 0, failed_pages = 0, keys = 0, bytes = 0, prefixes = 0, anomalies = 0, requests = 0,
           last_complete_page = 0, next_token = NULL, cursor = NULL, last_key = NULL, last_key_page = -1, last_prefix = NULL, last_prefix_page = -1,
           updated_at = ?
         WHERE seq = ?`,
      ),
      runningInventories: db.prepare<[], { seq: number; id: string }>(`SELECT seq, id FROM passes WHERE status = 'running' AND kind = 'inventory'`),
      finish: db.prepare<[{ id: string; status: PassStatus; error: string | null; now: number }]>(
        `UPDATE passes SET status = @status, error = @error, ended_at = @now, updated_at = @now,
           active_ms = active_ms + max(0, @now - run_started_at)
         WHERE id = @id AND status = 'running'`,
      ),
      resume: db.prepare<[{ id: string; now: number }]>(
        `UPDATE passes SET status = 'running', error = NULL, ended_at = NULL, updated_at = @now, run_started_at = @now, runs = runs + 1
         WHERE id = @id AND status IN ('failed', 'interrupted', 'cancelled')`,
      ),
      interruptAll: db.prepare<[number]>(
        `UPDATE passes SET status = 'interrupted', active_ms = active_ms + max(0, updated_at - run_started_at), updated_at = ?
         WHERE status = 'running'`,
      ),
      page: db.prepare<[number, number], { record: string; common_prefixes: string; first_row: number; row_count: number; lo: Buffer | null; hi: Buffer | null }>(
        `SELECT record, common_prefixes, first_row, row_count, lo, hi FROM pages WHERE pass = ? AND idx = ?`,
      ),
      pageEntries: db
        .prepare<[number, number], EntryTuple>(
          `SELECT CAST(key AS TEXT), size, etag, last_modified, storage_class, version_id FROM entries WHERE rowid BETWEEN ? AND ? ORDER BY rowid`,
        )
        .raw(),
      entriesAfter: db
        .prepare<[number, Buffer, number], PagedEntryTuple>(
          `SELECT CAST(key AS TEXT), size, etag, last_modified, storage_class, version_id, page FROM entries
           WHERE pass = ? AND key > ? ORDER BY key, rowid LIMIT ?`,
        )
        .raw(),
      entriesMatching: db
        .prepare<[number, Buffer, Buffer, number], PagedEntryTuple>(
          `SELECT CAST(key AS TEXT), size, etag, last_modified, storage_class, version_id, page FROM entries
           WHERE pass = ? AND key > ? AND instr(key, ?) > 0 ORDER BY key, rowid LIMIT ?`,
        )
        .raw(),
      entryOfKey: db
        .prepare<[number, string], PagedEntryTuple>(
          `SELECT CAST(key AS TEXT), size, etag, last_modified, storage_class, version_id, page FROM entries
           WHERE pass = ? AND key = CAST(? AS BLOB) ORDER BY rowid LIMIT 1`,
        )
        .raw(),
      addStored: db.prepare<[number, number]>(`UPDATE passes SET stored_bytes = coalesce(stored_bytes, 0) + ? WHERE seq = ?`),
      measureStored: db
        .prepare<[number, number], number>(
          `SELECT (SELECT coalesce(sum(length(record) + length(common_prefixes) + ${PAGE_OVERHEAD_BYTES}), 0) FROM pages WHERE pass = ?)
                + (SELECT coalesce(sum(${ENTRY_BYTES_SQL}), 0) FROM entries WHERE pass = ?)`,
        )
        .pluck(),
      setStored: db.prepare<[number, number]>(`UPDATE passes SET stored_bytes = ? WHERE seq = ?`),
      unmeasured: db.prepare<[], number>(`SELECT seq FROM passes WHERE stored_bytes IS NULL`).pluck(),
      seriesBytes: db
        .prepare<{ connection: string; bucket: string; prefix: string; delimiter: string | null; kind: string; startAfter: string | null; pageSize: number | null }, { passes: number; own: number; shared: number }>(
          `SELECT count(*) AS passes, coalesce(sum(stored_bytes), 0) AS own,
             (SELECT coalesce(sum(span_bytes), 0) FROM targets WHERE id IN (SELECT target FROM passes p2
                WHERE p2.connection = @connection AND p2.bucket = @bucket AND p2.prefix = @prefix AND p2.delimiter IS @delimiter AND p2.kind = @kind AND p2.start_after IS @startAfter AND (@pageSize IS NULL OR p2.page_size = @pageSize))) AS shared
           FROM passes WHERE connection = @connection AND bucket = @bucket AND prefix = @prefix AND delimiter IS @delimiter AND kind = @kind AND start_after IS @startAfter
             AND (@pageSize IS NULL OR page_size = @pageSize)`,
        ),
      // A prefix is a key range: [prefix, the first byte string after every key that begins with it).
      entriesAfterInRange: db
        .prepare<[number, Buffer, Buffer, Buffer, number], PagedEntryTuple>(
          `SELECT CAST(key AS TEXT), size, etag, last_modified, storage_class, version_id, page FROM entries
           WHERE pass = ? AND key > ? AND key >= ? AND key < ? ORDER BY key, rowid LIMIT ?`,
        )
        .raw(),
      entriesMatchingInRange: db
        .prepare<[number, Buffer, Buffer, Buffer, Buffer, number], PagedEntryTuple>(
          `SELECT CAST(key AS TEXT), size, etag, last_modified, storage_class, version_id, page FROM entries
           WHERE pass = ? AND key > ? AND key >= ? AND key < ? AND instr(key, ?) > 0 ORDER BY key, rowid LIMIT ?`,
        )
        .raw(),
      deleteEntries: db.prepare<[number]>(`DELETE FROM entries WHERE pass = ?`),
      deletePages: db.prepare<[number]>(`DELETE FROM pages WHERE pass = ?`),
      deletePass: db.prepare<[number]>(`DELETE FROM passes WHERE seq = ?`),
    };
    this.recordPageTx = db.transaction((seq: number, page: ListedPage, snapshot: SnapshotProgress | null) => {
      this.writePage(seq, page, snapshot);
      if (snapshot !== null) this.stmt.setSnapshot.run(JSON.stringify(snapshot.info), snapshot.state, seq);
    });
    this.recordStepTx = db.transaction((seq: number, step: ParallelStep) => {
      if (step.withdraw.length > 0) this.withdraw(seq, step.withdraw, step.state.info.fallback?.message ?? "the pass fell back to one cursor");
      if (step.page !== null) this.writePage(seq, step.page, null);
      for (const r of step.ranges) this.stmt.saveRange.run(seq, r.id, JSON.stringify(r));
      this.stmt.setParallel.run(JSON.stringify(step.state), seq);
    });
  }

  /** Passes a previous process left running were cut off mid-walk: mark them so they can be resumed. */
  interruptOrphans(): number {
    // Half an import is never kept: an inventory pass cut off mid-report fails with nothing recorded.
    for (const { seq, id } of this.stmt.runningInventories.all()) {
      this.discardPages(seq);
      this.finish(id, "failed", {
        code: "conflict",
        message: "The import was cut off when the server stopped; nothing of it was kept. Import the report again.",
        httpStatus: null,
        s3Code: null,
        requestId: null,
        retryable: false,
      });
    }
    return this.stmt.interruptAll.run(Date.now()).changes;
  }

  create(p: NewPass, now = Date.now()): PassSummary {
    const kind = p.kind ?? "list";
    const concurrency = p.concurrency ?? 1;
    this.db.transaction(() => {
      const seq = Number(
        this.stmt.insertPass.run({
          id: p.id,
          connection: p.connection,
          bucket: p.bucket,
          prefix: p.prefix,
          delimiter: p.delimiter,
          pageSize: p.pageSize,
          startAfter: p.startAfter,
          kind,
          snapshot: p.snapshot != null ? JSON.stringify(p.snapshot) : null,
          snapshotState: p.snapshotState ?? null,
          concurrency,
          parallel: p.parallel != null ? JSON.stringify(p.parallel) : null,
          inventory: p.inventory != null ? JSON.stringify(p.inventory) : null,
          // An inventory report's rows come in data files, not in key order, and a parallel pass's
          // pages arrive from several key ranges at once and may be withdrawn by a fallback: both keep
          // their entries.
          layout: kind === "inventory" || concurrency > 1 ? "entries" : this.newPassLayout,
          now,
        }).lastInsertRowid,
      );
      const target = this.spans.targetFor(
        { connection: p.connection, bucket: p.bucket, prefix: p.prefix, delimiter: p.delimiter, startAfter: p.startAfter, kind, pageSize: p.pageSize },
        seq,
      );
      this.stmt.setTarget.run(target, seq);
      this.trackChanges(seq, target);
    })();
    return this.summary(p.id) as PassSummary;
  }

  /**
   * A new spans pass records its differences from the previous pass of its target when that one
   * finished having covered every key (see spans.ts): a consecutive comparison then reads only them.
   */
  private trackChanges(seq: number, target: number): void {
    const pass = this.stmt.bySeq.get(seq);
    const previous = this.stmt.previousOfTarget.get(target, seq);
    if (pass?.layout !== "spans" || previous === undefined || previous.layout !== "spans" || previous.status !== "complete") return;
    if (coversEverything(this.rows.pages(this.location(previous)))) this.spans.trackChanges(seq, previous.seq);
  }

  row(id: string): PassRow | undefined {
    return this.stmt.byId.get(id);
  }

  rowBySeq(seq: number): PassRow | undefined {
    return this.stmt.bySeq.get(seq);
  }

  summary(id: string): PassSummary | null {
    const r = this.stmt.byId.get(id);
    return r !== undefined ? toSummary(r) : null;
  }

  list(q: PassListQuery): PassSummary[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    for (const [column, value] of [
      ["connection", q.connection],
      ["bucket", q.bucket],
      ["prefix", q.prefix],
    ] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      args.push(value);
    }
    // GLOB is case-sensitive and "-" and "/" are literal in it: exactly the race lab's own prefixes.
    if (q.race === "exclude") where.push(`prefix NOT GLOB '${RACE_PREFIX}*'`);
    args.push(q.limit);
    const sql = `SELECT * FROM passes ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ?`;
    let stmt = this.listStatements.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare<(string | number)[], PassRow>(sql);
      this.listStatements.set(sql, stmt);
    }
    return stmt.all(...args).map(toSummary);
  }

  /**
   * Writes one page (its record, entries, common prefixes and the pass's totals) in one transaction;
   * a snapshot pass's SnapshotInfo goes in the same transaction, so it always matches its pages.
   */
  recordPage(seq: number, page: ListedPage, snapshot: SnapshotProgress | null = null): void {
    this.recordPageTx(seq, page, snapshot);
  }

  /**
   * Records one step of a parallel pass in one transaction: the pages it withdraws, its page, the
   * ranges changed since the last step and the pass's parallel state, so a resume finds every range
   * exactly where its last recorded page left it.
   */
  recordStep(seq: number, step: ParallelStep): void {
    this.recordStepTx(seq, step);
  }

  /** The ranges of a parallel pass as last recorded, by id. */
  ranges(seq: number): RangeRecord[] {
    return this.stmt.ranges.all(seq).map((r) => JSON.parse(r) as RangeRecord);
  }

  /**
   * Where an unfinished pass's coverage ends: every key up to it was listed (a parallel pass lists
   * ranges out of order, so that is where the first unfinished range stands). "" when nothing was.
   */
  reach(r: PassRow): string {
    if (r.parallel === null) return r.cursor !== null ? r.cursor.toString("utf8") : "";
    let reached = "";
    const ranges = this.ranges(r.seq).sort((x, y) => compareKeys(x.after ?? "", y.after ?? ""));
    for (const range of ranges) {
      if (range.state === "withdrawn") continue;
      if (range.state !== "done") return range.position ?? range.after ?? reached;
      reached = range.through ?? range.position ?? reached;
    }
    return reached;
  }

  parallelState(r: PassRow): ParallelState | null {
    return r.parallel !== null ? (JSON.parse(r.parallel) as ParallelState) : null;
  }

  /**
   * Takes back what the pages of these ranges recorded (their entries go; their records stay, marked
   * withdrawn with the reason): the pass fell back to one cursor, which lists those keys again.
   */
  private withdraw(seq: number, rangeIds: readonly number[], reason: string): void {
    const totals = { seq, keys: 0, bytes: 0, prefixes: 0, anomalies: 0, stored: 0 };
    for (const id of rangeIds) {
      for (const p of this.stmt.rangePages.all(seq, id)) {
        const record = JSON.parse(p.record) as PageRecord;
        if (record.cursor?.withdrawn !== undefined) continue;
        if (p.row_count > 0) {
          totals.stored += this.stmt.rowsBytes.get(p.first_row, p.first_row + p.row_count - 1) ?? 0;
          this.stmt.deleteRows.run(p.first_row, p.first_row + p.row_count - 1);
        }
        totals.keys += p.row_count;
        totals.bytes += record.bytes;
        totals.prefixes += record.commonPrefixCount;
        totals.anomalies += record.anomalyCount;
        this.stmt.withdrawPage.run(JSON.stringify(withdrawnPage(record, reason)), seq, p.idx);
      }
    }
    this.stmt.withdrawTotals.run(totals);
  }

  /** Replaces a snapshot pass's SnapshotInfo outside a page (e.g. T corrected before the first page). */
  setSnapshot(seq: number, info: SnapshotInfo): void {
    this.stmt.setSnapshot.run(JSON.stringify(info), null, seq);
  }

  /** Replaces an inventory pass's InventoryInfo (its reading progress and notes). */
  setInventory(seq: number, info: InventoryInfo): void {
    this.stmt.setInventory.run(JSON.stringify(info), seq);
  }

  /**
   * Removes every page and entry of a pass and zeroes its totals, in one transaction: an import
   * that cannot finish (a corrupt or missing data file) keeps nothing rather than half a report.
   */
  discardPages(seq: number): void {
    this.db.transaction(() => {
      this.stmt.deleteEntries.run(seq);
      this.stmt.deletePages.run(seq);
      this.stmt.resetTotals.run(Date.now(), seq);
    })();
  }

  private insertEntries(rows: number): Database.Statement<(number | string | null)[]> {
    let stmt = this.insertStatements.get(rows);
    if (stmt === undefined) {
      const values = Array.from({ length: rows }, () => "(?, ?, ?, CAST(? AS BLOB), ?, ?, ?, ?)").join(", ");
      stmt = this.db.prepare(`INSERT INTO entries (rowid, pass, page, key, size, etag, last_modified, storage_class) VALUES ${values}`);
      this.insertStatements.set(rows, stmt);
    }
    return stmt;
  }

  // A second statement family rather than one with a nullable version_id, so a list pass binds
  // exactly the values it did before.
  private insertVersionedEntries(rows: number): Database.Statement<(number | string | null)[]> {
    let stmt = this.insertVersionedStatements.get(rows);
    if (stmt === undefined) {
      const values = Array.from({ length: rows }, () => "(?, ?, ?, CAST(? AS BLOB), ?, ?, ?, ?, ?)").join(", ");
      stmt = this.db.prepare(
        `INSERT INTO entries (rowid, pass, page, key, size, etag, last_modified, storage_class, version_id) VALUES ${values}`,
      );
      this.insertVersionedStatements.set(rows, stmt);
    }
    return stmt;
  }

  private writePage(seq: number, page: ListedPage, snapshot: SnapshotProgress | null): void {
    const pass = this.stmt.bySeq.get(seq);
    if (pass?.layout === "spans" && pass.target !== null) {
      // A page with keys out of order or repeated cannot be a key interval, nor can a page of one of
      // several key ranges listed at once: the pass keeps its entries.
      if (page.record.anomalyCount === 0 && page.record.cursor === undefined) {
        try {
          this.writeSpansPage(pass, page, snapshot);
          return;
        } catch (err) {
          if (!(err instanceof NotKeyOrdered)) throw err;
        }
      }
      this.moveToEntries(pass);
    }
    this.writeEntriesPage(seq, page, snapshot);
  }

  /** The greatest key or common prefix of a page (a snapshot's: the last key it settled). */
  private static pageCursor(page: ListedPage, snapshot: SnapshotProgress | null): string | null {
    if (snapshot !== null) return snapshot.settledKey;
    let cursor: string | null = null;
    for (const e of page.entries) if (cursor === null || compareKeys(e.key, cursor) > 0) cursor = e.key;
    for (const p of page.commonPrefixes) if (cursor === null || compareKeys(p, cursor) > 0) cursor = p;
    return cursor;
  }

  /**
   * A page of a spans pass covers the keys after where the pass had reached (its cursor) up to its
   * greatest item, or to the end of the listing when it is the last page; a page that listed nothing
   * and is not the last covers nothing.
   */
  private writeSpansPage(pass: PassRow, page: ListedPage, snapshot: SnapshotProgress | null): void {
    const { record, entries, commonPrefixes } = page;
    const lo = pass.cursor !== null ? pass.cursor.toString("utf8") : null;
    const reached = PassStore.pageCursor(page, snapshot);
    const last = record.answered && record.error === null && !record.isTruncated;
    const hi = last ? null : reached !== null && (lo === null || compareKeys(reached, lo) > 0) ? reached : (lo ?? "");
    if (entries.length > 0 && (hi === lo || hi === "")) throw new NotKeyOrdered(entries[0]?.key ?? "", lo ?? "");
    this.spans.recordPage(pass.target as number, pass.seq, lo, hi, entries, pass.keys);
    const recordJson = JSON.stringify(record);
    const prefixesJson = JSON.stringify(commonPrefixes);
    this.stmt.insertPage.run(pass.seq, record.index, recordJson, prefixesJson, 0, entries.length, lo, hi, null, null);
    this.afterPage(pass.seq, page, reached, recordJson.length + prefixesJson.length + PAGE_OVERHEAD_BYTES);
  }

  /**
   * Copies what a spans pass recorded so far into `entries` and records it there from now on (its
   * next page has keys out of order or repeated). Its target keeps the rows: other passes read them.
   */
  private moveToEntries(pass: PassRow): void {
    const loc: PassLocation = { seq: pass.seq, layout: "spans", target: pass.target };
    for (const span of this.rows.pages(loc)) {
      const rows = this.rows.readPage(loc, span);
      const firstRow = this.stmt.nextRow.get() as number;
      for (let start = 0; start < rows.length; start += INSERT_BATCH) {
        const batch = rows.slice(start, start + INSERT_BATCH);
        const args: (number | string | null)[] = [];
        batch.forEach((r, i) => args.push(firstRow + start + i, pass.seq, span.page, r[1], r[2], r[3], r[4], r[5], r[7]));
        this.insertVersionedEntries(batch.length).run(...args);
        let stored = 0;
        for (const r of batch) stored += entryBytes({ key: r[1], size: r[2], etag: r[3], lastModified: r[4], storageClass: r[5], versionId: r[7] });
        this.stmt.addStored.run(stored, pass.seq);
      }
      this.stmt.setFirstRow.run(firstRow, pass.seq, span.page);
    }
    this.stmt.setLayout.run("entries", pass.seq);
    this.spans.untrack(pass.seq);
  }

  private writeEntriesPage(seq: number, page: ListedPage, snapshot: SnapshotProgress | null): void {
    const { record, entries, commonPrefixes } = page;
    const firstRow = this.stmt.nextRow.get() as number;
    // Keys are bound as text and cast to BLOB by SQLite (the same UTF-8 bytes), sparing a Buffer per key.
    let cursor: string | null = null;
    const args: (number | string | null)[] = [];
    // Inventory pages may carry version ids (a versions report) and advance the cursor like a listing.
    const versioned = snapshot !== null || record.inventory !== undefined;
    for (let start = 0; start < entries.length; start += INSERT_BATCH) {
      const end = Math.min(entries.length, start + INSERT_BATCH);
      args.length = 0;
      if (!versioned) {
        for (let i = start; i < end; i++) {
          const e = entries[i] as Entry;
          if (cursor === null || compareKeys(e.key, cursor) > 0) cursor = e.key;
          args.push(firstRow + i, seq, record.index, e.key, e.size, e.etag, e.lastModified, e.storageClass);
        }
        this.insertEntries(end - start).run(...args);
      } else {
        for (let i = start; i < end; i++) {
          const e = entries[i] as Entry;
          if (snapshot === null && (cursor === null || compareKeys(e.key, cursor) > 0)) cursor = e.key;
          args.push(firstRow + i, seq, record.index, e.key, e.size, e.etag, e.lastModified, e.storageClass, e.versionId ?? null);
        }
        this.insertVersionedEntries(end - start).run(...args);
      }
    }
    for (const p of commonPrefixes) {
      if (cursor === null || compareKeys(p, cursor) > 0) cursor = p;
    }
    // A snapshot walk continues after the last key it settled, absent ones included.
    if (snapshot !== null) cursor = snapshot.settledKey;
    const recordJson = JSON.stringify(record);
    const prefixesJson = JSON.stringify(commonPrefixes);
    const range = record.cursor;
    this.stmt.insertPage.run(
      seq,
      record.index,
      recordJson,
      prefixesJson,
      firstRow,
      entries.length,
      null,
      null,
      range?.range ?? null,
      range !== undefined ? (range.after ?? "") : null,
    );
    let stored = recordJson.length + prefixesJson.length + PAGE_OVERHEAD_BYTES;
    for (const e of entries) stored += entryBytes(e);
    this.afterPage(seq, page, cursor, stored);
  }

  /** The pass's totals and where it stands after a page. */
  private afterPage(seq: number, page: ListedPage, cursor: string | null, stored: number): void {
    const { record, entries, commonPrefixes } = page;
    const ok = record.answered;
    this.stmt.afterPage.run({
      seq,
      ok: ok ? 1 : 0,
      keys: entries.length,
      bytes: record.bytes,
      prefixes: commonPrefixes.length,
      anomalies: record.anomalyCount,
      requests: record.attempts,
      complete: ok && record.error === null && !record.isTruncated ? 1 : 0,
      nextToken: record.error === null ? record.nextContinuationToken : null,
      cursor,
      lastKey: record.lastKey,
      lastKeyPage: record.index,
      lastPrefix: commonPrefixes[commonPrefixes.length - 1] ?? null,
      lastPrefixPage: record.index,
      stored,
      now: Date.now(),
    });
  }

  finish(id: string, status: Exclude<PassStatus, "running" | "interrupted">, error: PassError | null, at = Date.now()): void {
    this.stmt.finish.run({ id, status, error: error !== null ? JSON.stringify(error) : null, now: at });
  }

  /** Marks the pass running again; false when it is not in a resumable state. */
  markResumed(id: string): boolean {
    const r = this.stmt.byId.get(id);
    if (r !== undefined && r.stored_bytes === null) this.stmt.setStored.run(this.stmt.measureStored.get(r.seq, r.seq) ?? 0, r.seq);
    return this.stmt.resume.run({ id, now: Date.now() }).changes === 1;
  }

  resumePoint(r: PassRow): ResumePoint {
    return {
      nextIndex: r.page_records,
      finished: r.last_complete_page === 1,
      nextToken: r.next_token,
      cursor: r.cursor !== null ? r.cursor.toString("utf8") : null,
      previous: { key: r.last_key, keyPage: r.last_key_page, prefix: r.last_prefix, prefixPage: r.last_prefix_page },
    };
  }

  /** Where a pass's rows are (see pass-rows.ts). */
  location(r: PassRow): PassLocation {
    return { seq: r.seq, layout: r.layout, target: r.target };
  }

  /**
   * A recorded page with its entries read back from the database, as the events stream sends it;
   * with `withEntries` false its entries are not read at all (an empty list).
   */
  pageEvent(seq: number, index: number, withEntries = true): PageEvent | null {
    const p = this.stmt.page.get(seq, index);
    if (p === undefined) return null;
    let entries: Entry[] = [];
    if (withEntries && p.row_count > 0) {
      const pass = this.stmt.bySeq.get(seq);
      if (pass?.layout === "spans") {
        const span = { page: index, firstRow: 0, rowCount: p.row_count, before: 0, lo: textOf(p.lo), hi: textOf(p.hi) };
        entries = this.rows.readPage(this.location(pass), span).map((r) => toEntry([r[1], r[2], r[3], r[4], r[5], r[7]]));
      } else entries = this.stmt.pageEntries.all(p.first_row, p.first_row + p.row_count - 1).map(toEntry);
    }
    return { type: "page", page: JSON.parse(p.record) as PageRecord, entries, commonPrefixes: JSON.parse(p.common_prefixes) as string[] };
  }

  entries(seq: number, q: { after?: string; limit: number; q?: string; prefix?: string }): EntriesResponse {
    const search = q.q !== undefined && q.q !== "" ? q.q : null;
    const range = prefixRange(q.prefix ?? "");
    const pass = this.stmt.bySeq.get(seq);
    if (pass?.layout === "spans") {
      const loc = this.location(pass);
      const rows = this.rows.after(loc, this.rows.pages(loc), q.after ?? null, q.limit + 1, search, range);
      const more = rows.length > q.limit;
      const entries: PagedEntry[] = rows.slice(0, q.limit).map((r) => ({ ...toEntry([r[1], r[2], r[3], r[4], r[5], r[7]]), page: r[6] }));
      return { entries, nextAfter: more ? (entries[entries.length - 1]?.key ?? null) : null };
    }
    const after = Buffer.from(q.after ?? "", "utf8");
    const needle = search !== null ? Buffer.from(search, "utf8") : null;
    const rows =
      range !== null
        ? needle !== null
          ? this.stmt.entriesMatchingInRange.all(seq, after, range[0], range[1], needle, q.limit + 1)
          : this.stmt.entriesAfterInRange.all(seq, after, range[0], range[1], q.limit + 1)
        : needle !== null
          ? this.stmt.entriesMatching.all(seq, after, needle, q.limit + 1)
          : this.stmt.entriesAfter.all(seq, after, q.limit + 1);
    const more = rows.length > q.limit;
    const entries: PagedEntry[] = rows.slice(0, q.limit).map((r) => ({ ...toEntry(r), page: r[6] }));
    return { entries, nextAfter: more ? (entries[entries.length - 1]?.key ?? null) : null };
  }

  /**
   * What a pass says about one key: "rolled_up" when its delimiter folded the key into a common
   * prefix, "not_covered" when the key is outside what it listed (its prefix, start-after, or the part
   * an incomplete pass never reached), else the entry it listed (with its page) or "absent".
   */
  lookup(pass: PassRow, key: string): KeyLookup {
    if (!key.startsWith(pass.prefix) || (pass.start_after !== null && compareKeys(key, pass.start_after) <= 0)) return { state: "not_covered" };
    if (pass.delimiter !== null && pass.delimiter !== "" && key.slice(pass.prefix.length).includes(pass.delimiter)) return { state: "rolled_up" };
    const loc = this.location(pass);
    if (pass.layout === "spans") {
      const spans = this.rows.pages(loc).filter((s) => s.hi !== "" && s.hi !== s.lo);
      const span = spanOfKey(spans, key);
      if (span === undefined || pass.target === null) return { state: "not_covered" };
      const row = this.spans.versions(pass.target, key).find((v) => v[1] <= pass.seq && (v[2] === null || v[2] > pass.seq));
      if (row === undefined) return { state: "absent" };
      return { state: "listed", entry: { ...toEntry([row[0], row[3], row[4], row[5], row[6], row[7]]), page: span.page } };
    }
    const r = this.stmt.entryOfKey.get(pass.seq, key);
    if (r !== undefined) return { state: "listed", entry: { ...toEntry(r), page: r[6] } };
    // A pass kept in full covered everything up to the greatest key it reached (all of it when complete).
    const complete = pass.status === "complete" || pass.last_complete_page === 1;
    const reached = pass.cursor !== null ? pass.cursor.toString("utf8") : null;
    if (complete || (reached !== null && compareKeys(key, reached) <= 0)) return { state: "absent" };
    return { state: "not_covered" };
  }

  /**
   * Disk a series of passes uses (the passes of one connection/bucket/prefix listed one way): what
   * its passes hold of their own plus the rows their targets share, as counted while they were
   * written (an estimate of SQLite's bytes; passes of data directories from before the count are
   * measured once, here).
   */
  /** Disk the passes listed with these settings take; every page size unless one is named. */
  seriesBytes(s: { connection: string; bucket: string; prefix: string; delimiter: string | null; kind: PassKind; startAfter: string | null; pageSize?: number }): { passes: number; bytes: number } {
    this.measureUnmeasured();
    const r = this.stmt.seriesBytes.get({ ...s, pageSize: s.pageSize ?? null });
    return { passes: r?.passes ?? 0, bytes: (r?.own ?? 0) + (r?.shared ?? 0) };
  }

  private measureUnmeasured(): void {
    for (const seq of this.stmt.unmeasured.all()) this.stmt.setStored.run(this.stmt.measureStored.get(seq, seq) ?? 0, seq);
  }

  /** Deletes a pass with its pages and entries; its target drops the rows only it still needed. */
  delete(seq: number): void {
    const target = this.stmt.bySeq.get(seq)?.target ?? null;
    this.db.transaction(() => {
      this.stmt.deleteEntries.run(seq);
      this.stmt.deletePages.run(seq);
      this.stmt.deleteRanges.run(seq);
      this.stmt.deletePass.run(seq);
      if (target !== null) this.spans.forgetPass(target, seq);
    })();
  }

  close(): void {
    void this.checkpointer.close();
    this.db.close();
  }
}
