import "server-only";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { dataDirFrom, limits as processLimits } from "@/lib/config";
import { connections as defaultConnections, type ConnectionRegistry } from "@/lib/connections";
import { AppError, errorStatus, internalError, type ErrorCode } from "@/lib/http";
import {
  AsOfFold,
  asOfPage,
  listPages,
  listVersionPages,
  readVersioning,
  type ListedPage,
  type ListOptions,
  type ListParams,
  type RetryPolicy,
} from "@/lib/lister";
import type {
  EntriesQuery,
  EntriesResponse,
  PageEvent,
  PassDeleted,
  PassError,
  PassEvent,
  PassListQuery,
  PassParams,
  PassStatus,
  PassSummary,
  BucketVersioning,
  SnapshotInfo,
  InventoryDownloadQuery,
  InventoryExported,
  InventoryExportParams,
} from "@/lib/wire";
import type { Connection } from "@/lib/connections";
import { listParallel, newParallelState, type ParallelState, type RangeRecord } from "@/lib/parallel";
import { crossCheckSnapshot } from "./cross-check";
import { searchEntries } from "./entry-queries";
import { inventoryInfo, INVENTORY_PAGE_ROWS, openReport, reportPages, type OpenedReport } from "@/lib/inventory";
import { downloadInventory, exportInventory } from "./inventory-export";
import { newSnapshotInfo, newTrackerState, SnapshotTracker } from "./snapshot";
import { PendingEnds, storageProblem } from "./storage";
import { PassStore, type NewPass, type SnapshotProgress } from "./store";

export interface PassServiceOptions {
  dataDir: string;
  connections: ConnectionRegistry;
  retry?: Partial<RetryPolicy>;
  /** Passes walking at once (BUCKETSCOPE_MAX_RUNNING_PASSES); default 8. */
  maxRunningPasses?: number;
  /** How long a write waits for another connection's lock (ms); default 5000. */
  busyTimeoutMs?: number;
}

/** How a pass ended, when that could not be written to the database yet. */
interface UnrecordedEnd {
  status: "failed";
  error: PassError;
  endedAt: number;
}

/** A pass being walked in this process: viewers wait on it for new pages. */
class Run {
  readonly controller = new AbortController();
  latest: PageEvent | null = null;
  finished = false;
  done: Promise<void> = Promise.resolve();
  private wake: { promise: Promise<void>; resolve: () => void };
  private firstOutcome: { promise: Promise<void>; resolve: () => void };

  constructor(
    readonly id: string,
    readonly seq: number,
  ) {
    this.wake = Run.deferred();
    this.firstOutcome = Run.deferred();
  }

  private static deferred(): { promise: Promise<void>; resolve: () => void } {
    let resolve = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  }

  /** Resolves at the next recorded page or status change; take it before reading the store. */
  changed(): Promise<void> {
    return this.wake.promise;
  }

  /** Resolves once the first page is recorded or the run ends. */
  started(): Promise<void> {
    return this.firstOutcome.promise;
  }

  notify(): void {
    const w = this.wake;
    this.wake = Run.deferred();
    w.resolve();
    this.firstOutcome.resolve();
  }
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorStatus, code);
}

/** "1 pass is running", "8 passes are running". */
export function runningPasses(n: number): string {
  return n === 1 ? "1 pass is running" : `${n} passes are running`;
}

function newPassId(): string {
  return randomBytes(9).toString("base64url");
}

const REPOLL_MS = 250;
/** A chosen T may be this far past our clock (the server's may run ahead); later is the future. */
const FUTURE_SLACK_MS = 1000;
/** Errors of GetBucketVersioning that say nothing about the bucket: the listing decides. */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set(["upstream_unreachable", "upstream_error", "throttled"]);

interface RecordablePage {
  page: ListedPage;
  snapshot: SnapshotProgress | null;
}

/** How a run of a pass begins: a sequential walk's options, or a parallel pass's recorded ranges. */
interface RunStart {
  list?: Partial<ListOptions>;
  parallel?: { ranges: RangeRecord[]; state: ParallelState };
}

