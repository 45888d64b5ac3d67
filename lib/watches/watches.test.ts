import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DiffService, history } from "@/lib/diff";
import { PassService, type PassServiceOptions } from "@/lib/passes";
import { bucketWith, FAST_RETRY, lockDatabase, registryFor, sleep, startTestSandbox, tempDir, until } from "@/lib/passes/testing/harness";
import type { Sandbox } from "@/lib/sandbox";
import { watchCreateSchema, type PassSummary, type WatchCreateInput } from "@/lib/wire";
import { WatchService } from "./service";

// Watches on a real sandbox and a real pass store, with real timers: passes start on schedule, never
// overlap, are pruned by retention, and the schedule carries on in a new process on the same data.

let sandbox: Sandbox;
const open: { watches: WatchService; passes: PassService }[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(async () => {
  sandbox.faults.clear();
  for (const o of open.splice(0)) {
    await o.watches.close();
    await o.passes.close();
  }
});

// Intervals of 1-2 s keep these tests short; the 10 s floor is tested on its own.
function start(dataDir = tempDir("watches"), passOpts: Partial<PassServiceOptions> = {}): { watches: WatchService; passes: PassService; dataDir: string } {
  const passes = new PassService({ dataDir, connections: registryFor(sandbox), retry: FAST_RETRY, ...passOpts });
  const watches = new WatchService({ passes, diffs: new DiffService(passes.store), connections: registryFor(sandbox), minWatchSeconds: 1 });
  watches.start();
  open.push({ watches, passes });
  return { watches, passes, dataDir };
}

const watchInput = (input: WatchCreateInput) => watchCreateSchema.parse(input);

function passesOf(watches: WatchService, passes: PassService, watchId: string): PassSummary[] {
  return watches.store
    .passesOf(watchId)
    .map((p) => passes.store.summary(p.id))
    .filter((s): s is PassSummary => s !== null)
    .reverse();
}

describe("a watch", () => {
  it("runs a pass every 2 seconds, and the history compares each with the one before", async () => {
    const { watches, passes } = start();
    const bucket = bucketWith(sandbox, "watch", 30);
    const w = await watches.create(watchInput({ connection: "sandbox", bucket, pageSize: 10, everySeconds: 2 }));
    expect(w).toMatchObject({ state: "active", everySeconds: 2, keepPasses: 100, keepDays: null, pageSize: 10, prefix: "" });

    await until("the first pass", () => passesOf(watches, passes, w.id), (ps) => ps.length >= 1 && ps[0]?.status === "complete");
    sandbox.store.putObject({ bucket, key: "k-new", body: Buffer.from("y"), meta: { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" } });
    const ps = await until("three passes", () => passesOf(watches, passes, w.id), (xs) => xs.length >= 3 && xs.every((p) => p.status === "complete"));
    const starts = ps.map((p) => Date.parse(p.createdAt));
    for (let i = 1; i < starts.length; i++) expect((starts[i] as number) - (starts[i - 1] as number)).toBeGreaterThanOrEqual(1900);
    expect(ps[0]?.createdAt).toBeDefined();

    await watches.idle(w.id);
    const timeline = await history(new DiffService(passes.store)).timeline({ connection: "sandbox", bucket, prefix: "", limit: 200 });
    const states = timeline.points.map((p) => p.changesState);
    expect(states[0]).toBe("first");
    expect(states.slice(1).every((s) => s === "ready")).toBe(true);
    expect(timeline.points[1]?.changes).toMatchObject({ added: 1, removed: 0, changed: 0, unchanged: 30 });

    const view = watches.get(w.id);
    expect(view.passCount).toBeGreaterThanOrEqual(3);
    expect(view.lastPass?.status).toMatch(/complete|running/);
    expect(Date.parse(view.nextRunAt ?? "")).toBeGreaterThan(Date.parse(view.lastPass?.createdAt ?? ""));
  });

  it("never runs two passes at once: a pass longer than the interval delays the next one", async () => {
    const { watches, passes } = start();
    const bucket = bucketWith(sandbox, "watch", 6);
    sandbox.faults.configure({ latencyMs: 400, bucket });
    const w = await watches.create(watchInput({ connection: "sandbox", bucket, pageSize: 1, everySeconds: 1 }));
    const deadline = Date.now() + 7000;
    let mostRunning = 0;
    while (Date.now() < deadline) {
      const running = passesOf(watches, passes, w.id).filter((p) => p.status === "running").length;
      mostRunning = Math.max(mostRunning, running);
      await sleep(40);
    }
    expect(mostRunning).toBe(1);
    const ps = passesOf(watches, passes, w.id);
    expect(ps.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < ps.length; i++) {
      const previousEnd = Date.parse(ps[i - 1]?.endedAt ?? "");
      expect(Date.parse(ps[i]?.createdAt ?? "")).toBeGreaterThanOrEqual(previousEnd);
    }
  });

  it("keeps only its last K passes, deleting the older ones with their entries", async () => {
    const { watches, passes } = start();
    const bucket = bucketWith(sandbox, "watch", 5);
    const manual = await passes.create({ connection: "sandbox", bucket, prefix: "", pageSize: 1000 });
    const w = await watches.create(watchInput({ connection: "sandbox", bucket, pageSize: 1000, everySeconds: 1, keepPasses: 2 }));
    const seen = new Set<string>();
    await until(
      "five passes started",
      () => {
        for (const p of watches.store.passesOf(w.id)) seen.add(p.id);
        return seen.size;
      },
      (n) => n >= 5,
    );
    await watches.idle(w.id);
    const kept = watches.store.passesOf(w.id).map((p) => p.id);
    expect(kept.length).toBeLessThanOrEqual(2);
    const pruned = [...seen].filter((id) => !kept.includes(id));
    expect(pruned.length).toBeGreaterThanOrEqual(3);
    for (const id of pruned) expect(passes.store.summary(id)).toBeNull();
    const entriesLeft = passes.store.db.prepare<[], number>("SELECT count(DISTINCT pass) FROM entries").pluck().get();
    expect(entriesLeft).toBeLessThanOrEqual(kept.length + 2);
    // A pass started by hand is never pruned by a watch.
    expect(passes.store.summary(manual)?.status).toBe("complete");
  });

  it("keeps the passes of the last T days", async () => {
    const { watches, passes } = start();
    const bucket = bucketWith(sandbox, "watch", 5);
    const w = await watches.create(watchInput({ connection: "sandbox", bucket, pageSize: 1000, everySeconds: 3600, keepDays: 1 }));
    const [first] = await until("the first pass", () => passesOf(watches, passes, w.id), (ps) => ps[0]?.status === "complete");
    await watches.idle(w.id);
    expect(watches.get(w.id)).toMatchObject({ keepPasses: null, keepDays: 1 });
    // The first pass is two days old by the time the next one ends.
    passes.store.db.prepare("UPDATE passes SET created_at = created_at - ? WHERE id = ?").run(2 * 24 * 3600 * 1000, first?.id ?? "");
    watches.update(w.id, { everySeconds: 1 });
    const kept = await until("the first pass pruned", () => watches.store.passesOf(w.id).map((p) => p.id), (ids) => ids.length >= 1 && !ids.includes(first?.id ?? ""));
    expect(passes.store.summary(first?.id ?? "")).toBeNull();
    expect(passes.store.summary(kept[0] ?? "")).not.toBeNull();
  });

  it("keeps its newest passes while their history fits in N MB, and says how much disk it takes", async () => {
    const { watches, passes } = start();
    const bucket = bucketWith(sandbox, "watch-size", 300);
    const w = await watches.create(watchInput({ connection: "sandbox", bucket, pageSize: 100, everySeconds: 1, keepMegabytes: 1000 }));
    expect(w).toMatchObject({ keepPasses: null, keepDays: null, keepMegabytes: 1000 });
    const sizes: number[] = [];
    await until(
      "three complete passes",
      () => {
        const done = passesOf(watches, passes, w.id).filter((p) => p.status === "complete");
        if (done.length > sizes.length) sizes.push(watches.get(w.id).historyBytes);
        return done.length;
      },
      (n) => n >= 3,
    );
    watches.update(w.id, { state: "paused" });
    await watches.idle(w.id);
    const kept = watches.store.passesOf(w.id).filter((p) => p.status === "complete");
    const total = watches.get(w.id).historyBytes;
    // Passes of an unchanged bucket share its entries: a later pass costs its page records only.
    expect(sizes[0]).toBeGreaterThan(300 * 20);
    expect(total).toBeLessThan((sizes[0] as number) * 2);
    expect(total).toBe(passes.store.seriesBytes({ connection: "sandbox", bucket, prefix: "", delimiter: null, kind: "list", startAfter: null }).bytes);

    // Just under what it holds: the oldest pass goes, the rest stay.
    watches.update(w.id, { keepMegabytes: (total - 1) / 1024 / 1024 });
    const after = await until("the oldest pass pruned", () => watches.store.passesOf(w.id).map((p) => p.id), (ids) => ids.length < kept.length);
    expect(after).toEqual(kept.slice(0, after.length).map((p) => p.id));
    expect(watches.get(w.id).historyBytes).toBeLessThanOrEqual(total - 1);
    // Less than one pass takes: the newest pass stays, readable.
    watches.update(w.id, { keepMegabytes: 0.000001 });
    const newest = kept[0]?.id as string;
    await until("one pass left", () => watches.store.passesOf(w.id).map((p) => p.id), (ids) => ids.length === 1 && ids[0] === newest);
    expect(passes.entries(newest, { limit: 1000 }).entries).toHaveLength(300);
    expect(watches.update(w.id, { keepMegabytes: null, keepPasses: 3 })).toMatchObject({ keepMegabytes: null, keepPasses: 3 });
  });

  it("pauses, resumes, and when deleted cancels its running pass and keeps its recorded ones", async () => {
    const { watches, passes } = start();
    const bucket = bucketWith(sandbox, "watch", 4);
    const w = await watches.create(watchInput({ connection: "sandbox", bucket, pageSize: 1000, everySeconds: 1, paused: true }));
    expect(w).toMatchObject({ state: "paused", nextRunAt: null });
    await sleep(1500);
    expect(watches.store.passesOf(w.id)).toHaveLength(0);

    expect(watches.update(w.id, { state: "active" }).state).toBe("active");
    await until("a pass after resuming", () => passesOf(watches, passes, w.id), (ps) => ps[0]?.status === "complete");
    watches.update(w.id, { state: "paused" });
    await watches.idle(w.id);
    const count = watches.store.passesOf(w.id).length;
    await sleep(1500);
    expect(watches.store.passesOf(w.id)).toHaveLength(count);

    sandbox.faults.configure({ latencyMs: 300, bucket });
    watches.update(w.id, { state: "active", pageSize: 1 });
    const running = await until("a running pass", () => watches.get(w.id).runningPassId, (id) => id !== null);
    const deleted = await watches.remove(w.id);
    expect(deleted).toEqual({ id: w.id, deleted: true, cancelledPassId: running });
    expect(passes.summary(running ?? "").status).toBe("cancelled");
    expect(() => watches.get(w.id)).toThrow(/no watch/);
  });

  it("records why a pass could not start, and keeps its schedule", async () => {
    const { watches } = start();
    const w = await watches.create(watchInput({ connection: "sandbox", bucket: "no-such-bucket-here", everySeconds: 1 }));
    const failed = await until("an error", () => watches.get(w.id).lastError, (e) => e !== null);
    expect(failed).toMatchObject({ code: "no_such_bucket" });
    expect(watches.get(w.id)).toMatchObject({ state: "active", passCount: 0 });
    await expect(watches.create(watchInput({ connection: "nowhere", bucket: "demo", everySeconds: 5 }))).rejects.toMatchObject({
      code: "unknown_connection",
    });
  });

  it("carries on in a new process on the same data: the schedule is in the database", async () => {
    const first = start();
    const bucket = bucketWith(sandbox, "watch", 5);
    const w = await first.watches.create(watchInput({ connection: "sandbox", bucket, pageSize: 1000, everySeconds: 1 }));
    await until("a pass", () => first.watches.store.passesOf(w.id).length, (n) => n >= 1);
    const o = open.pop();
    await o?.watches.close();
    await o?.passes.close();

    const second = start(first.dataDir);
    const before = second.watches.store.passesOf(w.id).length;
    expect(second.watches.get(w.id)).toMatchObject({ state: "active", everySeconds: 1 });
    await until("more passes after the restart", () => second.watches.store.passesOf(w.id).length, (n) => n >= before + 2);
  });
});

describe("watch limits and failures", () => {
  it("refuses an interval under 10 s and a watch beyond the 100th, in the one error shape", async () => {
    const passes = new PassService({ dataDir: tempDir("watch-limits"), connections: registryFor(sandbox), retry: FAST_RETRY });
    const watches = new WatchService({ passes, diffs: new DiffService(passes.store), connections: registryFor(sandbox) });
    watches.start();
    open.push({ watches, passes });

    await expect(watches.create(watchInput({ connection: "sandbox", bucket: "demo", everySeconds: 9, paused: true }))).rejects.toMatchObject({
      code: "bad_request",
      status: 400,
      message: expect.stringMatching(/^A watch runs at most every 10 s \(BUCKETSCOPE_MIN_WATCH_SECONDS\)/) as unknown,
    });
    const w = await watches.create(watchInput({ connection: "sandbox", bucket: "demo", everySeconds: 10, paused: true }));
    expect(() => watches.update(w.id, { everySeconds: 9 })).toThrow(/at most every 10 s/);
    expect(watches.get(w.id).everySeconds).toBe(10);

    for (let i = 1; i < 100; i++) await watches.create(watchInput({ connection: "sandbox", bucket: "demo", prefix: `p${i}/`, everySeconds: 60, paused: true }));
    await expect(watches.create(watchInput({ connection: "sandbox", bucket: "demo", everySeconds: 60, paused: true }))).rejects.toMatchObject({
      code: "too_many_watches",
      status: 409,
      message: expect.stringMatching(/^There are 100 watches, the most this server keeps \(BUCKETSCOPE_MAX_WATCHES\)/) as unknown,
    });
    expect(watches.list()).toHaveLength(100);
  });

  it("waits while the server runs its most passes, says so once instead of retrying every interval, and starts when a pass ends", async () => {
    const { watches, passes } = start(tempDir("watch-full"), { maxRunningPasses: 1 });
    const slow = bucketWith(sandbox, "watch", 8);
    sandbox.faults.configure({ latencyMs: 250, bucket: slow });
    const manual = await passes.create({ connection: "sandbox", bucket: slow, prefix: "", pageSize: 1 });
    const bucket = bucketWith(sandbox, "watch", 3);
    const w = await watches.create(watchInput({ connection: "sandbox", bucket, pageSize: 1000, everySeconds: 1 }));

    const waiting = await until("the watch waiting", () => watches.get(w.id).lastError, (e) => e !== null);
    expect(waiting).toMatchObject({ code: "too_many_passes" });
    expect(waiting?.message).toMatch(/^Waiting: 1 pass is running, the most this server runs at once \(BUCKETSCOPE_MAX_RUNNING_PASSES\); this watch starts its pass as soon as one ends\.$/);
    // Two of its intervals later it has not tried again: the same error, no pass.
    await sleep(2100);
    if (passes.summary(manual).status === "running") {
      expect(watches.get(w.id).lastError?.at).toBe(waiting?.at);
      expect(watches.store.passesOf(w.id)).toHaveLength(0);
    }

    await passes.settled(manual);
    const ps = await until("the watch's pass", () => passesOf(watches, passes, w.id), (xs) => xs[0]?.status === "complete");
    expect(ps[0]?.totals.keys).toBe(3);
    expect(watches.get(w.id).lastError).toBeNull();
  });

  it("re-arms its schedule after the database refused it, and runs again once the database is writable", async () => {
    const dataDir = tempDir("watch-locked");
    const { watches } = start(dataDir, { busyTimeoutMs: 50 });
    const bucket = bucketWith(sandbox, "watch", 3);
    const w = await watches.create(watchInput({ connection: "sandbox", bucket, pageSize: 1000, everySeconds: 1 }));
    await until("a pass", () => watches.store.passesOf(w.id).length, (n) => n >= 1);

    const lock = lockDatabase(dataDir);
    // Long enough for the schedule to look at least twice while every write is refused.
    await sleep(2500);
    lock.release();

    const before = watches.store.passesOf(w.id).length;
    await until("passes after the lock", () => watches.store.passesOf(w.id).length, (n) => n >= before + 2, 30_000);
  }, 45_000);
});
