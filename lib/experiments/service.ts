import "server-only";
import { randomBytes, randomInt } from "node:crypto";
import { limits as processLimits, loadSettings } from "@/lib/config";
import { connections as defaultConnections, type ConnectionRegistry } from "@/lib/connections";
import { AppError, internalError } from "@/lib/http";
import { listPages, sleep, type ListedPage, type RetryPolicy } from "@/lib/lister";
import { listParallel, newParallelState, type ParallelStep } from "@/lib/parallel";
import { passes as defaultPasses, PendingEnds, storageProblem, type PassService } from "@/lib/passes";
import type {
  BucketVersioning,
  ClockOffset,
  ExperimentDetail,
  ExperimentEvent,
  ExperimentPage,
  ExperimentParams,
  ExperimentStatus,
  ExperimentSummary,
  Mutation,
  MutationOp,
  MutationTrigger,
  PassError,
  TruthMethod,
  TruthSnapshot,
} from "@/lib/wire";
import { experimentPrefix } from "@/lib/wire";
import { injectLatency, readTruth, readVersionsTruth, Scope, type Cleanup, type SandboxAdmin, type Truth } from "./bucket-ops";
import { classifyKeys, normalizeEtag, positionIn, sortedKeys, summarize, type PageRange } from "./classify";
import { seededRandom } from "@/lib/random";
import { ChurnChooser, planFor, seedKeys, type Plan } from "./scenarios";
import { ExperimentStore, type StoredEvent } from "./store";

export interface ExperimentServiceOptions {
  passes: PassService;
  connections: ConnectionRegistry;
  /** The sandbox's admin API (exact ground truth, latency injection); null without a sandbox. */
  sandboxAdmin: SandboxAdmin | null;
  retry?: Partial<RetryPolicy>;
  /** Experiments running at once (BUCKETSCOPE_MAX_RUNNING_EXPERIMENTS); default 2. */
  maxRunning?: number;
  /** How long one may run before it is stopped and cleaned up, in ms (BUCKETSCOPE_EXPERIMENT_MAX_SECONDS); default 10 min. */
  maxRunMs?: number;
  /** Pages and mutations one may log (BUCKETSCOPE_EXPERIMENT_MAX_EVENTS); default 20000. */
  maxEvents?: number;
}

type ExperimentError = { code: string; message: string };

/** What an experiment ended with: written in one transaction, or kept until the database takes it. */
interface ExperimentEnd {
  status: Exclude<ExperimentStatus, "running">;
  error: ExperimentError | null;
  cleanedUp: boolean | null;
  cleanupNote: string | null;
  endedAt: number;
}

class Run {
  readonly controller = new AbortController();
  done: Promise<void> = Promise.resolve();
  /** Pages and mutations logged so far. */
  logged = 0;
  /** Why the server stopped it (a limit), when it did; a stop by a person leaves this null. */
  halted: ExperimentError | null = null;
  /**
   * What is true only while it runs, told to live viewers and not logged (a replay has no use for
   * it, and the log stays bounded by pages and mutations): the setup's progress until it is done
   * (its last line is logged), the page in flight.
   */
  setup: Extract<ExperimentEvent, { type: "setup" }> | null = null;
  inFlight: Extract<ExperimentEvent, { type: "request" }> | null = null;
  private wake = Run.deferred();

  halt(reason: ExperimentError): void {
    if (this.controller.signal.aborted) return;
    this.halted = reason;
    this.controller.abort();
  }

  private static deferred(): { promise: Promise<void>; resolve: () => void } {
    let resolve = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  }

  changed(): Promise<void> {
    return this.wake.promise;
  }