/** What creating a pass takes: the API's parsed params, where `kind` defaults to "list". */
export type NewPassParams = Omit<PassParams, "kind" | "concurrency"> & { kind?: PassParams["kind"]; concurrency?: number };

export class PassService {
  readonly store: PassStore;
  private readonly runs = new Map<string, Run>();
  private readonly connections: ConnectionRegistry;
  private readonly retry: Partial<RetryPolicy> | undefined;
  readonly maxRunningPasses: number;
  /** Runs plus requests between their limit check and their launch. */
  private slots = 0;
  private readonly slotListeners = new Set<() => void>();
  private readonly unrecorded: PendingEnds<UnrecordedEnd>;
  /** Inventory reports verified by create(), handed to their run. */
  private readonly reports = new Map<string, OpenedReport>();
  /** Data files being imported or exported, one at a time per job. */
  private readonly tmpRoot: string;

  constructor(opts: PassServiceOptions) {
    this.store = new PassStore(path.join(opts.dataDir, "bucketscope.db"), { busyTimeoutMs: opts.busyTimeoutMs });
    this.tmpRoot = path.join(opts.dataDir, "tmp");
    // Left by a process that stopped mid-import or mid-export.
    fs.rmSync(this.tmpRoot, { recursive: true, force: true });
    this.store.interruptOrphans();
    this.connections = opts.connections;
    this.retry = opts.retry;
    this.maxRunningPasses = opts.maxRunningPasses ?? processLimits().maxRunningPasses;
    this.unrecorded = new PendingEnds((id, end) => this.store.finish(id, end.status, end.error, end.endedAt), "pass");
  }

  /**
   * Takes one of the running-pass slots, or refuses before anything is recorded. Released by
   * `releaseSlot` (a run releases its own when it ends).
   */
  private takeSlot(): void {
    if (this.slots >= this.maxRunningPasses) {
      throw new AppError(
        "too_many_passes",
        `${runningPasses(this.maxRunningPasses)}, the most this server runs at once (BUCKETSCOPE_MAX_RUNNING_PASSES). Try again when one has ended, or cancel one.`,
      );
    }
    this.slots++;
  }

  private releaseSlot(): void {
    this.slots--;
    for (const listener of this.slotListeners) listener();
  }

  /** Passes running (or being started) in this process. */
  get running(): number {
    return this.slots;
  }

  /** Calls `listener` whenever a running-pass slot frees up; returns the unsubscribe. */
  onSlotFree(listener: () => void): () => void {
    this.slotListeners.add(listener);
    return () => this.slotListeners.delete(listener);
  }

  /** The stored summary, with an end that could not be written yet in place of `running`. */
  private withEnd(s: PassSummary): PassSummary {
    const end = s.status === "running" ? this.unrecorded.get(s.id) : undefined;
    if (end === undefined) return s;
    return { ...s, status: end.status, error: end.error, endedAt: new Date(end.endedAt).toISOString(), resumable: true };
  }

  /**
   * Records how a pass ended. When the database refuses the write (disk full, locked by another
   * connection), the pass ends `failed` with that reason anyway: the end is kept in memory, shown in
   * the summary and to viewers, and written as soon as the database takes it.
   */
  recordEnd(id: string, status: Exclude<PassStatus, "running" | "interrupted">, error: PassError | null): void {
    try {
      this.store.finish(id, status, error);
      return;
    } catch (err) {
      const problem = storageProblem(err) ?? internalError(err, "The end of the pass could not be recorded").message;
      const earlier = error !== null && status === "failed" ? ` It had stopped because: ${error.message}` : "";
      this.unrecorded.add(id, {
        status: "failed",
        endedAt: Date.now(),
        error: {
          code: "storage_unavailable",
          message: `The pass's end could not be recorded: ${problem}. Resume it once the database is writable.${earlier}`,
          httpStatus: null,
          s3Code: null,
          requestId: null,
          retryable: true,
        },
      });
    }
  }

