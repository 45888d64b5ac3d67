import "server-only";
import { randomBytes } from "node:crypto";
import { limits as processLimits } from "@/lib/config";
import { connections as defaultConnections, type ConnectionRegistry } from "@/lib/connections";
import { diffs as defaultDiffs, history, type DiffService } from "@/lib/diff";
import { AppError, internalError } from "@/lib/http";
import { passes as defaultPasses, runningPasses, type PassService } from "@/lib/passes";
import type { Watch, WatchCreate, WatchDeleted, WatchListQuery, WatchPatch } from "@/lib/wire";
import { DAY_MS, MB, WatchStore, type StoredError, type WatchedPass, type WatchRow } from "./store";

// The scheduler: one timer for the whole process, armed for the earliest due watch. A due watch
// starts a pass unless one of its passes is still running (here, or per the database in another
// process): it never runs two at once, and when a pass outlasts the interval the next one starts as
// soon as it ends, once. After each pass: its diff counts against the previous complete pass are
// computed for the history timeline, and the watch's retention prunes its oldest passes.

/** Longest sleep between two looks at the schedule (a safety net; changes re-arm the timer at once). */
const MAX_SLEEP_MS = 60_000;
/** The next look after a look at the schedule failed (the database locked, say). */
const RETRY_AFTER_ERROR_MS = 5_000;

export interface WatchServiceOptions {
  passes: PassService;
  diffs: DiffService;
  connections: ConnectionRegistry;
  /** The shortest interval (BUCKETSCOPE_MIN_WATCH_SECONDS); default 10. */
  minWatchSeconds?: number;
  /** How many watches may exist (BUCKETSCOPE_MAX_WATCHES); default 100. */
  maxWatches?: number;
}

interface Running {
  passId: string | null;
  done: Promise<void>;
}

function newWatchId(): string {
  return `w${randomBytes(6).toString("base64url")}`;
}

function describe(err: unknown, at: number): StoredError {
  if (err instanceof AppError && err.code !== "internal_error") return { code: err.code, message: err.message, at: new Date(at).toISOString() };
  const e = internalError(err, "The pass could not start because of a server error");
  return { code: e.code, message: e.message, at: new Date(at).toISOString() };
}

export class WatchService {
  readonly store: WatchStore;
  private readonly passes: PassService;
  private readonly diffs: DiffService;
  private readonly connections: ConnectionRegistry;
  private readonly running = new Map<string, Running>();
  /** Due watches refused a pass because the server runs its most passes: they start when one ends. */
  private readonly waiting = new Set<string>();
  private readonly minWatchSeconds: number;
  private readonly maxWatches: number;
  private readonly unsubscribe: () => void;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private closed = false;

  constructor(opts: WatchServiceOptions) {
    this.passes = opts.passes;
    this.diffs = opts.diffs;
    this.connections = opts.connections;
    this.store = new WatchStore(opts.passes.store.db);
    this.minWatchSeconds = opts.minWatchSeconds ?? processLimits().minWatchSeconds;
    this.maxWatches = opts.maxWatches ?? processLimits().maxWatches;
    this.unsubscribe = this.passes.onSlotFree(() => {
      if (this.waiting.size === 0) return;
      this.waiting.clear();
      this.tick();
    });
  }

  private checkInterval(everySeconds: number): void {
    if (everySeconds < this.minWatchSeconds) {
      throw new AppError("bad_request", `A watch runs at most every ${this.minWatchSeconds} s (BUCKETSCOPE_MIN_WATCH_SECONDS); ${everySeconds} s is too often.`);
    }
  }

  /** Starts the schedule (idempotent): overdue watches run now, retention is applied to every watch. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.store.unlinkMissing();
    for (const w of this.store.list()) void this.prune(w.id);
    this.tick();
  }

  get isStarted(): boolean {
    return this.started;
  }

  private mustRow(id: string): WatchRow {
    const row = this.store.get(id);
    if (row === undefined) throw new AppError("unknown_watch", `There is no watch with id "${id}".`);
    return row;
  }

  private view(row: WatchRow): Watch {
    return { ...this.store.view(row, this.running.get(row.id)?.passId ?? null), historyBytes: this.historyBytes(row) };
  }

  /** Disk the series of passes the watch records takes (passes started by hand the same way count too). */
  private historyBytes(w: WatchRow): number {
    return this.passes.store.seriesBytes({ connection: w.connection, bucket: w.bucket, prefix: w.prefix, delimiter: w.delimiter, kind: "list", startAfter: null }).bytes;
  }

  list(q: WatchListQuery = {}): Watch[] {
    return this.store.list(q).map((w) => this.view(w));
  }

  get(id: string): Watch {
    return this.view(this.mustRow(id));
  }