  notify(): void {
    const w = this.wake;
    this.wake = Run.deferred();
    w.resolve();
  }
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

const iso = (ms: number) => new Date(ms).toISOString();

function spell(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 100) / 10} s`;
}
const REPOLL_MS = 250;
const SETUP_PROGRESS_MS = 200;
const SECOND = 1000;

/** Waits until the server's clock has surely reached `serverMs` (ours + offset, less its uncertainty). */
function untilServerReaches(serverMs: number, clock: ClockOffset, signal: AbortSignal): Promise<void> {
  return sleep(serverMs - clock.offsetMs + clock.uncertaintyMs - Date.now(), signal);
}

/**
 * The first whole second (server clock) after every write acknowledged by `ackedAt` (our clock):
 * LastModified has 1-second resolution, so T must not share a second with any write.
 */
function secondAfter(ackedAt: number, clock: ClockOffset): number {
  return (Math.floor((ackedAt + clock.offsetMs + clock.uncertaintyMs) / SECOND) + 1) * SECOND;
}

interface TruthPlan {
  method: TruthMethod;
  note: string | null;
  versioning: BucketVersioning | "off";
  clock: ClockOffset | null;
}

/** Sends the churn mutator's operations one at a time at `rate` per second until stopped. */
function startChurn(rate: number, chooser: ChurnChooser, mutate: (op: MutationOp, key: string) => Promise<void>): { stop(): Promise<void> } {
  let stopped = false;
  let wake = () => {};
  const interval = 1000 / rate;
  const loop = (async () => {
    let nextAt = Date.now() + interval;
    while (!stopped) {
      const wait = nextAt - Date.now();
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      if (stopped) break;
      const { op, key } = chooser.next();
      await mutate(op, key);
      nextAt = Math.max(nextAt + interval, Date.now());
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake();
      await loop;
    },
  };
}

export class ExperimentService {
  readonly store: ExperimentStore;
  private readonly runs = new Map<string, Run>();
  /** Requests between their limit check and their run. */
  private starting = 0;
  private readonly maxRunning: number;
  private readonly maxRunMs: number;
  private readonly maxEvents: number;
  private readonly unrecorded: PendingEnds<ExperimentEnd>;

  constructor(private readonly opts: ExperimentServiceOptions) {
    this.store = new ExperimentStore(opts.passes.store.db);
    this.store.interruptOrphans();
    const limits = processLimits();
    this.maxRunning = opts.maxRunning ?? limits.maxRunningExperiments;
    this.maxRunMs = opts.maxRunMs ?? limits.experimentMaxMs;
    this.maxEvents = opts.maxEvents ?? limits.experimentMaxEvents;
    this.unrecorded = new PendingEnds((id, end) => this.store.end(id, end), "experiment");
  }

  /** The stored summary, with an end that could not be written yet in place of `running`. */
  private withEnd(s: ExperimentSummary): ExperimentSummary {
    const end = s.status === "running" ? this.unrecorded.get(s.id) : undefined;
    if (end === undefined) return s;
    return { ...s, status: end.status, error: end.error, cleanedUp: end.cleanedUp, cleanupNote: end.cleanupNote, endedAt: iso(end.endedAt), phase: "finished" };
  }

  /**
   * Records how an experiment ended. When the database refuses (disk full, locked), it ends `failed`
   * with that reason anyway: kept in memory, shown to viewers, written once the database takes it.
   */
  private recordEnd(id: string, end: ExperimentEnd): void {
    try {
      this.store.end(id, end);
    } catch (err) {
      const problem = storageProblem(err) ?? internalError(err, "The end of the experiment could not be recorded").message;
      const earlier = end.error !== null ? ` It had ended because: ${end.error.message}` : "";
      this.unrecorded.add(id, {
        ...end,
        status: "failed",
        error: { code: "storage_unavailable", message: `The experiment's end could not be recorded: ${problem}.${earlier}` },
      });
    }
  }

  /**
   * Empties the prefixes of experiments a previous process left half done (it stopped before its own
   * cleanup), unless they were to be kept. Failures are logged and left for the next start.
   */
  async cleanUpInterrupted(): Promise<number> {
    let cleaned = 0;
    for (const e of this.store.leftovers()) {
      if (e.params.keepData) {
        this.store.setCleanedUp(e.id, false);
        continue;
      }
      try {
        const scope = new Scope(await this.opts.connections.get(e.connection), e.bucket, e.prefix);
        const never = new AbortController().signal;
        const result = await scope.empty(never, await scope.versioning(never));
        if (result.cleaned) {
          this.store.setCleanedUp(e.id, true);
          cleaned++;
        } else if (result.note !== null) this.store.setCleanedUp(e.id, false, result.note);
      } catch (err) {
        console.error(`[bucketscope] could not clean up interrupted experiment ${e.id}`, err);
      }
    }
    return cleaned;
  }

  summary(id: string): ExperimentSummary {
    const s = this.store.summary(id);
    if (s === null) throw new AppError("unknown_experiment", `There is no experiment with id "${id}".`);
    return this.withEnd(s);
  }

  list(limit = 100): ExperimentSummary[] {
    return this.store.list(limit).map((s) => this.withEnd(s));
  }

  detail(id: string): ExperimentDetail {
    const experiment = this.summary(id);
    const events = this.store.events(this.store.seqOf(id) as number);
    const detail: ExperimentDetail = { experiment, truth: [], pages: [], mutations: [], verdicts: this.store.verdicts(id) };
    for (const e of events) {
      if (e.type === "truth") detail.truth.push(e.truth);
      else if (e.type === "page") detail.pages.push(e.page);
      else if (e.type === "mutation") detail.mutations.push(e.mutation);
    }
    detail.mutations.sort((a, b) => a.seq - b.seq);
    return detail;
  }

  /**
   * Checks that the experiment may run (a writable connection, a reachable bucket, sandbox-only
   * options on the sandbox), records it and starts it; answers with its id at once.
   */
  async create(params: ExperimentParams): Promise<string> {
    if (this.runs.size + this.starting >= this.maxRunning) {
      throw new AppError(
        "too_many_experiments",
        `${this.maxRunning} experiment${this.maxRunning === 1 ? " is" : "s are"} running, the most this server runs at once (BUCKETSCOPE_MAX_RUNNING_EXPERIMENTS). Try again when one has ended, or stop one.`,
      );
    }
    this.starting++;
    try {
      return await this.start(params);
    } finally {
      this.starting--;
    }
  }

  private async start(params: ExperimentParams): Promise<string> {
    const conn = await this.opts.connections.get(params.connection);
    const id = randomBytes(6).toString("hex");
    const scope = new Scope(conn, params.bucket, experimentPrefix(id));
    const admin = conn.kind === "sandbox" ? this.opts.sandboxAdmin : null;
    if (params.latencyMs > 0 && admin === null) {
      throw new AppError("bad_request", "Injected latency is a sandbox feature; leave latencyMs at 0 on other connections.");
    }
    await scope.check();
    const truth = await this.truthPlan(scope, admin);
    const plan = planFor(params, () => randomInt(2 ** 31 - 1));
    const resolved: ExperimentParams = params.scenario === "churn" && plan.churn !== null ? { ...params, seed: plan.churn.seed } : params;
    this.store.create({
      id,
      params: resolved,
      prefix: scope.prefix,
      pageSize: plan.pageSize,
      truthMethod: truth.method,
      truthNote: truth.note,
    });
    const run = new Run();
    this.runs.set(id, run);
    const limit = setTimeout(
      () => run.halt({ code: "time_limit", message: `Stopped after ${spell(this.maxRunMs)}, the longest an experiment may run (BUCKETSCOPE_EXPERIMENT_MAX_SECONDS).` }),
      this.maxRunMs,
    );
    run.done = this.execute(id, run, scope, admin, plan, resolved, truth)
      .catch((err: unknown) => {
        // execute records its own end; this is the last resort that keeps viewers from waiting forever.
        this.recordEnd(id, { status: "failed", error: internalError(err, `Experiment ${id} stopped on an unexpected server error`), cleanedUp: null, cleanupNote: null, endedAt: Date.now() });
      })
      .finally(() => {
        clearTimeout(limit);
        this.runs.delete(id);
        run.notify();
      });
    return id;
  }

  /**
   * How ground truth will be read: the sandbox's snapshot; elsewhere the bucket's versions when
   * versioning is on and the server's clock can be measured; otherwise a quiescent listing, saying why.
   */
  private async truthPlan(scope: Scope, admin: SandboxAdmin | null): Promise<TruthPlan> {
    const versioning = await scope.versioning();
    if (admin !== null) return { method: "sandbox-snapshot", note: null, versioning, clock: null };
    const quiescent = (note: string): TruthPlan => ({ method: "quiescent-listing", note, versioning, clock: null });
    if (versioning === "off") return quiescent("The bucket has never had versioning enabled, so there is no history to rebuild the prefix from: ground truth is a quiescent listing.");
    if (versioning === "Suspended") {
      return quiescent("Versioning on this bucket is suspended: a write replaces the null version instead of adding one, so the prefix's history cannot be rebuilt and ground truth is a quiescent listing.");
    }
    if (versioning === "unknown") return quiescent("Reading the bucket's versioning was denied, so its history cannot be relied on: ground truth is a quiescent listing.");
    let clock: ClockOffset | null;
    try {
      clock = await scope.clock(new AbortController().signal, this.opts.retry);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return quiescent(`Versioning is on, but listing the bucket's versions failed (${err.message}): ground truth is a quiescent listing.`);
    }
    if (clock === null) return quiescent("Versioning is on, but the server sends no Date header, so our instants cannot be placed on its clock: ground truth is a quiescent listing.");
    return { method: "versions", note: null, versioning, clock };
  }

  /** Stops a running experiment; it still puts the sandbox's latency back and cleans its prefix up. */
  async stop(id: string): Promise<ExperimentSummary> {
    const run = this.runs.get(id);
    if (run === undefined) {
      const s = this.summary(id);
      throw new AppError("conflict", `Experiment "${id}" is ${s.status}; only a running experiment can be stopped.`);
    }
    run.controller.abort();
    await run.done;
    return this.summary(id);
  }

  /** Resolves with the experiment's summary once it is no longer running here. */
  async settled(id: string): Promise<ExperimentSummary> {
    await this.runs.get(id)?.done;
    return this.summary(id);
  }

  private async execute(id: string, run: Run, scope: Scope, admin: SandboxAdmin | null, plan: Plan, params: ExperimentParams, truthPlan: TruthPlan): Promise<void> {
    const seq = this.store.seqOf(id) as number;
    const signal = run.controller.signal;
    const passStore = this.opts.passes.store;
    const emit = (e: StoredEvent) => {
      if (e.type === "page" || e.type === "mutation") {
        // The log is bounded: past the limit the experiment stops (and cleans up) instead of growing.
        if (run.logged >= this.maxEvents) {
          run.halt({ code: "log_limit", message: `Stopped after logging ${this.maxEvents} pages and mutations, the most an experiment may log (BUCKETSCOPE_EXPERIMENT_MAX_EVENTS).` });
          return;
        }
        run.logged++;
      }
      this.store.append(seq, e);
      run.notify();
    };
    const phase = (p: string) => {
      this.store.setPhase(id, p);
      emit({ type: "phase", phase: p, at: iso(Date.now()) });
    };

    let status: Exclude<ExperimentStatus, "running"> = "complete";
    let error: { code: string; message: string } | null = null;
    let restoreLatency: (() => Promise<void>) | null = null;
    try {
      const initial = seedKeys(plan.keyCount);
      phase(`writing ${initial.length} keys under ${scope.prefix}`);
      // At most a few progress lines a second and one per 2% written: enough for a room to watch the
      // setup, few enough to store however long the writes take.
      let reportedAt = 0;
      let reported = 0;
      const progress = (written: number) => {
        const now = Date.now();
        const due = now - reportedAt >= SETUP_PROGRESS_MS && written - reported >= initial.length / 50;
        if (written !== 0 && written < initial.length && !due) return;
        reportedAt = now;
        reported = written;
        const line = { type: "setup", written, total: initial.length, at: iso(now) } as const;
        // The last line is logged, so a viewer who comes later still learns what the setup wrote.
        run.setup = written < initial.length ? line : null;
        if (written === initial.length) emit(line);
        else run.notify();
      };
      progress(0);
      await scope.seed(initial, (key) => `race lab ${id}: ${key} (seed)\n`, signal, progress);
      if (admin !== null && params.latencyMs > 0) restoreLatency = await injectLatency(admin, scope.bucket, params.latencyMs);

      const seededAt = Date.now();
      // Versions: T is the first second after the seed's writes, and the pass (so every mutation) starts
      // only once that second is over on the server's clock, so no write shares T's second.
      const readStart = async (): Promise<Truth> => {
        if (truthPlan.method !== "versions") return readTruth(scope, admin, signal);
        const clock = (await scope.clock(signal, this.opts.retry)) ?? truthPlan.clock;
        if (clock === null) throw new AppError("upstream_error", "The server stopped sending a Date header; its clock cannot be measured.");
        const t = secondAfter(seededAt, clock);
        phase(`waiting for ${iso(t)} on the server's clock to pass (LastModified has 1-second resolution)`);
        await untilServerReaches(t + SECOND, clock, signal);
        if (signal.aborted) throw new AppError("conflict", "The experiment was stopped.");
        phase(`reading the prefix's versions as of ${iso(t)}`);
        return readVersionsTruth(scope, t, clock, signal, this.opts.retry);
      };
      phase("reading the bucket before the first page");
      const start = await readStart();
      emit({ type: "truth", truth: truthSnapshot("start", start) });
      const startKeys = sortedKeys(start.contents.keys());
      const position = (key: string) => positionIn(startKeys, key);

      const passId = randomBytes(9).toString("base64url");
      passStore.create({
        id: passId,
        connection: scope.conn.name,
        bucket: scope.bucket,
        prefix: scope.prefix,
        delimiter: null,
        pageSize: plan.pageSize,
        startAfter: null,
        concurrency: params.concurrency,
        parallel: params.concurrency > 1 ? newParallelState(params.concurrency, scope.conn.maxConcurrency) : null,
      });
      this.store.setPass(id, passId);
      const passSeq = passStore.row(passId)?.seq as number;

      const mutations: Mutation[] = [];
      const mutate = async (op: MutationOp, key: string, trigger: MutationTrigger): Promise<void> => {
        if (signal.aborted) return;
        const n = mutations.length;
        const sentAt = Date.now();
        let etag: string | null = null;
        let failure: string | null = null;
        try {
          if (op === "delete") await scope.delete(key);
          else etag = normalizeEtag(await scope.put(key, `race lab ${id}: ${key} (mutation ${n}, ${op})\n`));
        } catch (err) {
          failure = err instanceof AppError && err.code !== "internal_error" ? err.message : internalError(err, "The write failed on a server error").message;
        }
        const m: Mutation = { seq: n, op, key, position: position(key), trigger, sentAt: iso(sentAt), ackedAt: iso(Date.now()), ok: failure === null, etag, error: failure };
        mutations[n] = m;
        try {
          emit({ type: "mutation", mutation: m });
        } catch (err) {
          // Mutations run beside the listing (churn, timed steps): a log that cannot be written stops the experiment.
          const problem = storageProblem(err);
          run.halt(problem !== null ? { code: "storage_unavailable", message: `The experiment stopped: ${problem}.` } : internalError(err, `Experiment ${id} stopped on an unexpected server error`));
        }
      };

      phase("listing");
      const passStartedAt = Date.now();
      const churn = plan.churn !== null ? startChurn(plan.churn.rate, new ChurnChooser(seededRandom(plan.churn.seed), initial, plan.keyCount), (op, key) => mutate(op, key, { kind: "churn" })) : null;
      const timed: Promise<void>[] = [];
      let stepsRun = 0;
      const timers = plan.steps
        .filter((s) => s.atMs !== undefined)
        .map((s) =>
          setTimeout(() => {
            stepsRun++;
            timed.push(mutate(s.op, s.key, { kind: "at", ms: s.atMs ?? 0 }));
          }, Math.max(0, passStartedAt + (s.atMs ?? 0) - Date.now())),
        );

      const listed = new Map<string, { etag: string | null; page: number }>();
      const ranges: PageRange[] = [];
      // Set inside take(), a closure: the annotation keeps TypeScript from narrowing it to null here.
      let passError = null as PassError | null;
      const rel = (k: string | null) => (k !== null ? k.slice(scope.prefix.length) : null);
      const listParams = { connection: scope.conn.name, bucket: scope.bucket, prefix: scope.prefix, delimiter: null, pageSize: plan.pageSize, startAfter: null };
      /** Logs an answered page and runs the steps due after it; false once the listing must stop. */
      const take = async (page: ListedPage): Promise<boolean> => {
        const r = page.record;
        const first = rel(r.firstKey);
        const last = rel(r.lastKey);
        const c = r.cursor;
        const cursor =
          c !== undefined
            ? {
                range: c.range,
                page: c.page,
                after: rel(c.after),
                through: rel(c.through),
                afterPosition: c.after !== null ? position(rel(c.after) as string) : null,
                throughPosition: c.through !== null ? position(rel(c.through) as string) : null,
                beyond: c.beyond,
              }
            : undefined;
        const p: ExperimentPage = {
          index: r.index,
          requestedAt: r.requestedAt,
          receivedAt: r.receivedAt,
          keyCount: r.entryCount,
          firstKey: first,
          lastKey: last,
          firstPosition: first !== null ? position(first) : null,
          lastPosition: last !== null ? position(last) : null,
          isTruncated: r.isTruncated,
          error: r.error?.message ?? null,
          ...(cursor !== undefined ? { cursor } : {}),
        };
        emit({ type: "page", page: p });
        for (const e of page.entries) listed.set(e.key.slice(scope.prefix.length), { etag: normalizeEtag(e.etag), page: r.index });
        ranges.push({ index: r.index, lastKey: last, isTruncated: r.isTruncated, failed: r.error !== null, ...(cursor !== undefined ? { cursor } : {}) });
        if (r.error !== null) {
          passError = r.error;
          return false;
        }
        for (const step of plan.steps) {
          if (step.afterPage !== r.index + 1) continue;
          stepsRun++;
          await mutate(step.op, step.key, { kind: "after-page", page: r.index });
        }
        return true;
      };
      let next: AsyncGenerator<ListedPage, void, undefined> | undefined;
      let walk: AsyncGenerator<ParallelStep, void, undefined> | undefined;
      try {
        if (params.concurrency > 1) {
          // No prefetch here either: each cursor asks for its next page only once its page is taken,
          // so a step run after page N is acknowledged before that cursor's next request.
          walk = listParallel(scope.conn.client, listParams, {
            signal,
            retry: this.opts.retry,
            requested: params.concurrency,
            maxConcurrency: scope.conn.maxConcurrency,
            firstIndex: 0,
            prefetch: false,
            splitPoints: raceSplitPoints(initial, params.concurrency).map((k) => scope.prefix + k),
          });
          for await (const step of walk) {
            passStore.recordStep(passSeq, step);
            // A fall back to one cursor (never on the sandbox): what the withdrawn ranges listed is listed again by range 0.
            if (step.withdraw.length > 0) {
              const gone = new Set(step.withdraw);
              const pagesGone = new Set<number>();
              for (const p of ranges) if (p.cursor !== undefined && gone.has(p.cursor.range)) {
                p.cursor.withdrawn = true;
                pagesGone.add(p.index);
              }
              for (const [key, l] of listed) if (pagesGone.has(l.page)) listed.delete(key);
            }
            if (step.page !== null && !(await take(step.page))) break;
          }
        } else {
          const pages = listPages(
            scope.conn.client,
            listParams,
            // No prefetch: a mutation made after page N is acknowledged before page N+1 is requested.
            { signal, prefetch: false, retry: this.opts.retry },
          );
          // Each request is announced before it is sent, so viewers draw the page in flight as it happens.
          next = pages[Symbol.asyncIterator]();
          for (let index = 0; ; index++) {
            run.inFlight = { type: "request", index, requestedAt: iso(Date.now()) };
            run.notify();
            const answered = await next.next();
            // Cleared before the page is logged: a viewer never sees a request after its own answer.
            run.inFlight = null;
            if (answered.done === true) break;
            passStore.recordPage(passSeq, answered.value);
            if (!(await take(answered.value)) || !answered.value.record.isTruncated) break;
          }
        }
      } finally {
        run.inFlight = null;
        await next?.return(undefined);
        await walk?.return(undefined);
        for (const t of timers) clearTimeout(t);
        await churn?.stop();
        await Promise.all(timed);
        if (run.halted !== null) this.opts.passes.recordEnd(passId, "failed", { code: run.halted.code, message: run.halted.message, httpStatus: null, s3Code: null, requestId: null, retryable: false });
        else this.opts.passes.recordEnd(passId, signal.aborted ? "cancelled" : passError !== null ? "failed" : "complete", signal.aborted ? null : passError);
      }
      if (signal.aborted) throw new AppError("conflict", "The experiment was stopped.");
      const skipped = plan.steps.length - stepsRun;
      if (skipped > 0) phase(`${skipped} scheduled step${skipped === 1 ? "" : "s"} did not run: the pass ended first`);

      phase("reading the bucket after the last page");
      const readEnd = async (): Promise<Truth> => {
        if (truthPlan.method !== "versions") return readTruth(scope, admin, signal);
        const settledAt = Date.now();
        const clock = (await scope.clock(signal, this.opts.retry)) ?? truthPlan.clock;
        if (clock === null) throw new AppError("upstream_error", "The server stopped sending a Date header; its clock cannot be measured.");
        const t = secondAfter(settledAt, clock);
        phase(`waiting for ${iso(t)} on the server's clock (LastModified has 1-second resolution)`);
        await untilServerReaches(t, clock, signal);
        if (signal.aborted) throw new AppError("conflict", "The experiment was stopped.");
        phase(`reading the prefix's versions as of ${iso(t)}`);
        return readVersionsTruth(scope, t, clock, signal, this.opts.retry);
      };
      const end = await readEnd();
      emit({ type: "truth", truth: truthSnapshot("end", end) });
      const input = { start: start.contents, end: end.contents, listed, mutations, pages: ranges };
      const verdicts = classifyKeys(input);
      const result = summarize(input, verdicts, ranges.length);
      const tied = [start, end].filter((t) => (t.tieCount ?? 0) > 0);
      if (tied.length > 0) {
        const words = tied.map((t) => `${t.tieCount ?? 0} key${t.tieCount === 1 ? "" : "s"} at ${t === start ? "its start" : "its end"} (${(t.ties ?? []).slice(0, 5).map((x) => x.key).join(", ")})`);
        result.line += ` Caution: the ground truth has ties, keys changed within T's own second and counted as changed before T: ${words.join("; ")}; their verdicts may be wrong.`;
      }
      this.store.setVerdicts(id, result, verdicts);
      if (passError !== null) {
        status = "failed";
        error = { code: passError.code, message: `The pass stopped at a failed page: ${passError.message}` };
      }
    } catch (err) {
      const problem = storageProblem(err);
      status = run.halted !== null || !signal.aborted ? "failed" : "cancelled";
      if (run.halted !== null) error = run.halted;
      else if (signal.aborted) error = null;
      else if (problem !== null) error = { code: "storage_unavailable", message: `The experiment stopped: ${problem}.` };
      else if (err instanceof AppError && err.code !== "internal_error") error = { code: err.code, message: err.message };
      else error = internalError(err, `Experiment ${id} stopped on an unexpected server error`);
    } finally {
      if (restoreLatency !== null) await restoreLatency().catch((err: unknown) => console.error(`[bucketscope] experiment ${id}: could not restore sandbox latency`, err));
      let cleanedUp = false;
      let cleanupNote: string | null = null;
      if (!params.keepData) {
        const versioned = truthPlan.versioning !== "off";
        // Bookkeeping must not stand between the experiment and its cleanup.
        try {
          phase(`deleting everything under ${scope.prefix}${versioned ? ", every version and delete marker included" : ""}`);
        } catch (err) {
          console.error(`[bucketscope] experiment ${id}: could not record the cleanup phase`, err);
        }
        const cleanup = await scope.empty(new AbortController().signal, truthPlan.versioning).catch((err: unknown): Cleanup => {
          const e = err instanceof AppError && err.code !== "internal_error" ? err.message : internalError(err, "an unexpected server error").message;
          return { cleaned: false, note: `Cleanup failed: ${e}. Objects may remain under ${scope.prefix}.` };
        });
        cleanedUp = cleanup.cleaned;
        cleanupNote = cleanup.note;
      }
      this.recordEnd(id, { status, error, cleanedUp, cleanupNote, endedAt: Date.now() });
    }
  }

  /**
   * The experiment's events for one viewer: its summary, every recorded event in the order it
   * happened (pages at their answer, mutations at their acknowledgement), live ones as they come,
   * then an end line.
   */
  async *events(id: string, signal: AbortSignal): AsyncGenerator<ExperimentEvent, void, undefined> {
    const first = this.summary(id);
    const seq = this.store.seqOf(id) as number;
    yield { type: "experiment", experiment: first };
    const aborted = abortPromise(signal);
    let n = 0;
    let setup: Run["setup"] = null;
    let inFlight: Run["inFlight"] = null;
    while (!signal.aborted) {
      const run = this.runs.get(id);
      const changed = run?.changed();
      const e = this.store.event(seq, n);
      if (e !== null) {
        n++;
        yield e;
        continue;
      }
      // Live state only once the log is caught up, so it never comes before what preceded it.
      if (run !== undefined && run.setup !== setup) {
        setup = run.setup;
        if (setup !== null) yield setup;
        continue;
      }
      if (run !== undefined && run.inFlight !== inFlight) {
        inFlight = run.inFlight;
        if (inFlight !== null) yield inFlight;
        continue;
      }
      if (run === undefined) {
        const s = this.summary(id);
        if (s.status === "running") {
          await Promise.race([new Promise((r) => setTimeout(r, REPOLL_MS)), aborted]);
          continue;
        }
        yield { type: "end", experiment: s };
        return;
      }
      await Promise.race([changed, aborted]);
    }
  }

  /** Stops every running experiment (each still cleans up) and waits for them. */
  async close(): Promise<void> {
    const runs = [...this.runs.values()];
    for (const r of runs) r.controller.abort();
    await Promise.all(runs.map((r) => r.done));
    this.unrecorded.flushAll();
    this.unrecorded.stop();
  }
}