  /** Writes a pending end now, or refuses the request that needs it written. */
  private mustFlushEnd(id: string): void {
    if (this.unrecorded.flush(id)) return;
    const end = this.unrecorded.get(id);
    throw new AppError("storage_unavailable", `${end?.error.message ?? "The pass's end is not recorded yet."} Try again in a moment.`);
  }

  private mustRow(id: string) {
    const row = this.store.row(id);
    if (row === undefined) throw new AppError("unknown_pass", `There is no pass with id "${id}".`);
    return row;
  }

  summary(id: string): PassSummary {
    const s = this.store.summary(id);
    if (s === null) throw new AppError("unknown_pass", `There is no pass with id "${id}".`);
    return this.withEnd(s);
  }

  list(query: PassListQuery): PassSummary[] {
    return this.store.list(query).map((s) => this.withEnd(s));
  }

  /**
   * Starts a pass and answers once its first page is recorded, so a bucket that does not exist or
   * cannot be read is an error of the request instead of a pass that fails at once.
   */
  async create(params: NewPassParams): Promise<string> {
    return this.inSlot((launching) => this.createInSlot(params, launching));
  }

  /**
   * Runs `start` holding a slot; the slot passes to the run once `start` calls `launching`, and is
   * given back if `start` fails before that.
   */
  private async inSlot(start: (launching: () => void) => Promise<string>): Promise<string> {
    this.takeSlot();
    let launched = false;
    try {
      return await start(() => (launched = true));
    } finally {
      if (!launched) this.releaseSlot();
    }
  }

  private async createInSlot(params: NewPassParams, launching: () => void): Promise<string> {
    const conn = await this.connections.get(params.connection);
    const kind = params.kind ?? "list";
    const concurrency = params.concurrency ?? 1;
    if (kind !== "list" && concurrency > 1) {
      const what = kind === "snapshot" ? "a snapshot pass lists its versions" : "an inventory pass reads its report";
      throw new AppError("bad_request", `${what} with one cursor: send concurrency 1`);
    }
    if (kind === "inventory") return this.createInventory(conn, params, launching);
    const now = Date.now();
    let snapshot: SnapshotInfo | null = null;
    let snapshotState: string | null = null;
    if (kind === "snapshot") {
      [snapshot, snapshotState] = await this.snapshotStart(conn, params, now);
    } else if (params.asOf !== undefined) {
      throw new AppError("bad_request", 'asOf is for snapshot passes: send kind "snapshot" with it');
    }
    const p: NewPass = {
      id: newPassId(),
      kind,
      connection: conn.name,
      bucket: params.bucket,
      prefix: params.prefix,
      delimiter: params.delimiter ?? null,
      pageSize: params.pageSize,
      startAfter: params.startAfter ?? null,
      snapshot,
      snapshotState,
      concurrency,
      parallel: concurrency > 1 ? newParallelState(concurrency, conn.maxConcurrency, now) : null,
    };
    this.store.create(p, now);
    launching();
    const error = await this.firstOutcome(this.launch(p.id, {}));
    if (error !== null && this.summary(p.id).totals.pages === 0) {
      this.store.delete(this.mustRow(p.id).seq);
      throw error;
    }
    return p.id;
  }

  /**
   * Imports an S3 Inventory report as a pass. The report is verified before the pass exists
   * (manifest.checksum, format, columns, every data file present with its listed size): a report
   * that fails is refused and nothing is recorded. The answer comes once it is verified; the data
   * files are then read as the pass's pages, each checked against its MD5 before any of its rows is
   * recorded. A file that fails ends the pass `failed` with its pages discarded: an inventory pass
   * holds the whole report or nothing.
   */
  private async createInventory(conn: Connection, params: NewPassParams, launching: () => void): Promise<string> {
    const source = params.inventory;
    if (source === undefined) throw new AppError("bad_request", 'an inventory pass needs inventory: {bucket, manifestKey}');
    const dest = source.connection !== undefined ? await this.connections.get(source.connection) : conn;
    const report = await openReport(dest, source.bucket, source.manifestKey, params.bucket);
    const p: NewPass = {
      id: newPassId(),
      kind: "inventory",
      connection: conn.name,
      bucket: params.bucket,
      prefix: "",
      delimiter: null,
      pageSize: INVENTORY_PAGE_ROWS,
      startAfter: null,
      inventory: inventoryInfo(report),
    };
    this.store.create(p);
    this.reports.set(p.id, report);
    launching();
    this.launch(p.id, {});
    return p.id;
  }