  async create(input: WatchCreate): Promise<Watch> {
    const conn = await this.connections.get(input.connection);
    this.checkInterval(input.everySeconds);
    // Counted right before the insert, with no await between: two requests cannot both take the last place.
    if (this.store.count() >= this.maxWatches) {
      throw new AppError("too_many_watches", `There are ${this.maxWatches} watches, the most this server keeps (BUCKETSCOPE_MAX_WATCHES). Delete one to add another.`);
    }
    const now = Date.now();
    const row: WatchRow = {
      id: newWatchId(),
      connection: conn.name,
      bucket: input.bucket,
      prefix: input.prefix,
      delimiter: input.delimiter ?? null,
      page_size: input.pageSize,
      concurrency: input.concurrency,
      every_ms: input.everySeconds * 1000,
      keep_passes: input.keepPasses,
      keep_ms: input.keepDays !== null ? Math.round(input.keepDays * DAY_MS) : null,
      keep_bytes: input.keepMegabytes !== null ? Math.round(input.keepMegabytes * MB) : null,
      paused: input.paused ? 1 : 0,
      created_at: now,
      updated_at: now,
      next_run_at: now,
      last_error: null,
    };
    this.store.insert(row);
    this.tick();
    return this.get(row.id);
  }

  update(id: string, patch: WatchPatch): Watch {
    const row = { ...this.mustRow(id) };
    const now = Date.now();
    const wasPaused = row.paused === 1;
    if (patch.state !== undefined) row.paused = patch.state === "paused" ? 1 : 0;
    if (patch.pageSize !== undefined) row.page_size = patch.pageSize;
    if (patch.concurrency !== undefined) row.concurrency = patch.concurrency;
    if (patch.keepPasses !== undefined) row.keep_passes = patch.keepPasses;
    if (patch.keepDays !== undefined) row.keep_ms = patch.keepDays !== null ? Math.round(patch.keepDays * DAY_MS) : null;
    if (patch.keepMegabytes !== undefined) row.keep_bytes = patch.keepMegabytes !== null ? Math.round(patch.keepMegabytes * MB) : null;
    if (row.keep_passes === null && row.keep_ms === null && row.keep_bytes === null) {
      throw new AppError("bad_request", "A watch keeps its last passes, its recent days or its history up to a size (keepPasses, keepDays or keepMegabytes): it cannot drop all three.");
    }
    if (patch.everySeconds !== undefined) {
      this.checkInterval(patch.everySeconds);
      row.every_ms = patch.everySeconds * 1000;
      row.next_run_at = Math.min(row.next_run_at, now + row.every_ms);
    }
    // Resuming runs at once: the schedule restarts from now.
    if (wasPaused && row.paused === 0) row.next_run_at = now;
    row.updated_at = now;
    this.store.save(row);
    if (patch.keepPasses !== undefined || patch.keepDays !== undefined || patch.keepMegabytes !== undefined) void this.prune(id);
    this.tick();
    return this.get(id);
  }

  /** Deletes the watch and cancels its running pass; the passes it recorded stay. */
  async remove(id: string): Promise<WatchDeleted> {
    this.mustRow(id);
    this.store.remove(id);
    const run = this.running.get(id);
    let cancelledPassId: string | null = null;
    const passId = run?.passId ?? null;
    if (passId !== null) {
      // cancel, never remove: a pass that has just finished must not be deleted by this.
      cancelledPassId = await this.passes.cancel(passId).then(
        () => passId,
        (err: unknown) => {
          if (!(err instanceof AppError && err.code === "conflict")) console.error(`[bucketscope] cancelling pass ${passId} failed`, err);
          return null;
        },
      );
    }
    this.tick();
    return { id, deleted: true, cancelledPassId };
  }

  /** Resolves when the watch's current pass (if any) and its follow-up work are done. */
  async idle(id: string): Promise<void> {
    await this.running.get(id)?.done;
  }

  private tick(): void {
    if (!this.started || this.closed) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    try {
      for (const w of this.store.list()) {
        if (w.paused === 1 || this.running.has(w.id) || this.waiting.has(w.id)) continue;
        if (w.next_run_at <= now) this.launch(w, now);
        else next = Math.min(next, w.next_run_at);
      }
    } catch (err) {
      // The schedule must outlive a failed look (database locked, disk full): look again soon.
      internalError(err, "The watch schedule could not be read; it tries again in 5 s");
      next = now + RETRY_AFTER_ERROR_MS;
    }
    const sleep = Math.max(10, Math.min(MAX_SLEEP_MS, next - now));
    this.timer = setTimeout(() => this.tick(), sleep);
    // The schedule alone must not keep a process alive (tests, scripts); the server's socket does.
    this.timer.unref();
  }

