import "server-only";
import type Database from "better-sqlite3";
import type { PassStore } from "@/lib/passes";
import type { HistoryPoint, HistoryQuery, HistoryResponse, HistorySeries, HistorySeriesKey, PassSummary } from "@/lib/wire";
import type { DiffService } from "./service";

// The timeline of one bucket/prefix, in series: passes with the same kind, delimiter, page size and
// start-after list the same way, so only they are compared with each other. A pass is compared with
// the latest complete pass before it of its series: a snapshot follows a snapshot, a flat listing a
// flat listing, and page shifts (keys on another page index) are only counted between passes of one
// page size, where they mean that keys moved rather than that pages got longer. Counts come from the
// diff store; those not computed yet are computed within a time budget and the rest in the background,
// reported as pending, so a first load of a long history stays quick.

const DEFAULT_BUDGET_MS = 2500;

interface Target {
  connection: string;
  bucket: string;
  prefix: string;
}
type SeriesArgs = Target & { kind: string; delimiter: string | null; pageSize: number; startAfter: string | null };

interface SeriesRow {
  kind: HistorySeriesKey["kind"];
  delimiter: string | null;
  page_size: number;
  start_after: string | null;
  passes: number;
  complete: number;
  latest_seq: number;
}

const SAME_SERIES = "kind = @kind AND delimiter IS @delimiter AND page_size = @pageSize AND start_after IS @startAfter";
const SAME_TARGET = "connection = @connection AND bucket = @bucket AND prefix = @prefix";

export class History {
  private readonly previousComplete: Database.Statement<[SeriesArgs & { seq: number }], string>;
  private readonly seriesOf: Database.Statement<[Target], SeriesRow>;
  private readonly idOfSeq: Database.Statement<[number], string>;
  private readonly listFiltered = new Map<string, Database.Statement<Record<string, unknown>[], string>>();

  constructor(
    private readonly store: PassStore,
    private readonly diffs: DiffService,
  ) {
    this.previousComplete = store.db
      .prepare<[SeriesArgs & { seq: number }], string>(
        `SELECT id FROM passes WHERE ${SAME_TARGET} AND ${SAME_SERIES} AND seq < @seq AND status = 'complete' ORDER BY seq DESC LIMIT 1`,
      )
      .pluck();
    // passes_by_target (connection, bucket, prefix, seq) narrows to the prefix; a prefix has few series.
    this.seriesOf = store.db.prepare<[Target], SeriesRow>(
      `SELECT kind, delimiter, page_size, start_after, COUNT(*) AS passes, SUM(status = 'complete') AS complete, MAX(seq) AS latest_seq
       FROM passes WHERE ${SAME_TARGET}
       GROUP BY kind, delimiter, page_size, start_after ORDER BY latest_seq DESC`,
    );
    this.idOfSeq = store.db.prepare<[number], string>("SELECT id FROM passes WHERE seq = ?").pluck();
  }

  /** The complete pass a pass is compared with in the timeline, or null for the first of its series. */
  previousOf(p: PassSummary): string | null {
    const seq = this.store.row(p.id)?.seq;
    if (seq === undefined) return null;
    const args = { connection: p.connection, bucket: p.bucket, prefix: p.prefix, kind: p.kind, delimiter: p.delimiter, pageSize: p.pageSize, startAfter: p.startAfter, seq };
    return this.previousComplete.get(args) ?? null;
  }

  /** Every series of a prefix, the one with the most recent pass first. */
  series(t: Target): HistorySeries[] {
    return this.seriesOf.all({ connection: t.connection, bucket: t.bucket, prefix: t.prefix }).flatMap((r) => {
      const latest = this.store.summary(this.idOfSeq.get(r.latest_seq) ?? "");
      if (latest === null) return [];
      return [
        {
          kind: r.kind,
          delimiter: r.delimiter,
          pageSize: r.page_size,
          startAfter: r.start_after,
          passes: r.passes,
          complete: r.complete,
          latestId: latest.id,
          latestAt: latest.createdAt,
        },
      ];
    });
  }