  /**
   * Checks a snapshot pass before anything is recorded: T must not be in the future, and the bucket
   * must have (had) versioning: without it there is no history, and the answer would only be a
   * listing of the present dressed up as the past.
   */
  private async snapshotStart(conn: Connection, params: NewPassParams, now: number): Promise<[SnapshotInfo, string]> {
    if (params.delimiter !== undefined && params.delimiter !== null) {
      throw new AppError("bad_request", "a snapshot pass lists every key: it takes no delimiter");
    }
    const asOfMs = params.asOf !== undefined ? Date.parse(params.asOf) : now;
    if (!Number.isFinite(asOfMs)) throw new AppError("bad_request", "asOf must be an ISO 8601 instant with a zone, e.g. 2024-03-01T12:00:00Z");
    if (asOfMs > now + FUTURE_SLACK_MS) {
      throw new AppError(
        "bad_request",
        `asOf ${params.asOf} is in the future (it is now ${new Date(now).toISOString()} here): a snapshot rebuilds a moment that has passed.`,
      );
    }
    let versioning: BucketVersioning;
    let note: string | null = null;
    try {
      versioning = await readVersioning(conn.client, { connection: conn.name, bucket: params.bucket });
    } catch (err) {
      if (!(err instanceof AppError) || !TRANSIENT.has(err.code)) throw err;
      // Endpoint down or throttled: the first listing page fails the same way and leaves a
      // resumable pass, as a list pass does.
      versioning = "unknown";
      note = err.message;
    }
    if (versioning === "unknown" && note === null) note = "access denied to GetBucketVersioning";
    const info =
      params.asOf !== undefined ? newSnapshotInfo(new Date(asOfMs).toISOString(), "chosen", versioning) : newSnapshotInfo(new Date(now).toISOString(), "start", versioning);
    const state = newTrackerState(note);
    return [new SnapshotTracker(info, state).info, state];
  }

  /**
   * Waits for the first page of a run. A request error no retry can fix (no such bucket, access
   * denied) is returned as an AppError for the HTTP request that started the run.
   */
  private async firstOutcome(run: Run): Promise<AppError | null> {
    await run.started();
    if (run.latest !== null && run.latest.page.error === null) return null;
    await run.done;
    const s = this.summary(run.id);
    if (s.status !== "failed" || s.error === null || s.error.retryable) return null;
    return new AppError(isErrorCode(s.error.code) ? s.error.code : "upstream_error", s.error.message);
  }

  /** Continues a failed, interrupted or cancelled pass from its last recorded page. */
  async resume(id: string): Promise<string> {
    this.mustFlushEnd(id);
    const status = this.mustRow(id).status;
    if (status === "complete") throw new AppError("conflict", "This pass is complete; there is nothing left to resume.");
    if (status === "running") throw new AppError("conflict", "This pass is running already.");
    return this.inSlot((launching) => this.resumeInSlot(id, launching));
  }