/**
 * Where a parallel race first cuts its prefix: the seeded keys in `concurrency` equal parts. The lab
 * knows its own keys, as a hints file would tell s3-fast-list; without them a prefix of a few hundred
 * keys is over before the splitter has learnt enough of it to cut it, and the picture would show one
 * cursor doing all the work. Later splits are the splitter's, as in any parallel pass.
 */
export function raceSplitPoints(seeded: readonly string[], concurrency: number): string[] {
  const points: string[] = [];
  for (let i = 1; i < concurrency; i++) {
    const key = seeded[Math.floor((i * seeded.length) / concurrency) - 1];
    if (key !== undefined && key !== points[points.length - 1]) points.push(key);
  }
  return points;
}

function truthSnapshot(which: "start" | "end", t: Truth): TruthSnapshot {
  const base: TruthSnapshot = { which, takenAt: iso(t.takenAt), method: t.method, count: t.contents.size };
  return t.method === "versions" ? { ...base, clock: t.clock ?? null, ties: t.ties ?? [], tieCount: t.tieCount ?? 0 } : base;
}

const GLOBAL_KEY = Symbol.for("bucketscope.experiments");
type GlobalWithExperiments = typeof globalThis & { [GLOBAL_KEY]?: ExperimentService };

/** The process-wide experiment service (on globalThis: Next may load this module once per route bundle). */
export function experiments(env: Record<string, string | undefined> = process.env): ExperimentService {
  const g = globalThis as GlobalWithExperiments;
  if (g[GLOBAL_KEY] === undefined) {
    const sandbox = loadSettings(env).sandbox;
    const service = new ExperimentService({
      passes: defaultPasses(env),
      connections: defaultConnections(env),
      sandboxAdmin: sandbox !== null ? { endpoint: sandbox.endpoint, secretAccessKey: sandbox.secretAccessKey } : null,
    });
    void service.cleanUpInterrupted();
    g[GLOBAL_KEY] = service;
  }
  return g[GLOBAL_KEY];
}
