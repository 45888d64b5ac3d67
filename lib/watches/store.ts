import "server-only";
import type Database from "better-sqlite3";
import type { PassStatus, Watch, WatchListQuery } from "@/lib/wire";

// Watches live in the bucketscope database next to the passes they start, so they survive restarts
// with them. `watch_passes` links a watch to the passes it started: retention prunes those only,
// never a pass somebody started by hand.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS watches (
  id TEXT PRIMARY KEY,
  connection TEXT NOT NULL,
  bucket TEXT NOT NULL,
  prefix TEXT NOT NULL,
  delimiter TEXT,
  page_size INTEGER NOT NULL,
  concurrency INTEGER NOT NULL DEFAULT 1,
  every_ms INTEGER NOT NULL,
  keep_passes INTEGER,
  keep_ms INTEGER,
  keep_bytes INTEGER,
  paused INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  next_run_at INTEGER NOT NULL,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS watches_by_target ON watches (connection, bucket, prefix);
CREATE TABLE IF NOT EXISTS watch_passes (
  watch TEXT NOT NULL,
  pass_seq INTEGER NOT NULL,
  pass_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  PRIMARY KEY (watch, pass_seq)
) WITHOUT ROWID;
`;

export interface WatchRow {
  id: string;
  connection: string;
  bucket: string;
  prefix: string;
  delimiter: string | null;
  page_size: number;
  concurrency: number;
  every_ms: number;
  keep_passes: number | null;
  keep_ms: number | null;
  keep_bytes: number | null;
  paused: number;
  created_at: number;
  updated_at: number;
  next_run_at: number;
  last_error: string | null;
}

export interface WatchedPass {
  seq: number;
  id: string;
  status: PassStatus;
  created_at: number;
}

export interface StoredError {
  code: string;
  message: string;
  at: string;
}

export const DAY_MS = 24 * 3600 * 1000;
export const MB = 1024 * 1024;

const iso = (ms: number) => new Date(ms).toISOString();

export class WatchStore {
  private readonly stmt;

  constructor(readonly db: Database.Database) {
    db.exec(SCHEMA);
    const columns = new Set(db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('watches')`).all().map((c) => c.name));
    // Data dirs made before watches had a concurrency.
    if (!columns.has("concurrency")) db.exec(`ALTER TABLE watches ADD COLUMN concurrency INTEGER NOT NULL DEFAULT 1`);
    // Watches of data directories written before retention by size get the column.
    if (!columns.has("keep_bytes")) db.exec(`ALTER TABLE watches ADD COLUMN keep_bytes INTEGER`);
    this.stmt = {
      insert: db.prepare<[WatchRow]>(
        `INSERT INTO watches (id, connection, bucket, prefix, delimiter, page_size, concurrency, every_ms, keep_passes, keep_ms, keep_bytes, paused, created_at, updated_at, next_run_at, last_error)
         VALUES (@id, @connection, @bucket, @prefix, @delimiter, @page_size, @concurrency, @every_ms, @keep_passes, @keep_ms, @keep_bytes, @paused, @created_at, @updated_at, @next_run_at, @last_error)`,
      ),
      byId: db.prepare<[string], WatchRow>(`SELECT * FROM watches WHERE id = ?`),
      all: db.prepare<[], WatchRow>(`SELECT * FROM watches ORDER BY created_at, id`),
      countAll: db.prepare<[], number>(`SELECT count(*) FROM watches`).pluck(),
      save: db.prepare<[WatchRow]>(
        `UPDATE watches SET page_size = @page_size, concurrency = @concurrency, every_ms = @every_ms, keep_passes = @keep_passes, keep_ms = @keep_ms, keep_bytes = @keep_bytes,
           paused = @paused, updated_at = @updated_at, next_run_at = @next_run_at WHERE id = @id`,
      ),
      setNextRun: db.prepare<[number, string]>(`UPDATE watches SET next_run_at = ? WHERE id = ?`),
      setError: db.prepare<[string | null, string]>(`UPDATE watches SET last_error = ? WHERE id = ?`),
      remove: db.prepare<[string]>(`DELETE FROM watches WHERE id = ?`),
      unlinkAll: db.prepare<[string]>(`DELETE FROM watch_passes WHERE watch = ?`),
      link: db.prepare<[string, number, string, number]>(`INSERT OR IGNORE INTO watch_passes (watch, pass_seq, pass_id, started_at) VALUES (?, ?, ?, ?)`),
      unlink: db.prepare<[string, number]>(`DELETE FROM watch_passes WHERE watch = ? AND pass_seq = ?`),
      unlinkMissing: db.prepare<[]>(`DELETE FROM watch_passes WHERE pass_seq NOT IN (SELECT seq FROM passes)`),
      passes: db.prepare<[string], WatchedPass>(
        `SELECT p.seq, p.id, p.status, p.created_at FROM watch_passes w JOIN passes p ON p.seq = w.pass_seq
         WHERE w.watch = ? ORDER BY p.seq DESC`,
      ),
      latest: db.prepare<[string], WatchedPass>(
        `SELECT p.seq, p.id, p.status, p.created_at FROM watch_passes w JOIN passes p ON p.seq = w.pass_seq
         WHERE w.watch = ? ORDER BY p.seq DESC LIMIT 1`,
      ),
      count: db.prepare<[string], number>(`SELECT count(*) FROM watch_passes w JOIN passes p ON p.seq = w.pass_seq WHERE w.watch = ?`).pluck(),
      watchOf: db.prepare<[number], string>(`SELECT watch FROM watch_passes WHERE pass_seq = ?`).pluck(),
    };
  }

  insert(row: WatchRow): void {
    this.stmt.insert.run(row);
  }

  get(id: string): WatchRow | undefined {
    return this.stmt.byId.get(id);
  }

  list(q: WatchListQuery = {}): WatchRow[] {
    return this.stmt.all
      .all()
      .filter((w) => (q.connection === undefined || w.connection === q.connection) && (q.bucket === undefined || w.bucket === q.bucket) && (q.prefix === undefined || w.prefix === q.prefix));
  }

  count(): number {
    return this.stmt.countAll.get() ?? 0;
  }

  save(row: WatchRow): void {
    this.stmt.save.run(row);
  }

  setNextRun(id: string, at: number): void {
    this.stmt.setNextRun.run(at, id);
  }

  setError(id: string, error: StoredError | null): void {
    this.stmt.setError.run(error !== null ? JSON.stringify(error) : null, id);
  }

  remove(id: string): void {
    this.db.transaction(() => {
      this.stmt.unlinkAll.run(id);
      this.stmt.remove.run(id);
    })();
  }

  link(watch: string, seq: number, passId: string, at: number): void {
    this.stmt.link.run(watch, seq, passId, at);
  }

  unlink(watch: string, seq: number): void {
    this.stmt.unlink.run(watch, seq);
  }

  /** Links to passes deleted by other means (by hand, through the API). */
  unlinkMissing(): void {
    this.stmt.unlinkMissing.run();
  }

  /** The watch's passes still kept, newest first. */
  passesOf(watch: string): WatchedPass[] {
    return this.stmt.passes.all(watch);
  }

  latestPass(watch: string): WatchedPass | undefined {
    return this.stmt.latest.get(watch);
  }

  watchOfPass(seq: number): string | null {
    return this.stmt.watchOf.get(seq) ?? null;
  }

  view(row: WatchRow, runningPassId: string | null): Omit<Watch, "historyBytes"> {
    const last = this.latestPass(row.id);
    return {
      id: row.id,
      connection: row.connection,
      bucket: row.bucket,
      prefix: row.prefix,
      delimiter: row.delimiter,
      pageSize: row.page_size,
      concurrency: row.concurrency,
      everySeconds: row.every_ms / 1000,
      keepPasses: row.keep_passes,
      keepDays: row.keep_ms !== null ? row.keep_ms / DAY_MS : null,
      keepMegabytes: row.keep_bytes !== null ? row.keep_bytes / MB : null,
      state: row.paused === 1 ? "paused" : "active",
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      nextRunAt: row.paused === 1 ? null : iso(row.next_run_at),
      runningPassId,
      lastPass: last !== undefined ? { id: last.id, status: last.status, createdAt: iso(last.created_at) } : null,
      passCount: this.stmt.count.get(row.id) ?? 0,
      lastError: row.last_error !== null ? (JSON.parse(row.last_error) as StoredError) : null,
    };
  }
}