  private async resumeInSlot(id: string, launching: () => void): Promise<string> {
    const row = this.mustRow(id);
    if (row.kind === "inventory") {
      throw new AppError("conflict", "An inventory import is not resumed: import the report again, and it is read and verified anew.");
    }
    if (row.status === "complete") throw new AppError("conflict", "This pass is complete; there is nothing left to resume.");
    if (row.status === "running") throw new AppError("conflict", "This pass is running already.");
    await this.connections.get(row.connection);
    const parallel = this.store.parallelState(row);
    if (parallel !== null) return this.resumeParallel(id, row.seq, parallel, launching);
    const point = this.store.resumePoint(row);
    if (!this.store.markResumed(id)) throw new AppError("conflict", "This pass changed state meanwhile; try again.");
    if (point.finished && row.kind === "snapshot") {
      // The walk reached its end; what is left is the cross-check that failed or was cut off.
      launching();
      const error = await this.firstOutcome(this.launch(id, {}, true));
      if (error !== null) throw error;
      return id;
    }
    if (point.finished) {
      this.recordEnd(id, "complete", null);
      return id;
    }
    const base = { firstIndex: point.nextIndex, previous: point.previous };
    // A snapshot walk has no token: it continues after the last key it settled, with the same T.
    const opts: Partial<ListOptions> =
      row.kind === "snapshot"
        ? point.cursor !== null
          ? { ...base, startAfter: point.cursor, resumedBy: "start-after" }
          : { ...base, startAfter: row.start_after ?? undefined, resumedBy: "restart" }
        : point.nextToken !== null
        ? { ...base, startToken: point.nextToken, fallbackStartAfter: point.cursor ?? row.start_after ?? "", resumedBy: "token" }
        : point.cursor !== null
          ? { ...base, startAfter: point.cursor, resumedBy: "start-after" }
          : { ...base, resumedBy: "restart" };
    launching();
    const error = await this.firstOutcome(this.launch(id, { list: opts }));
    if (error !== null) throw error;
    return id;
  }

  /** Continues every unfinished range of a parallel pass from its last recorded page. */
  private async resumeParallel(id: string, seq: number, state: ParallelState, launching: () => void): Promise<string> {
    const ranges = this.store.ranges(seq);
    if (!this.store.markResumed(id)) throw new AppError("conflict", "This pass changed state meanwhile; try again.");
    const open = ranges.some((r) => r.state === "pending" || r.state === "listing");
    if (!open && state.withdraw.length === 0) {
      this.recordEnd(id, "complete", null);
      return id;
    }
    launching();
    const error = await this.firstOutcome(this.launch(id, { parallel: { ranges, state } }));
    if (error !== null) throw error;
    return id;
  }

  private launch(id: string, opts: RunStart, walked = false): Run {
    const row = this.mustRow(id);
    const run = new Run(id, row.seq);
    this.runs.set(id, run);
    run.done = this.execute(run, opts, walked).finally(() => {
      this.runs.delete(id);
      run.finished = true;
      run.latest = null;
      run.notify();
      this.releaseSlot();
    });
    return run;
  }

  /** `walked`: the walk already reached its end (a resume that only cross-checks a snapshot). */
  private async execute(run: Run, start: RunStart, walked = false): Promise<void> {
    let error: PassError | null = null;
    try {
      const row = this.mustRow(run.id);
      const conn = await this.connections.get(row.connection);
      const params = {
        connection: row.connection,
        bucket: row.bucket,
        prefix: row.prefix,
        delimiter: row.delimiter,
        pageSize: row.page_size,
        startAfter: row.start_after,
      };
      let finished = walked;
      if (row.parallel !== null) {
        error = await this.recordParallel(run, conn, params, row.concurrency, row.page_records, start.parallel);
      } else {
        const opts = start.list ?? {};
        const pages: Iterable<RecordablePage> | AsyncIterable<RecordablePage> = walked
          ? []
          : row.kind === "snapshot"
            ? this.snapshotPages(run, conn, opts)
            : row.kind === "inventory"
              ? this.inventoryPages(run)
              : wrapList(listPages(conn.client, params, { ...opts, signal: run.controller.signal, retry: this.retry }));
        for await (const { page, snapshot } of pages) {
          error = this.recording(page.record.index, () => this.store.recordPage(run.seq, page, snapshot));
          if (error !== null) break;
          run.latest = { type: "page", page: page.record, entries: page.entries, commonPrefixes: page.commonPrefixes };
          run.notify();
          if (page.record.error !== null) {
            error = page.record.error;
            break;
          }
          finished = page.record.answered && !page.record.isTruncated;
        }
      }
      if (error === null && finished && row.kind === "snapshot" && !run.controller.signal.aborted) error = await this.crossCheck(run, conn);
    } catch (err) {
      const problem = storageProblem(err);
      if (problem !== null) {
        error = { code: "storage_unavailable", message: `The pass stopped: ${problem}. Resume it once the database is writable.`, httpStatus: null, s3Code: null, requestId: null, retryable: true };
      } else if (err instanceof AppError && err.code !== "internal_error") {
        error = { code: err.code, message: err.message, httpStatus: null, s3Code: null, requestId: null, retryable: false };
      } else {
        const e = internalError(err, `Pass ${run.id} stopped on an unexpected server error`);
        error = { code: e.code, message: e.message, httpStatus: null, s3Code: null, requestId: null, retryable: false };
      }
    }
    const status = run.controller.signal.aborted && error?.code !== "storage_unavailable" ? "cancelled" : error !== null ? "failed" : "complete";
    if (status !== "complete" && this.store.row(run.id)?.kind === "inventory") {
      try {
        this.store.discardPages(run.seq);
      } catch (err) {
        // Then its end can rarely be written either, and the next start discards a pass still running.
        internalError(err, `The pages of inventory import ${run.id} could not be discarded`);
      }
    }
    this.recordEnd(run.id, status, status === "cancelled" ? null : error);
  }

