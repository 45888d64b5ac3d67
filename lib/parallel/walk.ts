import "server-only";
import type { S3Client } from "@aws-sdk/client-s3";
import { compareKeys } from "@/lib/wire";
import { listPages, type ListedPage, type ListOptions, type ListParams, type RetryPolicy } from "@/lib/lister";
import type { FallbackReason, PageRecord, ParallelInfo, ParallelNoteKind } from "@/lib/wire";
import { newRange, RangePlan, type RangeRecord } from "./plan";

// A parallel pass: one cursor per key range, as many at once as the concurrency allows, and the
// plan splitting the largest remaining range whenever a cursor is free. Pages come out one at a
// time in the order they are to be recorded, each with the ranges changed since the previous one,
// so the pass's record of its ranges always matches its pages (a resume continues every range from
// exactly where its last recorded page ended).
//
// Before the first split the server must show that it honours StartAfter (a probe after a key of
// the first page must not answer that key or an earlier one). Afterwards every range's pages are
// checked: an item at or before the range's start, or out of byte order, means key ranges cannot be
// trusted on this server, and the pass falls back to range 0 alone (the pages of the others are
// withdrawn, range 0 lists on to the end), saying why.

/** A cursor's pages are numbered from here inside listPages, so its anomalies can be renumbered. */
const LOCAL_INDEX_BASE = 1_000_000_000;
/** After halving the cursors, wait this long before halving again or adding one back. */
const BACKOFF_INTERVAL_MS = 1000;
const MAX_NOTES = 50;
const PROBE_ATTEMPTS = 3;

/** What a parallel pass keeps besides its ranges, to show and to resume. */
export interface ParallelState {
  info: ParallelInfo;
  /** The server answered a StartAfter probe correctly: splitting may begin. */
  validated: boolean;
  /** Ranges whose recorded pages are still to be withdrawn (a fallback not yet recorded with a page of range 0). */
  withdraw: number[];
}

/** One thing to record: a page (or nothing) with the ranges and state as they now stand. */
export interface ParallelStep {
  page: ListedPage | null;
  ranges: RangeRecord[];
  state: ParallelState;
  /** Ranges whose pages are withdrawn in the same transaction as this page. */
  withdraw: number[];
}

export interface ParallelOptions {
  signal: AbortSignal;
  retry?: Partial<RetryPolicy>;
  /** Cursors asked for, and the connection's cap. */
  requested: number;
  maxConcurrency: number;
  /** Index of the next page record of the pass. */
  firstIndex: number;
  /** A resumed pass: its ranges and state as recorded. */
  resume?: { ranges: RangeRecord[]; state: ParallelState };
  /**
   * false: a cursor requests its next page only once its page has been consumed (the race lab: a
   * mutation made after a page is acknowledged before that cursor's next request). Default true.
   */
  prefetch?: boolean;
  /**
   * Split points known in advance (ascending, each after the pass's start-after), like the hints
   * file of s3-fast-list: the key space starts cut into ranges at them. They wait, as any split does,
   * until the server has shown it honours StartAfter; the splitter goes on splitting from there.
   * Ignored on resume (the recorded ranges stand).
   */
  splitPoints?: readonly string[];
}

/** The first ranges of a pass: range 0 alone, or the key space cut at the given points. */
function firstRanges(startAfter: string | null, points: readonly string[]): RangeRecord[] {
  const cuts = points.filter((p, i) => (startAfter === null || compareKeys(p, startAfter) > 0) && (i === 0 || compareKeys(p, points[i - 1] as string) > 0));
  return [null, ...cuts].map((after, i) => newRange(i, after ?? startAfter, cuts[i] ?? null, i === 0 ? null : 0, "pending"));
}

export function newParallelState(requested: number, maxConcurrency: number, now = Date.now()): ParallelState {
  const limit = Math.max(1, Math.min(requested, maxConcurrency));
  const info: ParallelInfo = {
    requested,
    cap: maxConcurrency < requested ? maxConcurrency : null,
    current: limit,
    lowest: limit,
    throttled: 0,
    ranges: { total: 1, pending: 0, listing: 1, done: 0, withdrawn: 0 },
    fallback: null,
    notes: [],
  };
  const state: ParallelState = { info, validated: false, withdraw: [] };
  if (info.cap !== null) addNote(state, "capped", `This connection allows at most ${maxConcurrency} cursors (maxConcurrency); the pass lists with ${limit}, not ${requested}.`, now);
  return state;
}

