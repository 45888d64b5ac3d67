import "server-only";
import type Database from "better-sqlite3";
import type { DiffBandSide, DiffCounts, DiffItem, DiffOnly, PageRecord } from "@/lib/wire";
import { PassRows, type PageSpan } from "@/lib/passes";
import { RUN_KIND, type DiffRun } from "./merge";
import type { SideRef } from "./plan";
import { rowsOfRun } from "./rows";
import { SideRows } from "./span-merge";

// Comparisons kept in the bucketscope database, next to the passes:
// - `diffs`: one row per compared pair (A, B) with its counts, so the history timeline never
//   compares the same two passes twice. A pass's entries change only while it records pages, so a
//   row is valid while both passes have the page-record counts it was computed at.
// - `diff_runs`: the comparison as runs (see merge.ts), numbered for the compare view: `item` is the
//   position of the run's first element in the aligned view (a page band when a page of A or B begins
//   there, then its rows), `c_item` the same in the changes-only view. A window of items is then one
//   index seek plus rowid range reads of the entries, whatever the size of the passes, and the table
//   holds a few rows per page and per change, not one per key.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS diffs (
  id INTEGER PRIMARY KEY,
  a_seq INTEGER NOT NULL,
  b_seq INTEGER NOT NULL,
  a_records INTEGER NOT NULL,
  b_records INTEGER NOT NULL,
  counts TEXT,
  runs_state INTEGER NOT NULL DEFAULT 0,
  runs INTEGER NOT NULL DEFAULT 0,
  items INTEGER NOT NULL DEFAULT 0,
  rows INTEGER NOT NULL DEFAULT 0,
  change_items INTEGER NOT NULL DEFAULT 0,
  change_rows INTEGER NOT NULL DEFAULT 0,
  computed_at INTEGER NOT NULL,
  used_at INTEGER NOT NULL,
  UNIQUE (a_seq, b_seq)
);
CREATE INDEX IF NOT EXISTS diffs_by_b ON diffs (b_seq);
CREATE TABLE IF NOT EXISTS diff_runs (
  diff INTEGER NOT NULL,
  item INTEGER NOT NULL,
  row INTEGER NOT NULL,
  c_item INTEGER,
  c_row INTEGER,
  band INTEGER NOT NULL,
  c_band INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  fields INTEGER NOT NULL,
  length INTEGER NOT NULL,
  a_row INTEGER,
  b_row INTEGER,
  a_page INTEGER,
  b_page INTEGER,
  PRIMARY KEY (diff, item)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS diff_runs_changes ON diff_runs (diff, c_item) WHERE c_item IS NOT NULL;
`;

const RUNS = { none: 0, building: 1, ready: 2 } as const;

/** Materialised runs kept across all comparisons; the least recently viewed lose theirs first. */
const MAX_STORED_RUNS = 3_000_000;
const RUNS_PER_TRANSACTION = 2000;

const BAND_A = 1;
const BAND_B = 2;

export interface DiffRecord {
  id: number;
  a_seq: number;
  b_seq: number;
  a_records: number;
  b_records: number;
  counts: string | null;
  runs_state: number;
  runs: number;
  items: number;
  rows: number;
  change_items: number;
  change_rows: number;
}

interface RunRecord {
  item: number;
  row: number;
  c_item: number | null;
  c_row: number | null;
  band: number;
  c_band: number;
  kind: DiffRun["kind"];
  fields: number;
  length: number;
  a_row: number | null;
  b_row: number | null;
  a_page: number | null;
  b_page: number | null;
}

/** Numbers runs as they stream in: positions in both views and the page bands before them. */
export class RunNumbering {
  items = 0;
  rows = 0;
  changeItems = 0;
  changeRows = 0;
  private lastA = -1;
  private lastB = -1;
  private lastChangeA = -1;
  private lastChangeB = -1;

  number(run: DiffRun): RunRecord {
    const band = (run.aPage !== null && run.aPage !== this.lastA ? BAND_A : 0) | (run.bPage !== null && run.bPage !== this.lastB ? BAND_B : 0);
    if (run.aPage !== null) this.lastA = run.aPage;
    if (run.bPage !== null) this.lastB = run.bPage;
    const record: RunRecord = {
      item: this.items,
      row: this.rows,
      c_item: null,
      c_row: null,
      band,
      c_band: 0,
      kind: run.kind,
      fields: run.fields,
      length: run.length,
      a_row: run.aRow,
      b_row: run.bRow,
      a_page: run.aPage,
      b_page: run.bPage,
    };
    this.items += (band !== 0 ? 1 : 0) + run.length;
    this.rows += run.length;
    if (run.kind !== RUN_KIND.unchanged) {
      // In the changes-only view a band marks where the changes move on to another page of A or B.
      const cBand =
        (run.aPage !== null && run.aPage !== this.lastChangeA ? BAND_A : 0) | (run.bPage !== null && run.bPage !== this.lastChangeB ? BAND_B : 0);
      if (run.aPage !== null) this.lastChangeA = run.aPage;
      if (run.bPage !== null) this.lastChangeB = run.bPage;
      record.c_item = this.changeItems;
      record.c_row = this.changeRows;
      record.c_band = cBand;
      this.changeItems += (cBand !== 0 ? 1 : 0) + run.length;
      this.changeRows += run.length;
    }
    return record;
  }
}

function toRun(r: RunRecord): DiffRun {
  return { kind: r.kind, fields: r.fields, length: r.length, aRow: r.a_row, bRow: r.b_row, aPage: r.a_page, bPage: r.b_page };
}

export class DiffStore {
  private readonly stmt;
  private readonly rows: PassRows;
  private readonly insertRunsTx: (diff: number, runs: readonly RunRecord[]) => void;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.rows = new PassRows(db);
    this.stmt = {
      byPair: db.prepare<[number, number], DiffRecord>(`SELECT * FROM diffs WHERE a_seq = ? AND b_seq = ?`),
      insert: db.prepare<[{ a: number; b: number; ar: number; br: number; now: number }]>(
        `INSERT INTO diffs (a_seq, b_seq, a_records, b_records, computed_at, used_at) VALUES (@a, @b, @ar, @br, @now, @now)
         ON CONFLICT (a_seq, b_seq) DO UPDATE SET a_records = @ar, b_records = @br, counts = NULL, runs_state = 0, runs = 0,
           items = 0, rows = 0, change_items = 0, change_rows = 0, computed_at = @now, used_at = @now`,
      ),
      setCounts: db.prepare<[string, number, number]>(`UPDATE diffs SET counts = ?, computed_at = ? WHERE id = ?`),
      setRunsState: db.prepare<[number, number]>(`UPDATE diffs SET runs_state = ? WHERE id = ?`),
      runsReady: db.prepare<[{ id: number; counts: string; runs: number; items: number; rows: number; ci: number; cr: number; now: number }]>(
        `UPDATE diffs SET counts = @counts, runs_state = ${RUNS.ready}, runs = @runs, items = @items, rows = @rows,
           change_items = @ci, change_rows = @cr, computed_at = @now WHERE id = @id`,
      ),
      touch: db.prepare<[number, number]>(`UPDATE diffs SET used_at = ? WHERE id = ?`),
      deleteRuns: db.prepare<[number]>(`DELETE FROM diff_runs WHERE diff = ?`),
      insertRun: db.prepare<[number, RunRecord]>(
        `INSERT INTO diff_runs (diff, item, row, c_item, c_row, band, c_band, kind, fields, length, a_row, b_row, a_page, b_page)
         VALUES (?, @item, @row, @c_item, @c_row, @band, @c_band, @kind, @fields, @length, @a_row, @b_row, @a_page, @b_page)`,
      ),
      storedRuns: db.prepare<[], number>(`SELECT coalesce(sum(runs), 0) FROM diffs WHERE runs_state = ${RUNS.ready}`).pluck(),
      leastRecentlyUsed: db.prepare<[], DiffRecord>(`SELECT * FROM diffs WHERE runs_state = ${RUNS.ready} ORDER BY used_at LIMIT 1`),
      orphans: db.prepare<[], number>(
        `SELECT id FROM diffs WHERE a_seq NOT IN (SELECT seq FROM passes) OR b_seq NOT IN (SELECT seq FROM passes)`,
      ).pluck(),
      ofPass: db.prepare<[number, number], number>(`SELECT id FROM diffs WHERE a_seq = ? UNION SELECT id FROM diffs WHERE b_seq = ?`).pluck(),
      abandoned: db.prepare<[], number>(`SELECT id FROM diffs WHERE runs_state = ${RUNS.building}`).pluck(),
      deleteDiff: db.prepare<[number]>(`DELETE FROM diffs WHERE id = ?`),
      runAt: {
        all: db.prepare<[number, number], RunRecord>(`SELECT * FROM diff_runs WHERE diff = ? AND item <= ? ORDER BY item DESC LIMIT 1`),
        changes: db.prepare<[number, number], RunRecord>(
          `SELECT * FROM diff_runs WHERE diff = ? AND c_item IS NOT NULL AND c_item <= ? ORDER BY c_item DESC LIMIT 1`,
        ),
      },
      runsBetween: {
        all: db.prepare<[number, number, number], RunRecord>(`SELECT * FROM diff_runs WHERE diff = ? AND item > ? AND item < ? ORDER BY item`),
        changes: db.prepare<[number, number, number], RunRecord>(
          `SELECT * FROM diff_runs WHERE diff = ? AND c_item IS NOT NULL AND c_item > ? AND c_item < ? ORDER BY c_item`,
        ),
      },
      changeFrom: {
        all: db.prepare<[number, number], RunRecord>(
          `SELECT * FROM diff_runs WHERE diff = ? AND item >= ? AND c_item IS NOT NULL ORDER BY item LIMIT 2`,
        ),
        changes: db.prepare<[number, number], RunRecord>(
          `SELECT * FROM diff_runs WHERE diff = ? AND c_item IS NOT NULL AND c_item >= ? ORDER BY c_item LIMIT 2`,
        ),
      },
      changeBefore: {
        all: db.prepare<[number, number], RunRecord>(
          `SELECT * FROM diff_runs WHERE diff = ? AND item < ? AND c_item IS NOT NULL ORDER BY item DESC LIMIT 2`,
        ),
        changes: db.prepare<[number, number], RunRecord>(
          `SELECT * FROM diff_runs WHERE diff = ? AND c_item IS NOT NULL AND c_item < ? ORDER BY c_item DESC LIMIT 2`,
        ),
      },
      page: db.prepare<[number, number], { record: string }>(`SELECT record FROM pages WHERE pass = ? AND idx = ?`),
    };
    this.insertRunsTx = db.transaction((diff: number, runs: readonly RunRecord[]) => {
      for (const r of runs) this.stmt.insertRun.run(diff, r);
    });
    // A build cut short by a crash left part of its runs behind.
    for (const id of this.stmt.abandoned.all()) this.dropRuns(id);
    this.removeOrphans();
  }

  /** The stored comparison of A and B, if it was computed at the passes' current state. */
  find(a: SideRef, b: SideRef): DiffRecord | null {
    const r = this.stmt.byPair.get(a.seq, b.seq);
    if (r === undefined || r.a_records !== a.pageRecords || r.b_records !== b.pageRecords) return null;
    return r;
  }

  counts(r: DiffRecord): DiffCounts | null {
    return r.counts !== null ? (JSON.parse(r.counts) as DiffCounts) : null;
  }

  /** A fresh record for the pair (anything stored for an older state of the passes goes). */
  open(a: SideRef, b: SideRef): DiffRecord {
    const old = this.stmt.byPair.get(a.seq, b.seq);
    if (old !== undefined) this.stmt.deleteRuns.run(old.id);
    this.stmt.insert.run({ a: a.seq, b: b.seq, ar: a.pageRecords, br: b.pageRecords, now: Date.now() });
    return this.stmt.byPair.get(a.seq, b.seq) as DiffRecord;
  }

  saveCounts(id: number, counts: DiffCounts): void {
    this.stmt.setCounts.run(JSON.stringify(counts), Date.now(), id);
  }

  beginRuns(id: number): void {
    this.stmt.deleteRuns.run(id);
    this.stmt.setRunsState.run(RUNS.building, id);
  }

  insertRuns(id: number, runs: readonly RunRecord[]): void {
    for (let i = 0; i < runs.length; i += RUNS_PER_TRANSACTION) this.insertRunsTx(id, runs.slice(i, i + RUNS_PER_TRANSACTION));
  }

  finishRuns(id: number, counts: DiffCounts, runs: number, n: RunNumbering): void {
    this.stmt.runsReady.run({ id, counts: JSON.stringify(counts), runs, items: n.items, rows: n.rows, ci: n.changeItems, cr: n.changeRows, now: Date.now() });
    this.evict(id);
  }

  dropRuns(id: number): void {
    this.stmt.deleteRuns.run(id);
    this.stmt.setRunsState.run(RUNS.none, id);
  }

  touch(id: number): void {
    this.stmt.touch.run(Date.now(), id);
  }

  private evict(keep: number): void {
    let stored = this.stmt.storedRuns.get() as number;
    while (stored > MAX_STORED_RUNS) {
      const lru = this.stmt.leastRecentlyUsed.get();
      if (lru === undefined || lru.id === keep) return;
      this.dropRuns(lru.id);
      stored -= lru.runs;
    }
  }

  private deleteDiff(id: number): void {
    this.stmt.deleteRuns.run(id);
    this.stmt.deleteDiff.run(id);
  }

  /** Comparisons of passes that no longer exist. */
  removeOrphans(): void {
    for (const id of this.stmt.orphans.all()) this.deleteDiff(id);
  }

  forgetPass(seq: number): void {
    for (const id of this.stmt.ofPass.all(seq, seq)) this.deleteDiff(id);
  }

  private bandSide(side: SideRef, pages: readonly PageSpan[], page: number, firstRowHere: number | null): DiffBandSide | null {
    const p = this.stmt.page.get(side.seq, page);
    if (p === undefined) return null;
    const record = JSON.parse(p.record) as PageRecord;
    return {
      page,
      begins: firstRowHere === pages.find((s) => s.page === page)?.firstRow,
      entryCount: record.entryCount,
      firstKey: record.firstKey,
      lastKey: record.lastKey,
      durationMs: record.durationMs,
    };
  }

  /** Items `offset..offset+limit` of one view of a built comparison. */
  window(r: DiffRecord, a: SideRef, b: SideRef, only: DiffOnly, offset: number, limit: number): DiffItem[] {
    const total = only === "all" ? r.items : r.change_items;
    const end = Math.min(total, offset + limit);
    if (offset >= end) return [];
    const first = this.stmt.runAt[only].get(r.id, offset);
    if (first === undefined) return [];
    const startOf = (run: RunRecord) => (only === "all" ? run.item : (run.c_item as number));
    const runs = [first, ...this.stmt.runsBetween[only].all(r.id, startOf(first), end)];
    const pagesA = this.rows.pages(a);
    const pagesB = this.rows.pages(b);
    const sideA = new SideRows(this.rows, a, pagesA);
    const sideB = new SideRows(this.rows, b, pagesB);
    const readA = (from: number, to: number) => sideA.read(from, to);
    const readB = (from: number, to: number) => sideB.read(from, to);
    const items: DiffItem[] = [];
    for (const run of runs) {
      const band = only === "all" ? run.band : run.c_band;
      const rowNumber = only === "all" ? run.row : (run.c_row as number);
      let at = startOf(run);
      if (band !== 0) {
        if (at >= offset && at < end) {
          items.push({
            type: "band",
            a: (band & BAND_A) !== 0 && run.a_page !== null ? this.bandSide(a, pagesA, run.a_page, run.a_row) : null,
            b: (band & BAND_B) !== 0 && run.b_page !== null ? this.bandSide(b, pagesB, run.b_page, run.b_row) : null,
          });
        }
        at++;
      }
      const from = Math.max(0, offset - at);
      const to = Math.min(run.length, end - at);
      rowsOfRun(readA, readB, toRun(run), from, to).forEach((row, i) => items.push({ type: "row", row: rowNumber + from + i, ...row }));
    }
    return items;
  }

  /** The item of the first row of the next (or previous) change run, seen from item `from`. */
  seek(r: DiffRecord, only: DiffOnly, from: number, dir: "next" | "prev"): number | null {
    const rowItem = (run: RunRecord) =>
      only === "all" ? run.item + (run.band !== 0 ? 1 : 0) : (run.c_item as number) + (run.c_band !== 0 ? 1 : 0);
    if (dir === "next") {
      for (const run of this.stmt.changeFrom[only].all(r.id, Math.max(0, from))) if (rowItem(run) > from) return rowItem(run);
      return null;
    }
    for (const run of this.stmt.changeBefore[only].all(r.id, from)) if (rowItem(run) < from) return rowItem(run);
    return null;
  }
}