  /**
   * Runs one write of the pass's record: a database that refuses it (full, read-only, locked) ends
   * the pass failed with the reason, resumable once it takes writes again.
   */
  private recording(index: number | null, write: () => void): PassError | null {
    try {
      write();
      return null;
    } catch (err) {
      const problem = storageProblem(err);
      if (problem === null) throw err;
      return {
        code: "storage_unavailable",
        message: `${index !== null ? `Page ${index + 1}` : "The pass's ranges"} could not be recorded: ${problem}. Resume the pass once the database is writable.`,
        httpStatus: null,
        s3Code: null,
        requestId: null,
        retryable: true,
      };
    }
  }

  /**
   * Records a parallel pass step by step (each page with its ranges and state in one transaction).
   * A page that failed for good stops the other cursors; the pages they had already received are
   * recorded too. Returns the first failure.
   */
  private async recordParallel(
    run: Run,
    conn: Connection,
    params: ListParams,
    requested: number,
    firstIndex: number,
    resume: RunStart["parallel"],
  ): Promise<PassError | null> {
    let error: PassError | null = null;
    const steps = listParallel(conn.client, params, {
      signal: run.controller.signal,
      retry: this.retry,
      requested,
      maxConcurrency: conn.maxConcurrency,
      firstIndex,
      resume,
    });
    for await (const step of steps) {
      const failed = this.recording(step.page?.record.index ?? null, () => this.store.recordStep(run.seq, step));
      if (failed !== null) return failed;
      if (step.page === null) continue;
      run.latest = { type: "page", page: step.page.record, entries: step.page.entries, commonPrefixes: step.page.commonPrefixes };
      run.notify();
      error ??= step.page.record.error;
    }
    return error;
  }

  /**
   * A snapshot pass's pages: ListObjectVersions folded into the bucket as of T. T is fixed before
   * the first page is folded (the first page's Date header may move a default T onto the server's
   * clock) and never changes afterwards, resumes included.
   */
  private async *snapshotPages(run: Run, conn: Connection, opts: Partial<ListOptions>): AsyncGenerator<RecordablePage, void, undefined> {
    const row = this.mustRow(run.id);
    if (row.snapshot === null) throw new AppError("internal_error", `Snapshot pass ${run.id} has no snapshot information.`);
    const tracker = new SnapshotTracker(JSON.parse(row.snapshot) as SnapshotInfo, row.snapshot_state);
    let fold: AsOfFold | null = null;
    const pages = listVersionPages(
      conn.client,
      { connection: row.connection, bucket: row.bucket, prefix: row.prefix, delimiter: null, pageSize: row.page_size },
      {
        signal: run.controller.signal,
        retry: this.retry,
        startAfter: opts.startAfter ?? row.start_after,
        firstIndex: opts.firstIndex,
        previous: opts.previous,
        resumedBy: opts.resumedBy,
      },
    );
    for await (const versionPage of pages) {
      if (fold === null) {
        tracker.measureClock(versionPage, row.created_at);
        fold = new AsOfFold(tracker.asOf);
      }
      // A failed page has no rows: the open key stays open for the resume to list again.
      const last = versionPage.record.error === null && !versionPage.record.isTruncated;
      const page = asOfPage(fold, versionPage, last);
      yield { page, snapshot: tracker.observe(versionPage, page.record.versions ?? { absentKeys: 0, tieCount: 0 }, last) };
    }
  }