function addNote(state: ParallelState, kind: ParallelNoteKind, message: string, now = Date.now()): void {
  state.info.notes.push({ at: new Date(now).toISOString(), kind, message });
  if (state.info.notes.length > MAX_NOTES) state.info.notes.splice(0, state.info.notes.length - MAX_NOTES);
}

/** The page with its items past `through` left out (a split moved the range's end after the response came). */
function cutAt(page: ListedPage, through: string): ListedPage {
  const entries = page.entries.filter((e) => compareKeys(e.key, through) <= 0);
  const commonPrefixes = page.commonPrefixes.filter((p) => compareKeys(p, through) <= 0);
  const dropped = page.entries.length - entries.length + page.commonPrefixes.length - commonPrefixes.length;
  if (dropped === 0) return page;
  let bytes = 0;
  for (const e of entries) bytes += e.size;
  const record: PageRecord = {
    ...page.record,
    entryCount: entries.length,
    commonPrefixCount: commonPrefixes.length,
    firstKey: entries[0]?.key ?? null,
    lastKey: entries[entries.length - 1]?.key ?? null,
    bytes,
  };
  return { record, entries, commonPrefixes, beyond: (page.beyond ?? 0) + dropped };
}

function firstItem(page: ListedPage): string | null {
  const k = page.entries[0]?.key ?? null;
  const p = page.commonPrefixes[0] ?? null;
  return k === null ? p : p === null ? k : compareKeys(k, p) <= 0 ? k : p;
}

interface Cursor {
  range: RangeRecord;
  controller: AbortController;
  /** Internal page number (from LOCAL_INDEX_BASE) → the pass's page index. */
  indexes: number[];
  parked: (() => void) | null;
}

interface Queued {
  step: ParallelStep;
  range: number | null;
  consumed: () => void;
}

class ParallelWalk {
  readonly plan: RangePlan;
  readonly state: ParallelState;
  private readonly cursors = new Map<number, Cursor>();
  private readonly parked: Cursor[] = [];
  private readonly queue: Queued[] = [];
  private readonly dirty = new Set<number>();
  private readonly controller = new AbortController();
  private readonly target: number;
  private limit: number;
  private nextIndex: number;
  private wakeUp: (() => void) | null = null;
  private failed = false;
  private probing = false;
  private probeAttempts = 0;
  private okPages = 0;
  private lastChange = 0;

  constructor(
    private readonly client: S3Client,
    private readonly params: ListParams,
    private readonly opts: ParallelOptions,
  ) {
    const resume = opts.resume;
    this.state = resume?.state ?? newParallelState(opts.requested, opts.maxConcurrency);
    this.target = Math.max(1, Math.min(opts.requested, opts.maxConcurrency));
    // A resumed pass starts again at the concurrency asked for; S3 will say if that is too much.
    this.limit = this.target;
    this.state.info.current = this.limit;
    const ranges = resume?.ranges ?? firstRanges(params.startAfter, opts.splitPoints ?? []);
    // Nobody lists anything yet: a range that was being listed waits for a cursor like any other.
    for (const r of ranges) if (r.state === "listing") r.state = "pending";
    this.plan = new RangePlan({ prefix: params.prefix, delimiter: params.delimiter, pageSize: params.pageSize }, ranges);
    this.nextIndex = opts.firstIndex;
    if (opts.signal.aborted) this.controller.abort();
    else opts.signal.addEventListener("abort", () => this.controller.abort(), { once: true });
  }

  private get parallelAllowed(): boolean {
    return this.state.validated && this.state.info.fallback === null && !this.failed;
  }