  private launch(w: WatchRow, now: number): void {
    this.store.setNextRun(w.id, now + w.every_ms);
    // A pass of this watch still running per the database belongs to another process.
    if (this.store.latestPass(w.id)?.status === "running") return;
    const run: Running = { passId: null, done: Promise.resolve() };
    this.running.set(w.id, run);
    run.done = this.runOnce(w, run, now).finally(() => {
      this.running.delete(w.id);
      this.tick();
    });
  }

  private async runOnce(w: WatchRow, run: Running, now: number): Promise<void> {
    try {
      await this.runPass(w, run, now);
    } catch (err) {
      const error = describe(err, Date.now());
      try {
        if (this.store.get(w.id) !== undefined) this.store.setError(w.id, error);
      } catch {
        // Logged by describe; the schedule carries on regardless.
      }
    }
  }

  private async runPass(w: WatchRow, run: Running, now: number): Promise<void> {
    let id: string;
    try {
      id = await this.passes.create({ connection: w.connection, bucket: w.bucket, prefix: w.prefix, delimiter: w.delimiter ?? undefined, pageSize: w.page_size, concurrency: w.concurrency });
    } catch (err) {
      if (this.store.get(w.id) === undefined) return;
      if (err instanceof AppError && err.code === "too_many_passes") {
        // Not an error loop: the watch stays due and waits for a pass of the server to end.
        this.waiting.add(w.id);
        this.store.setNextRun(w.id, now);
        const message = `Waiting: ${runningPasses(this.passes.maxRunningPasses)}, the most this server runs at once (BUCKETSCOPE_MAX_RUNNING_PASSES); this watch starts its pass as soon as one ends.`;
        this.store.setError(w.id, { code: err.code, message, at: new Date().toISOString() });
        return;
      }
      this.store.setError(w.id, describe(err, Date.now()));
      return;
    }
    run.passId = id;
    const seq = this.passes.store.row(id)?.seq;
    if (this.closed || this.store.get(w.id) === undefined || seq === undefined) {
      // Deleted (or shutting down) while its first page was on the way.
      await this.passes.cancel(id).catch(() => undefined);
      return;
    }
    this.store.link(w.id, seq, id, now);
    this.store.setError(w.id, null);
    await this.passes.settled(id);
    try {
      await history(this.diffs).precompute(id);
    } catch (err) {
      console.error(`[bucketscope] watch ${w.id}: comparing pass ${id} with the previous one failed`, err);
    }
    await this.prune(w.id);
  }

  /** Deletes the watch's passes beyond its retention (never a running one). */
  private async prune(id: string): Promise<void> {
    const w = this.store.get(id);
    if (w === undefined) return;
    const now = Date.now();
    const doomed = this.store
      .passesOf(id)
      .filter((p, i) => p.status !== "running" && ((w.keep_passes !== null && i >= w.keep_passes) || (w.keep_ms !== null && p.created_at < now - w.keep_ms)));
    for (const p of doomed) await this.prunePass(id, p.seq, p.id);
    if (w.keep_bytes === null) return;
    // By size: the oldest passes go while the history is over the limit; the newest always stays.
    const left = this.store.passesOf(id).filter((p) => p.status !== "running");
    while (left.length > 1 && this.historyBytes(w) > w.keep_bytes) {
      const oldest = left.pop() as WatchedPass;
      if (!(await this.prunePass(id, oldest.seq, oldest.id))) break;
    }
  }

  private async prunePass(watch: string, seq: number, passId: string): Promise<boolean> {
    this.diffs.forgetPass(seq);
    try {
      await this.passes.remove(passId);
    } catch (err) {
      if (!(err instanceof AppError && err.code === "unknown_pass")) {
        console.error(`[bucketscope] watch ${watch}: pruning pass ${passId} failed`, err);
        return false;
      }
    }
    this.store.unlink(watch, seq);
    return true;
  }

  /** Stops the schedule and waits for running passes of watches to end (they are cancelled). */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    if (this.timer !== null) clearTimeout(this.timer);
    const runs = [...this.running.values()];
    await Promise.all(runs.map(async (r) => (r.passId !== null ? this.passes.cancel(r.passId).catch(() => undefined) : undefined)));
    await Promise.all(runs.map((r) => r.done.catch(() => undefined)));
  }
}

const GLOBAL_KEY = Symbol.for("bucketscope.watches");
type GlobalWithWatches = typeof globalThis & { [GLOBAL_KEY]?: WatchService };

/**
 * The process-wide watch service, its schedule started. On globalThis like the pass service: Next
 * may load this module once per route bundle, and there must be one schedule per process.
 */
export function watches(): WatchService {
  const g = globalThis as GlobalWithWatches;
  g[GLOBAL_KEY] ??= new WatchService({ passes: defaultPasses(), diffs: defaultDiffs(), connections: defaultConnections() });
  g[GLOBAL_KEY].start();
  return g[GLOBAL_KEY];
}