  /** An inventory pass's pages: its report's data files; its progress is written after each page. */
  private async *inventoryPages(run: Run): AsyncGenerator<RecordablePage, void, undefined> {
    const report = this.reports.get(run.id);
    this.reports.delete(run.id);
    if (report === undefined) throw new AppError("conflict", "This import lost its report (the server restarted); import the report again.");
    const dest = await this.connections.get(report.connection);
    const info = inventoryInfo(report);
    const tmpDir = path.join(this.tmpRoot, `import-${run.id}`);
    try {
      for await (const out of reportPages(dest, report, { signal: run.controller.signal, tmpDir, retry: this.retry })) {
        yield { page: out.page, snapshot: null };
        this.store.setInventory(run.seq, { ...info, progress: out.progress, notes: [...info.notes, ...out.notes] });
      }
    } finally {
      fs.rmSync(tmpDir, { recursive: true, force: true });
    }
  }

  /** Writes a complete pass as an S3 Inventory report into a writable connection's bucket. */
  async exportInventory(id: string, params: InventoryExportParams): Promise<InventoryExported> {
    this.mustRow(id);
    const conn = await this.connections.get(params.connection);
    return exportInventory({ store: this.store, tmpRoot: this.tmpRoot }, id, conn, params);
  }

  /** A complete pass as an S3 Inventory report in a tar archive, streamed. */
  downloadInventory(id: string, query: InventoryDownloadQuery, signal: AbortSignal) {
    this.mustRow(id);
    return downloadInventory({ store: this.store, tmpRoot: this.tmpRoot }, id, query, signal);
  }

  /**
   * A snapshot whose walk reached its end is complete only if ListObjectsV2 of the same prefix lists
   * no key the versions listing left out (cross-check.ts). The outcome is kept in SnapshotInfo.
   */
  private async crossCheck(run: Run, conn: Connection): Promise<PassError | null> {
    const row = this.mustRow(run.id);
    if (row.snapshot === null) return null;
    const info = JSON.parse(row.snapshot) as SnapshotInfo;
    const last = row.page_records > 0 ? this.store.pageEvent(row.seq, row.page_records - 1, false) : null;
    const outcome = await crossCheckSnapshot({
      client: conn.client,
      connection: row.connection,
      bucket: row.bucket,
      prefix: row.prefix,
      startAfter: row.start_after,
      store: this.store,
      seq: row.seq,
      info,
      walkStartedAt: row.created_at,
      lastPageRequestedAt: last !== null ? Date.parse(last.page.requestedAt) : row.created_at,
      listedThrough: this.store.resumePoint(row).cursor,
      retry: this.retry,
      signal: run.controller.signal,
    });
    if (outcome === null) return null;
    if ("warning" in outcome) {
      this.store.setSnapshot(row.seq, { ...info, crossCheck: null, warnings: [...info.warnings, outcome.warning] });
      return null;
    }
    if ("crossCheck" in outcome) this.store.setSnapshot(row.seq, { ...info, crossCheck: outcome.crossCheck });
    return outcome.error;
  }

