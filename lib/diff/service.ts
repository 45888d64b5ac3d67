import "server-only";
import { passes } from "@/lib/passes";
import type { PassStore } from "@/lib/passes";
import type { DiffCounts, DiffEvent, DiffPairQuery, DiffQuery, DiffSeek, DiffSeekQuery, DiffSummary, DiffWindow, DiffWindowQuery } from "@/lib/wire";
import { exportDiff, type DiffExport } from "./export";
import { planDiff, type DiffOptions, type ResolvedPlan } from "./plan";
import { countRun, emptyCounts } from "./rows";
import { DiffStore, RunNumbering, type DiffRecord } from "./store";
import { countDiff, diffPasses, runsOf } from "./stream";

const RUNS_PER_INSERT = 2000;

function pairKey(r: ResolvedPlan): string {
  return `${r.a.seq}:${r.b.seq}:${r.a.pageRecords}:${r.b.pageRecords}`;
}

/**
 * Comparisons over the pass store: streamed, counted (and kept, so a pair is compared once), and
 * built into runs for the compare view's random access. Work on the same pair is shared between
 * concurrent requests.
 */
export class DiffService {
  readonly runs: DiffStore;
  private readonly counting = new Map<string, Promise<DiffCounts>>();
  private readonly building = new Map<string, Promise<DiffRecord>>();
  private background: Promise<unknown> = Promise.resolve();

  constructor(readonly store: PassStore) {
    this.runs = new DiffStore(store.db);
  }

  plan(a: string, b: string, opts: DiffOptions): ResolvedPlan {
    return planDiff(this.store, a, b, opts);
  }

  /** Counts already stored for this pair at the passes' current state, without computing anything. */
  storedCounts(resolved: ResolvedPlan): DiffCounts | null {
    const found = this.runs.find(resolved.a, resolved.b);
    return found !== null ? this.runs.counts(found) : null;
  }

  /** The counts of a comparison: stored ones, or one merge (shared by concurrent callers) whose result is stored. */
  counts(resolved: ResolvedPlan): Promise<DiffCounts> {
    const stored = this.storedCounts(resolved);
    if (stored !== null) return Promise.resolve(stored);
    const key = pairKey(resolved);
    const built = this.building.get(key);
    if (built !== undefined) return built.then((r) => this.runs.counts(r) ?? emptyCounts());
    let work = this.counting.get(key);
    if (work === undefined) {
      work = countDiff(this.store.file, resolved)
        .then((counts) => {
          const record = this.runs.find(resolved.a, resolved.b) ?? this.runs.open(resolved.a, resolved.b);
          this.runs.saveCounts(record.id, counts);
          return counts;
        })
        .finally(() => this.counting.delete(key));
      this.counting.set(key, work);
    }
    return work;
  }

  /** Counts computed one pair at a time behind any earlier background work (history timelines). */
  countsInBackground(resolved: ResolvedPlan): void {
    const key = pairKey(resolved);
    if (this.counting.has(key) || this.building.has(key)) return;
    this.background = this.background
      .then(() => this.counts(resolved))
      .catch((err: unknown) => console.error(`[bucketscope] counting the diff ${key} failed`, err));
  }

  /** Resolves once the counts queued by countsInBackground are done (before the store closes). */
  async idle(): Promise<void> {
    let seen: Promise<unknown> | null = null;
    while (seen !== this.background) {
      seen = this.background;
      await seen;
    }
  }

  async summary(q: DiffPairQuery): Promise<DiffSummary> {
    const resolved = this.plan(q.a, q.b, q);
    return { ...resolved.plan, counts: await this.counts(resolved) };
  }

  /** The comparison as runs numbered for the compare view, built once per pair and state. */
  private materialise(resolved: ResolvedPlan): Promise<DiffRecord> {
    const found = this.runs.find(resolved.a, resolved.b);
    if (found !== null && found.runs_state === 2) {
      this.runs.touch(found.id);
      return Promise.resolve(found);
    }
    const key = pairKey(resolved);
    let work = this.building.get(key);
    if (work === undefined) {
      work = this.build(resolved, found).finally(() => this.building.delete(key));
      this.building.set(key, work);
    }
    return work;
  }

  private async build(resolved: ResolvedPlan, found: DiffRecord | null): Promise<DiffRecord> {
    const record = found ?? this.runs.open(resolved.a, resolved.b);
    this.runs.beginRuns(record.id);
    const numbering = new RunNumbering();
    const counts = emptyCounts();
    let batch = [];
    let total = 0;
    try {
      for await (const run of runsOf(this.store.file, resolved)) {
        countRun(counts, run);
        batch.push(numbering.number(run));
        total++;
        if (batch.length >= RUNS_PER_INSERT) {
          this.runs.insertRuns(record.id, batch);
          batch = [];
        }
      }
      this.runs.insertRuns(record.id, batch);
      this.runs.finishRuns(record.id, counts, total, numbering);
    } catch (err) {
      this.runs.dropRuns(record.id);
      throw err;
    }
    this.runs.removeOrphans();
    return this.runs.find(resolved.a, resolved.b) ?? { ...record, runs_state: 2 };
  }

  async window(q: DiffWindowQuery): Promise<DiffWindow> {
    const resolved = this.plan(q.a, q.b, q);
    const record = await this.materialise(resolved);
    return {
      only: q.only,
      offset: q.offset,
      total: q.only === "all" ? record.items : record.change_items,
      rows: q.only === "all" ? record.rows : record.change_rows,
      items: this.runs.window(record, resolved.a, resolved.b, q.only, q.offset, q.limit),
    };
  }

  async seek(q: DiffSeekQuery): Promise<DiffSeek> {
    const resolved = this.plan(q.a, q.b, q);
    const record = await this.materialise(resolved);
    return { item: this.runs.seek(record, q.only, q.from, q.dir) };
  }

  events(q: DiffQuery, signal?: AbortSignal): AsyncGenerator<DiffEvent, void, undefined> {
    return diffPasses(this.store, q.a, q.b, { ...q, signal });
  }

  /** Validates before returning, so a refusal is an error response rather than a broken download. */
  exportDiff(q: DiffQuery, format: "csv" | "ndjson"): DiffExport {
    return exportDiff(this.store, this.plan(q.a, q.b, q), q.only, format);
  }

  /** Drops what is stored about comparisons with this pass (it is being deleted). */
  forgetPass(seq: number): void {
    this.runs.forgetPass(seq);
  }
}

const GLOBAL_KEY = Symbol.for("bucketscope.diffs");
type GlobalWithDiffs = typeof globalThis & { [GLOBAL_KEY]?: DiffService };

/** The process-wide diff service over the pass store (one per process, across route bundles). */
export function diffs(): DiffService {
  const g = globalThis as GlobalWithDiffs;
  g[GLOBAL_KEY] ??= new DiffService(passes().store);
  return g[GLOBAL_KEY];
}