  private running(): number {
    return this.cursors.size - this.parked.length;
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private snapshotRanges(): RangeRecord[] {
    const out: RangeRecord[] = [];
    for (const id of this.dirty) {
      const r = this.plan.get(id);
      if (r !== undefined) out.push({ ...r });
    }
    this.dirty.clear();
    return out;
  }

  private refreshInfo(): void {
    const counts = { total: 0, pending: 0, listing: 0, done: 0, withdrawn: 0 };
    for (const r of this.plan.ranges) {
      counts.total++;
      counts[r.state]++;
    }
    this.state.info.ranges = counts;
    this.state.info.current = this.limit;
  }

  private enqueue(page: ListedPage | null, range: number | null, withdraw: number[] = []): Promise<void> {
    this.refreshInfo();
    const step: ParallelStep = { page, ranges: this.snapshotRanges(), state: structuredClone(this.state), withdraw };
    return new Promise<void>((consumed) => {
      this.queue.push({ step, range, consumed });
      this.wake();
    });
  }

  async *steps(): AsyncGenerator<ParallelStep, void, undefined> {
    this.fill();
    try {
      for (;;) {
        const next = this.queue.shift();
        if (next !== undefined) {
          yield next.step;
          next.consumed();
          this.fill();
          continue;
        }
        if (this.cursors.size === 0 && !this.probing) {
          // Splits and state changes since the last page are recorded too.
          if (this.dirty.size > 0 && !this.controller.signal.aborted) {
            this.refreshInfo();
            yield { page: null, ranges: this.snapshotRanges(), state: structuredClone(this.state), withdraw: [] };
          }
          return;
        }
        await new Promise<void>((resolve) => (this.wakeUp = resolve));
      }
    } finally {
      this.controller.abort();
      for (const q of this.queue.splice(0)) q.consumed();
      for (const c of this.parked.splice(0)) c.parked?.();
    }
  }

  /** Starts cursors for waiting ranges and splits the largest range while cursors are free. */
  private fill(): void {
    if (this.controller.signal.aborted || this.failed) return;
    for (let guard = 0; guard < 10_000; guard++) {
      if (this.running() >= this.limit) return;
      const parked = this.parked.shift();
      if (parked !== undefined) {
        const go = parked.parked;
        parked.parked = null;
        go?.();
        continue;
      }
      const pending = this.plan.nextPending();
      // Before the server has shown it honours StartAfter only range 0 may run.
      if (pending !== undefined && (this.parallelAllowed || (pending.id === 0 && this.cursors.size === 0))) {
        this.start(pending);
        continue;
      }
      if (!this.parallelAllowed) return;
      const split = this.plan.chooseSplit(this.limit - this.running(), this.running());
      if (split === null) return;
      for (const r of [split.range, ...this.plan.split(split.range, split.points)]) this.dirty.add(r.id);
    }
  }

  private start(range: RangeRecord): void {
    const resumed = this.opts.resume !== undefined;
    range.state = "listing";
    this.dirty.add(range.id);
    const cursor: Cursor = { range, controller: new AbortController(), indexes: [], parked: null };
    this.cursors.set(range.id, cursor);
    const start: Partial<ListOptions> =
      range.token !== null
        ? { startToken: range.token, fallbackStartAfter: range.position ?? range.after ?? "", resumedBy: "token" }
        : range.position !== null
          ? { startAfter: range.position, resumedBy: "start-after" }
          : { startAfter: range.after ?? undefined, resumedBy: resumed && range.id === 0 ? "restart" : null };
    // A range's first item must come after its start: a key at or before it is an anomaly here.
    const checkStart = range.id !== 0 || range.position !== null;
    const previous = {
      key: range.lastKey ?? (checkStart ? range.after : null),
      keyPage: range.lastKeyPage,
      prefix: range.lastPrefix ?? (checkStart ? range.after : null),
      prefixPage: range.lastPrefixPage,
    };
    const signal = AbortSignal.any([this.controller.signal, cursor.controller.signal]);
    void this.run(cursor, { ...start, signal, previous, firstIndex: LOCAL_INDEX_BASE, retry: this.opts.retry, prefetch: this.opts.prefetch }).finally(() => {
      this.cursors.delete(range.id);
      const i = this.parked.indexOf(cursor);
      if (i >= 0) this.parked.splice(i, 1);
      this.fill();
      this.wake();
    });
  }

  private async run(cursor: Cursor, opts: ListOptions): Promise<void> {
    const range = cursor.range;
    const pages = listPages(this.client, this.params, {
      ...opts,
      through: () => range.through,
      onThrottled: () => this.throttled(),
      nextMaxKeys: (item) => this.plan.nextPageSize(range, item),
    });
    for await (const page of pages) {
      const consumed = this.deliver(cursor, page);
      if (consumed === null) return;
      await consumed;
      if (range.state !== "listing" || this.failed || cursor.controller.signal.aborted) return;
      if (this.running() > this.limit) {
        // Fewer cursors allowed now: this one waits (its next page, already asked for, waits with it).
        await new Promise<void>((resolve) => {
          cursor.parked = resolve;
          this.parked.push(cursor);
          const signal = AbortSignal.any([this.controller.signal, cursor.controller.signal]);
          if (signal.aborted) resolve();
          else signal.addEventListener("abort", () => resolve(), { once: true });
        });
        if (this.controller.signal.aborted || cursor.controller.signal.aborted) return;
      }
    }
  }

  /** Takes a page of a range into the plan and the queue; null when the cursor must stop. */
  private deliver(cursor: Cursor, arrived: ListedPage): Promise<void> | null {
    if (this.controller.signal.aborted || cursor.controller.signal.aborted) return null;
    const range = cursor.range;
    const page = range.through !== null && arrived.record.error === null ? cutAt(arrived, range.through) : arrived;
    const record = page.record;

    if (record.anomalyCount > 0 && this.state.info.fallback === null) {
      const first = firstItem(page);
      const beforeStart = range.pages === 0 && range.after !== null && first !== null && compareKeys(first, range.after) <= 0;
      // A server without StartAfter lists from the beginning again; one that misorders keys answers
      // with something between.
      const origin = this.plan.get(0)?.first ?? null;
      const restarted = beforeStart && origin !== null && compareKeys(first, origin) <= 0;
      const reason: FallbackReason = restarted ? "ignores-start-after" : "out-of-order";
      const anomaly = record.anomalies[0];
      const message = restarted
        ? `Range ${range.id} asked for keys after ${JSON.stringify(range.after)} and got ${JSON.stringify(first)}, the first key of the listing: this server ignores StartAfter, so key ranges cannot be listed apart. The pass goes on with one cursor.`
        : beforeStart
          ? `Range ${range.id} asked for keys after ${JSON.stringify(range.after)} and got ${JSON.stringify(first)}, which comes before it in UTF-8 byte order: this server does not list in byte order, so key ranges cannot be trusted. The pass goes on with one cursor.`
          : `Range ${range.id} got ${JSON.stringify(anomaly?.key ?? "")} after ${JSON.stringify(anomaly?.previousKey ?? "")}, out of UTF-8 byte order: key ranges cannot be trusted on this server. The pass goes on with one cursor.`;
      this.fallback(reason, message);
      // Range 0's pages are what one cursor would have listed: its page stays, anomalies and all.
      if (range.id !== 0) return null;
    }

    let withdraw: number[] = [];
    if (range.id === 0 && this.state.withdraw.length > 0) {
      withdraw = this.state.withdraw;
      this.state.withdraw = [];
    }
    const index = this.nextIndex++;
    cursor.indexes.push(index);
    const global = (i: number) => (i >= LOCAL_INDEX_BASE ? (cursor.indexes[i - LOCAL_INDEX_BASE] ?? -1) : i);
    const beyond = page.beyond ?? 0;
    const out: ListedPage = {
      ...page,
      record: {
        ...record,
        index,
        anomalies: record.anomalies.map((a) => ({ ...a, previousPage: global(a.previousPage) })),
        cursor: { range: range.id, after: range.after, through: range.through, page: range.pages, beyond, ...(withdraw.length > 0 ? { withdrew: withdraw } : {}) },
      },
    };
    if (record.error === null) {
      const last = !record.isTruncated || beyond > 0;
      this.plan.progress(range, { index, keys: page.entries.map((e) => e.key), prefixes: page.commonPrefixes, last, token: record.nextContinuationToken });
      this.okPages++;
      this.maybeGrow();
    }
    this.dirty.add(range.id);
    const consumed = this.enqueue(out, range.id, withdraw);
    if (record.error !== null) {
      this.failed = true;
      for (const c of this.cursors.values()) if (c !== cursor) c.controller.abort();
      return consumed;
    }
    if (!this.state.validated && range.id === 0 && range.state === "listing") void this.probe(page);
    return consumed;
  }

  /**
   * Asks for the keys after an item of range 0's page: a server that honours StartAfter answers with
   * items after it. Splitting starts only then.
   */
  private async probe(page: ListedPage): Promise<void> {
    if (this.probing || this.probeAttempts >= PROBE_ATTEMPTS) return;
    const items = [...page.entries.map((e) => e.key), ...page.commonPrefixes].sort(compareKeys);
    const at = items[Math.floor((items.length - 1) / 2)];
    if (at === undefined) return;
    this.probing = true;
    this.probeAttempts++;
    try {
      const probe = listPages(this.client, { ...this.params, pageSize: 2 }, {
        signal: this.controller.signal,
        startAfter: at,
        retry: this.opts.retry,
        prefetch: false,
        onThrottled: () => this.throttled(),
      });
      const first = await probe.next();
      await probe.return(undefined);
      if (first.done === true || this.controller.signal.aborted) return;
      if (first.value.record.error !== null) {
        if (this.probeAttempts >= PROBE_ATTEMPTS) {
          addNote(this.state, "fallback", `Could not check that this server honours StartAfter (${first.value.record.error.message}); the pass lists with one cursor.`);
          this.dirty.add(0);
        }
        return;
      }
      const answer = firstItem(first.value);
      if (answer !== null && compareKeys(answer, at) <= 0) {
        this.fallback(
          "ignores-start-after",
          `Asked for the keys after ${JSON.stringify(at)}, the server answered ${JSON.stringify(answer)}: it ignores StartAfter, so key ranges cannot be listed apart. The pass lists with one cursor.`,
        );
        return;
      }
      this.state.validated = true;
      this.dirty.add(0);
    } finally {
      this.probing = false;
      this.fill();
      this.wake();
    }
  }

  /** Range 0 alone from now on: the other ranges stop and their pages are withdrawn. */
  private fallback(reason: FallbackReason, message: string): void {
    if (this.state.info.fallback !== null) return;
    const now = Date.now();
    this.state.info.fallback = { reason, message, at: new Date(now).toISOString() };
    addNote(this.state, "fallback", message, now);
    const withdraw: number[] = [];
    for (const r of this.plan.ranges) {
      if (r.id === 0 || r.state === "withdrawn") continue;
      withdraw.push(r.id);
      r.state = "withdrawn";
      this.dirty.add(r.id);
      this.cursors.get(r.id)?.controller.abort();
    }
    // Their pages not recorded yet are dropped; those recorded go with range 0's next page.
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const q = this.queue[i] as Queued;
      if (q.range !== null && q.range !== 0) {
        this.queue.splice(i, 1);
        q.consumed();
      }
    }
    this.state.withdraw = [...this.state.withdraw, ...withdraw];
    const zero = this.plan.get(0);
    if (zero === undefined) return;
    const oldEnd = zero.through;
    zero.through = null;
    this.dirty.add(0);
    if (zero.state === "done" && oldEnd !== null) {
      // Range 0 had reached its end: it goes on from there (everything up to it is listed).
      zero.state = "pending";
      zero.token = null;
      zero.position = oldEnd;
    }
    this.fill();
  }

