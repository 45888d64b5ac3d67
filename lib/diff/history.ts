import "server-only";
import type Database from "better-sqlite3";
import type { PassStore } from "@/lib/passes";
import type { HistoryPoint, HistoryQuery, HistoryResponse, PassSummary } from "@/lib/wire";
import type { DiffService } from "./service";

// The timeline of one bucket/prefix: its passes oldest first, each compared with the latest complete
// pass before it that listed the same way (same kind, delimiter and start-after alike; the page size
// may differ): a snapshot follows the snapshot before it, a list pass the list pass before it. Counts come from the diff store; those not computed yet are computed within a time budget
// and the rest in the background, reported as pending, so a first load of a long history stays quick.

const DEFAULT_BUDGET_MS = 2500;

export class History {
  private readonly previousComplete: Database.Statement<
    [{ connection: string; bucket: string; prefix: string; delimiter: string | null; startAfter: string | null; kind: string; seq: number }],
    string
  >;

  constructor(
    private readonly store: PassStore,
    private readonly diffs: DiffService,
  ) {
    this.previousComplete = store.db
      .prepare<[{ connection: string; bucket: string; prefix: string; delimiter: string | null; startAfter: string | null; kind: string; seq: number }], string>(
        `SELECT id FROM passes
         WHERE connection = @connection AND bucket = @bucket AND prefix = @prefix AND seq < @seq
           AND delimiter IS @delimiter AND start_after IS @startAfter AND kind = @kind AND status = 'complete'
         ORDER BY seq DESC LIMIT 1`,
      )
      .pluck();
  }

  /** The complete pass a pass is compared with in the timeline, or null for the first of its kind. */
  previousOf(p: PassSummary): string | null {
    const seq = this.store.row(p.id)?.seq;
    if (seq === undefined) return null;
    return (
      this.previousComplete.get({ connection: p.connection, bucket: p.bucket, prefix: p.prefix, delimiter: p.delimiter, startAfter: p.startAfter, kind: p.kind, seq }) ??
      null
    );
  }

  async timeline(q: HistoryQuery, budgetMs = DEFAULT_BUDGET_MS): Promise<HistoryResponse> {
    const newestFirst = this.store.list({ connection: q.connection, bucket: q.bucket, prefix: q.prefix, limit: q.limit + 1 });
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
      const { added, removed, changed, unchanged, pageShifts } = counts;
      points.push({ pass, previousId, changes: { added, removed, changed, unchanged, pageShifts }, changesState: "ready" });
    }
    return { connection: q.connection, bucket: q.bucket, prefix: q.prefix, points: points.reverse(), truncated, disk: this.disk(q, passes) };
  }

  private disk(q: HistoryQuery, passes: readonly PassSummary[]): HistoryResponse["disk"] {
    const seen = new Map<string, { kind: PassSummary["kind"]; delimiter: string | null; startAfter: string | null }>();
    for (const p of passes) seen.set(JSON.stringify([p.kind, p.delimiter, p.startAfter]), { kind: p.kind, delimiter: p.delimiter, startAfter: p.startAfter });
    const series = [...seen.values()].map((s) => ({ ...s, ...this.store.seriesBytes({ connection: q.connection, bucket: q.bucket, prefix: q.prefix, ...s }) }));
    return { bytes: series.reduce((n, s) => n + s.bytes, 0), series };
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