  /** The prefix's passes, newest first, narrowed to the settings the query names. */
  private passesOf(q: HistoryQuery, limit: number): PassSummary[] {
    const filters = (
      [
        ["kind", "kind = @kind", q.kind],
        ["pageSize", "page_size = @pageSize", q.pageSize],
        ["delimiter", "delimiter IS @delimiter", q.delimiter],
        ["startAfter", "start_after IS @startAfter", q.startAfter],
      ] as const
    ).filter(([, , v]) => v !== undefined);
    if (filters.length === 0) return this.store.list({ connection: q.connection, bucket: q.bucket, prefix: q.prefix, limit });
    const sql = `SELECT id FROM passes WHERE ${SAME_TARGET} AND ${filters.map(([, f]) => f).join(" AND ")} ORDER BY seq DESC LIMIT @limit`;
    let stmt = this.listFiltered.get(sql);
    if (stmt === undefined) {
      stmt = this.store.db.prepare<Record<string, unknown>[], string>(sql).pluck();
      this.listFiltered.set(sql, stmt);
    }
    const args: Record<string, unknown> = { connection: q.connection, bucket: q.bucket, prefix: q.prefix, limit };
    for (const [name, , value] of filters) args[name] = value;
    return stmt.all(args).flatMap((id) => {
      const s = this.store.summary(id);
      return s !== null ? [s] : [];
    });
  }

  async timeline(q: HistoryQuery, budgetMs = DEFAULT_BUDGET_MS): Promise<HistoryResponse> {
    const newestFirst = this.passesOf(q, q.limit + 1);
    const truncated = newestFirst.length > q.limit;
    const passes = newestFirst.slice(0, q.limit);
    const deadline = Date.now() + budgetMs;
    const points: HistoryPoint[] = [];
    // Newest first, so the budget goes to the most recent changes.
    for (const pass of passes) {
      const previousId = this.previousOf(pass);
      if (pass.status !== "complete") {
        points.push({ pass, previousId, changes: null, changesState: "incomplete" });
        continue;
      }
      if (previousId === null) {
        points.push({ pass, previousId, changes: null, changesState: "first" });
        continue;
      }
      const resolved = this.diffs.plan(previousId, pass.id, {});
      let counts = this.diffs.storedCounts(resolved);
      if (counts === null && Date.now() < deadline) counts = await this.diffs.counts(resolved);
      if (counts === null) {
        this.diffs.countsInBackground(resolved);
        points.push({ pass, previousId, changes: null, changesState: "pending" });
        continue;
      }
      const { added, removed, changed, unchanged } = counts;
      // A parallel pass's pages are its cursors' pages side by side, not one sequence: a key on
      // another page index than in a one-cursor pass (or another parallel pass) moved nowhere.
      const parallel = pass.concurrency > 1 || (this.store.summary(previousId)?.concurrency ?? 1) > 1;
      const pageShifts = parallel ? null : counts.pageShifts;
      points.push({ pass, previousId, changes: { added, removed, changed, unchanged, pageShifts }, changesState: "ready" });
    }
    const series = this.series(q);
    return { connection: q.connection, bucket: q.bucket, prefix: q.prefix, series, points: points.reverse(), truncated, disk: this.disk(q, series) };
  }

  private disk(t: Target, series: readonly HistorySeries[]): HistoryResponse["disk"] {
    const bySeries = series.map((s) => ({
      kind: s.kind,
      delimiter: s.delimiter,
      pageSize: s.pageSize,
      startAfter: s.startAfter,
      ...this.store.seriesBytes({ connection: t.connection, bucket: t.bucket, prefix: t.prefix, kind: s.kind, delimiter: s.delimiter, startAfter: s.startAfter, pageSize: s.pageSize }),
    }));
    return { bytes: bySeries.reduce((n, s) => n + s.bytes, 0), series: bySeries };
  }

  /** Computes (and stores) the counts of a newly finished pass against its predecessor. */
  async precompute(passId: string): Promise<void> {
    const pass = this.store.summary(passId);
    if (pass === null || pass.status !== "complete") return;
    const previousId = this.previousOf(pass);
    if (previousId === null) return;
    await this.diffs.counts(this.diffs.plan(previousId, pass.id, {}));
  }
}