  /** A 503 SlowDown (or kin): halve the cursors, at most once per interval. */
  private throttled(): void {
    this.state.info.throttled++;
    const now = Date.now();
    if (now - this.lastChange < BACKOFF_INTERVAL_MS) return;
    const before = this.limit;
    this.limit = Math.max(1, Math.floor(this.limit / 2));
    this.lastChange = now;
    this.okPages = 0;
    if (this.limit === before) return;
    this.state.info.lowest = Math.min(this.state.info.lowest, this.limit);
    this.state.info.current = this.limit;
    addNote(this.state, "backoff", `S3 asked to slow down (503 SlowDown): ${before} → ${this.limit} cursors.`, now);
    this.dirty.add(0);
  }

  /** One more cursor after a round of pages without throttling, up to the concurrency asked for. */
  private maybeGrow(): void {
    const now = Date.now();
    if (this.limit >= this.target || this.okPages < this.limit || now - this.lastChange < BACKOFF_INTERVAL_MS) return;
    this.limit++;
    this.okPages = 0;
    this.lastChange = now;
    this.state.info.current = this.limit;
    if (this.limit === this.target) addNote(this.state, "recovered", `No more 503 SlowDown: back to ${this.limit} cursors.`, now);
  }
}

/**
 * Lists (connection, bucket, prefix, delimiter) with up to `requested` cursors over key ranges. The
 * steps come in the order to record them; their page indexes count on from `firstIndex`.
 */
export function listParallel(client: S3Client, params: ListParams, opts: ParallelOptions): AsyncGenerator<ParallelStep, void, undefined> {
  return new ParallelWalk(client, params, opts).steps();
}