  /**
   * Cancels a running pass and nothing else: a pass that finished a moment before the click must not
   * be deleted by it (as `remove` would).
   */
  async cancel(id: string): Promise<PassSummary> {
    const row = this.mustRow(id);
    const run = this.runs.get(id);
    if (run === undefined) {
      const status = row.status === "running" ? this.summary(id).status : row.status;
      throw new AppError("conflict", `This pass is not running (it is ${status}); there is nothing to cancel.`);
    }
    run.controller.abort();
    await run.done;
    return this.summary(id);
  }

  /** Cancels a running pass, or deletes a finished one with everything recorded for it. */
  async remove(id: string): Promise<PassDeleted> {
    const row = this.mustRow(id);
    const run = this.runs.get(id);
    if (run !== undefined) {
      run.controller.abort();
      await run.done;
      return { id, outcome: "cancelled" };
    }
    if (row.status === "running" && this.unrecorded.get(id) !== undefined) this.mustFlushEnd(id);
    else if (row.status === "running") {
      throw new AppError("conflict", "This pass is running in another server process; it cannot be deleted from here.");
    }
    this.store.delete(row.seq);
    return { id, outcome: "deleted" };
  }

  /** Resolves with the pass's summary once it is no longer running here. */
  async settled(id: string): Promise<PassSummary> {
    await this.runs.get(id)?.done;
    return this.summary(id);
  }

  /**
   * The events of a pass for one viewer: its summary, every recorded page in order (read back from
   * the database), then live pages as they are recorded, then an end line. Pages are taken strictly by
   * index, and the wake-up is taken before each read, so nothing is skipped or sent twice. With
   * `entries: false` recorded pages are sent with no entries, never read from the database.
   */
  async *events(id: string, signal: AbortSignal, { entries = true }: { entries?: boolean } = {}): AsyncGenerator<PassEvent, void, undefined> {
    const first = this.summary(id);
    const seq = this.mustRow(id).seq;
    yield { type: "pass", pass: first };
    const aborted = abortPromise(signal);
    let next = 0;
    while (!signal.aborted) {
      const run = this.runs.get(id);
      const changed = run?.changed();
      const latest = run?.latest;
      const live = latest != null && latest.page.index === next ? (entries ? latest : { ...latest, entries: [] }) : null;
      const page = live ?? this.store.pageEvent(seq, next, entries);
      if (page !== null) {
        next++;
        yield page;
        continue;
      }
      if (run === undefined) {
        const s = this.summary(id);
        if (s.status === "running") {
          // Running but not here (being started or resumed, or another process): look again soon.
          await Promise.race([new Promise((r) => setTimeout(r, REPOLL_MS)), aborted]);
          continue;
        }
        yield { type: "end", status: s.status, totals: s.totals, error: s.error, pass: s };
        return;
      }
      await Promise.race([changed, aborted]);
    }
  }

  entries(id: string, query: EntriesQuery): EntriesResponse {
    const row = this.mustRow(id);
    return searchEntries(this.store, id, query) ?? this.store.entries(row.seq, query);
  }

  /** Cancels every run of this service and closes the database (tests, shutdown). */
  async close(): Promise<void> {
    if (!this.store.db.open) return;
    const runs = [...this.runs.values()];
    for (const r of runs) r.controller.abort();
    await Promise.all(runs.map((r) => r.done));
    this.unrecorded.flushAll();
    this.unrecorded.stop();
    this.store.close();
  }
}

async function* wrapList(pages: AsyncIterable<ListedPage>): AsyncGenerator<RecordablePage, void, undefined> {
  for await (const page of pages) yield { page, snapshot: null };
}

const GLOBAL_KEY = Symbol.for("bucketscope.passes");
type GlobalWithPasses = typeof globalThis & { [GLOBAL_KEY]?: PassService };

/**
 * The process-wide pass service. It lives on globalThis because Next may load this module once per
 * route bundle, and every route must see the same running passes.
 */
export function passes(env: Record<string, string | undefined> = process.env): PassService {
  const g = globalThis as GlobalWithPasses;
  g[GLOBAL_KEY] ??= new PassService({ dataDir: dataDirFrom(env), connections: defaultConnections(env) });
  return g[GLOBAL_KEY];
}
