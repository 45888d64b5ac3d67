import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Sandbox } from "@/lib/sandbox";
import { passEventSchema, type PageEvent, type PassEvent } from "@/lib/wire";
import type { PassService } from "./service";
import {
  bucketKeys,
  collect,
  pagesAndEnd,
  passKeys,
  putKeys,
  serviceFor,
  sleep,
  startTestSandbox,
  tempDir,
} from "./testing/harness";

let sandbox: Sandbox;
const services: PassService[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(async () => {
  sandbox.faults.clear();
  await Promise.all(services.splice(0).map((s) => s.close()));
});

function service(dataDir?: string): PassService {
  const s = serviceFor(sandbox, dataDir);
  services.push(s);
  return s;
}

const pageEvents = (events: PassEvent[]) => events.filter((e): e is PageEvent => e.type === "page");
const never = new AbortController().signal;

describe("a pass over the seeded demo bucket", () => {
  it("records 3 pages of 1000 keys with boundaries at obj_0999|obj_1000 and obj_1999|obj_2000", async () => {
    const passes = service();
    const id = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "", pageSize: 1000 });
    const summary = await passes.settled(id);
    expect(summary).toMatchObject({ status: "complete", bucket: "demo", pageSize: 1000, error: null, resumable: false });
    expect(summary.totals).toMatchObject({ pages: 3, failedPages: 0, keys: 3000, prefixes: 0, anomalies: 0 });

    const events = await collect(passes.events(id, never));
    for (const e of events) passEventSchema.parse(e);
    expect(events.map((e) => e.type)).toEqual(["pass", "page", "page", "page", "end"]);
    const pages = pageEvents(events).map((e) => e.page);
    expect(pages.map((p) => [p.index, p.entryCount, p.keyCount, p.firstKey, p.lastKey, p.isTruncated])).toEqual([
      [0, 1000, 1000, "obj_0000", "obj_0999", true],
      [1, 1000, 1000, "obj_1000", "obj_1999", true],
      [2, 1000, 1000, "obj_2000", "obj_2999", false],
    ]);
    expect(pages[0]?.request.continuationToken).toBeNull();
    expect(pages[1]?.request.continuationToken).toBe(pages[0]?.nextContinuationToken);
    expect(pages[2]?.nextContinuationToken).toBeNull();
    for (const p of pages) {
      expect(p).toMatchObject({ httpStatus: 200, attempts: 1, error: null, answered: true });
      expect(p.requestId).toEqual(expect.any(String));
      expect(Date.parse(p.receivedAt)).toBeGreaterThanOrEqual(Date.parse(p.requestedAt));
    }
    expect(events.at(-1)).toMatchObject({ type: "end", status: "complete", totals: { keys: 3000, pages: 3 } });
    expect(passKeys(passes, id)).toEqual(bucketKeys(sandbox, "demo"));
  });

  it("lists passes newest first, filtered by connection, bucket and prefix", async () => {
    const passes = service();
    const a = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "obj_1", pageSize: 1000 });
    const b = await passes.create({ connection: "sandbox", bucket: "photos", prefix: "", pageSize: 1000 });
    const c = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "obj_1", pageSize: 500 });
    await Promise.all([a, b, c].map((id) => passes.settled(id)));
    expect(passes.list({ limit: 100 }).map((p) => p.id)).toEqual([c, b, a]);
    expect(passes.list({ bucket: "demo", prefix: "obj_1", limit: 100 }).map((p) => p.id)).toEqual([c, a]);
    expect(passes.list({ connection: "sandbox", bucket: "photos", limit: 100 }).map((p) => p.id)).toEqual([b]);
    expect(passes.summary(c).totals.keys).toBe(1000);
  });

  it("leaves race passes (an experiment's bucketscope-race/<id>/) out when asked, and only them", async () => {
    const passes = service();
    const race = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "bucketscope-race/0123456789ab/", pageSize: 1000 });
    const lookalike = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "bucketscope-racetrack/", pageSize: 1000 });
    const plain = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "obj_2", pageSize: 1000 });
    await Promise.all([race, lookalike, plain].map((id) => passes.settled(id)));
    expect(passes.list({ limit: 100, race: "exclude" }).map((p) => p.id)).toEqual([plain, lookalike]);
    expect(passes.list({ limit: 100, race: "include" }).map((p) => p.id)).toEqual([plain, lookalike, race]);
  });

  it("serves whole-pass entries in key order with their page index, after a key and by substring", async () => {
    const passes = service();
    const id = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "", pageSize: 700 });
    await passes.settled(id);
    const first = passes.entries(id, { limit: 3 });
    expect(first.entries.map((e) => [e.key, e.page])).toEqual([
      ["obj_0000", 0],
      ["obj_0001", 0],
      ["obj_0002", 0],
    ]);
    expect(first.nextAfter).toBe("obj_0002");
    expect(passes.entries(id, { after: "obj_0699", limit: 2 }).entries.map((e) => [e.key, e.page])).toEqual([
      ["obj_0700", 1],
      ["obj_0701", 1],
    ]);
    const found = passes.entries(id, { q: "_29", limit: 1000 });
    expect(found.entries.map((e) => e.key)).toEqual(bucketKeys(sandbox, "demo", "obj_29"));
    expect(found.entries.every((e) => e.page === 4)).toBe(true);
    expect(found.nextAfter).toBeNull();
    expect(passes.entries(id, { after: "obj_2999", limit: 10 })).toEqual({ entries: [], nextAfter: null });
  });

  it("rolls keys up into common prefixes with a delimiter", async () => {
    const passes = service();
    putKeys(sandbox, "photos", ["zz-delim/a/1", "zz-delim/a/2", "zz-delim/b/1", "zz-delim/c"]);
    const id = await passes.create({ connection: "sandbox", bucket: "photos", prefix: "zz-delim/", delimiter: "/", pageSize: 1 });
    const events = await collect(passes.events(id, never));
    const pages = pageEvents(events);
    expect(pages.flatMap((p) => p.commonPrefixes)).toEqual(["zz-delim/a/", "zz-delim/b/"]);
    expect(pages.flatMap((p) => p.entries.map((e) => e.key))).toEqual(["zz-delim/c"]);
    expect(passes.summary(id).totals).toMatchObject({ prefixes: 2, keys: 1, anomalies: 0 });
  });
});

describe("hostile keys", () => {
  it("survive byte for byte: control characters, CR, tab, emoji, '+', '%' and a 1024-byte key", async () => {
    const passes = service();
    putKeys(sandbox, "unicode", ["plus+and space", "100%", "a\u0001b", "\u{1F600}-after-\uFFFD"]);
    const expected = bucketKeys(sandbox, "unicode");
    expect(expected.some((k) => k.includes("\r"))).toBe(true);
    expect(expected.some((k) => Buffer.byteLength(k) === 1024)).toBe(true);
    const id = await passes.create({ connection: "sandbox", bucket: "unicode", prefix: "", pageSize: 3 });
    const summary = await passes.settled(id);
    expect(summary.status).toBe("complete");
    expect(summary.totals.anomalies).toBe(0);
    expect(passKeys(passes, id)).toEqual(expected);
    const streamed = pageEvents(await collect(passes.events(id, never))).flatMap((p) => p.entries.map((e) => e.key));
    expect(streamed).toEqual(expected);
    for (const key of expected) {
      const hit = passes.entries(id, { q: key, limit: 10 }).entries.map((e) => e.key);
      expect(hit).toContain(key);
    }
  });

  it("takes a prefix with special characters exactly", async () => {
    const passes = service();
    putKeys(sandbox, "unicode", ["dir with space/+/x", "dir with space/+/y", "dir with space/-/z"]);
    const id = await passes.create({ connection: "sandbox", bucket: "unicode", prefix: "dir with space/+/", pageSize: 1 });
    await passes.settled(id);
    expect(passKeys(passes, id)).toEqual(["dir with space/+/x", "dir with space/+/y"]);
  });
});

describe("faults", () => {
  it("completes with exactly the bucket's keys through 500s, 503s, resets and slow pages", async () => {
    const passes = service();
    sandbox.faults.configure({ errorRate: 0.1, slowDownRate: 0.15, resetRate: 0.1, latencyMs: 5, latencyJitterMs: 60, bucket: "demo", seed: 7 });
    const id = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "", pageSize: 100 });
    const summary = await passes.settled(id);
    const stats = sandbox.faults.state.stats;
    expect(stats.InternalError + stats.SlowDown + stats.reset).toBeGreaterThan(3);
    expect(summary).toMatchObject({ status: "complete", error: null });
    expect(summary.totals).toMatchObject({ pages: 30, failedPages: 0, keys: 3000, anomalies: 0 });
    expect(summary.totals.requests).toBeGreaterThan(30);
    expect(passKeys(passes, id)).toEqual(bucketKeys(sandbox, "demo"));
    const retried = pageEvents(await collect(passes.events(id, never))).filter((p) => p.page.attempts > 1);
    expect(retried.length).toBeGreaterThan(0);
  });

  it("fails resumably when retries are exhausted, and resume completes exactly", async () => {
    const passes = service();
    sandbox.faults.configure({ latencyMs: 20, bucket: "demo" });
    const id = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "", pageSize: 250 });
    sandbox.faults.failNext(1000, "SlowDown", { bucket: "demo" });
    const failed = await passes.settled(id);
    expect(failed.status).toBe("failed");
    expect(failed.resumable).toBe(true);
    expect(failed.error).toMatchObject({ code: "throttled", httpStatus: 503, s3Code: "SlowDown", retryable: true });
    expect(failed.totals.failedPages).toBe(1);
    expect(failed.totals.pages).toBeGreaterThan(0);
    expect(failed.totals.pages).toBeLessThan(12);

    sandbox.faults.clear();
    await passes.resume(id);
    const done = await passes.settled(id);
    expect(done).toMatchObject({ status: "complete", error: null, runs: 2 });
    expect(done.totals).toMatchObject({ pages: 12, failedPages: 1, keys: 3000, anomalies: 0 });
    expect(passKeys(passes, id)).toEqual(bucketKeys(sandbox, "demo"));

    const pages = pageEvents(await collect(passes.events(id, never))).map((e) => e.page);
    expect(pages.map((p) => p.index)).toEqual([...Array(13).keys()]);
    const failedPage = pages.find((p) => p.error !== null);
    expect(failedPage).toMatchObject({ answered: false, entryCount: 0, error: { code: "throttled" } });
    expect(pages[(failedPage?.index ?? 0) + 1]?.resumedBy).toBe("token");
  });

  it("resumes strictly after the last recorded key when the token is no longer accepted", async () => {
    const passes = service();
    const keys = Array.from({ length: 60 }, (_, i) => `k/${String(i).padStart(3, "0")}`);
    sandbox.store.createBucket("recreated");
    putKeys(sandbox, "recreated", keys);
    sandbox.faults.configure({ latencyMs: 20, bucket: "recreated" });
    const id = await passes.create({ connection: "sandbox", bucket: "recreated", prefix: "", pageSize: 10 });
    sandbox.faults.failNext(1000, "InternalError", { bucket: "recreated" });
    expect((await passes.settled(id)).status).toBe("failed");

    // A re-created bucket of the same name: its old tokens are rejected, its keys are the same.
    for (const k of keys) sandbox.store.deleteObject("recreated", k);
    sandbox.store.deleteBucket("recreated");
    sandbox.store.createBucket("recreated");
    putKeys(sandbox, "recreated", keys);
    sandbox.faults.clear();

    await passes.resume(id);
    const done = await passes.settled(id);
    expect(done.status).toBe("complete");
    expect(passKeys(passes, id)).toEqual(keys);
    expect(done.totals.keys).toBe(60);
    const resumed = pageEvents(await collect(passes.events(id, never))).find((p) => p.page.resumedBy !== null);
    expect(resumed?.page).toMatchObject({ resumedBy: "start-after", request: { continuationToken: null } });
    expect(resumed?.page.attempts).toBe(2);
  });

  it("answers a resume whose bucket is gone with no_such_bucket and keeps the pass failed", async () => {
    const passes = service();
    const keys = Array.from({ length: 30 }, (_, i) => `g/${String(i).padStart(2, "0")}`);
    sandbox.store.createBucket("vanishing");
    putKeys(sandbox, "vanishing", keys);
    sandbox.faults.configure({ latencyMs: 20, bucket: "vanishing" });
    const id = await passes.create({ connection: "sandbox", bucket: "vanishing", prefix: "", pageSize: 10 });
    sandbox.faults.failNext(1000, "InternalError", { bucket: "vanishing" });
    expect((await passes.settled(id)).status).toBe("failed");
    sandbox.faults.clear();
    for (const k of keys) sandbox.store.deleteObject("vanishing", k);
    sandbox.store.deleteBucket("vanishing");

    await expect(passes.resume(id)).rejects.toMatchObject({ code: "no_such_bucket", status: 404 });
    const s = passes.summary(id);
    expect(s).toMatchObject({ status: "failed", resumable: true, error: { code: "no_such_bucket" } });
    expect(s.totals.keys).toBeGreaterThan(0);
  });

  it("answers a missing bucket with no_such_bucket and keeps no pass", async () => {
    const passes = service();
    await expect(passes.create({ connection: "sandbox", bucket: "no-such-bucket", prefix: "", pageSize: 10 })).rejects.toMatchObject({
      code: "no_such_bucket",
      status: 404,
    });
    expect(passes.list({ limit: 10 })).toEqual([]);
  });

  it("refuses to resume a complete pass with 409, and an unknown pass with 404", async () => {
    const passes = service();
    const id = await passes.create({ connection: "sandbox", bucket: "photos", prefix: "", pageSize: 1000 });
    await passes.settled(id);
    await expect(passes.resume(id)).rejects.toMatchObject({ code: "conflict", status: 409 });
    await expect(passes.resume("nope")).rejects.toMatchObject({ code: "unknown_pass", status: 404 });
    expect(() => passes.summary("nope")).toThrow(/no pass/);
  });
});

describe("viewers, cancel and restarts", () => {
  it("gives two viewers attached at different times identical event sequences, and a late one too", async () => {
    const passes = service();
    sandbox.faults.configure({ latencyMs: 40, bucket: "demo" });
    const id = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "", pageSize: 300 });
    const early = collect(passes.events(id, never));
    await sleep(150);
    const late = collect(passes.events(id, never));
    const [a, b] = await Promise.all([early, late]);
    const after = await collect(passes.events(id, never));
    expect(a[0]).toMatchObject({ type: "pass", pass: { status: "running" } });
    expect(pagesAndEnd(a)).toHaveLength(11);
    expect(pagesAndEnd(b)).toEqual(pagesAndEnd(a));
    expect(pagesAndEnd(after)).toEqual(pagesAndEnd(a));
    expect(pageEvents(a).map((e) => e.page.index)).toEqual([...Array(10).keys()]);
  });

  it("gives a viewer that asks for no entries the same page records, with none of the entries read back", async () => {
    const passes = service();
    sandbox.faults.configure({ latencyMs: 40, bucket: "demo" });
    const id = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "", pageSize: 300 });
    await sleep(150);
    const reads = vi.spyOn(passes.store, "pageEvent");
    const lean = await collect(passes.events(id, never, { entries: false }));
    expect(reads.mock.calls.length).toBeGreaterThan(0);
    expect(reads.mock.calls.every((c) => c[2] === false)).toBe(true);
    const full = await collect(passes.events(id, never));
    expect(pageEvents(lean).map((e) => e.page)).toEqual(pageEvents(full).map((e) => e.page));
    expect(pageEvents(lean).map((e) => e.page.index)).toEqual([...Array(10).keys()]);
    expect(pageEvents(lean).every((e) => e.entries.length === 0)).toBe(true);
    expect(pageEvents(full).reduce((n, e) => n + e.entries.length, 0)).toBe(3000);
    expect(lean.at(-1)).toMatchObject({ type: "end", status: "complete" });
  });

  it("keeps running when a viewer leaves", async () => {
    const passes = service();
    sandbox.faults.configure({ latencyMs: 20, bucket: "demo" });
    const id = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "", pageSize: 500 });
    const viewer = passes.events(id, never);
    await viewer.next();
    await viewer.next();
    await viewer.return();
    const s = await passes.settled(id);
    expect(s.status).toBe("complete");
    expect(s.totals.keys).toBe(3000);
  });

  it("stops a viewer whose request is aborted", async () => {
    const passes = service();
    sandbox.faults.configure({ latencyMs: 50, bucket: "demo" });
    const id = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "", pageSize: 100 });
    const controller = new AbortController();
    const seen = await collect(passes.events(id, controller.signal), (_e, n) => {
      if (n === 2) controller.abort();
    });
    expect(seen.length).toBeLessThan(5);
    expect(seen.at(-1)?.type).not.toBe("end");
    expect((await passes.settled(id)).status).toBe("complete");
  });

  it("cancels a running pass (its viewers get an end line), then deletes it", async () => {
    const passes = service();
    sandbox.faults.configure({ latencyMs: 40, bucket: "demo" });
    const id = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "", pageSize: 100 });
    const viewer = collect(passes.events(id, never));
    await sleep(100);
    expect(await passes.remove(id)).toEqual({ id, outcome: "cancelled" });
    const events = await viewer;
    const s = passes.summary(id);
    expect(s).toMatchObject({ status: "cancelled", resumable: true, error: null });
    expect(s.totals.pages).toBeLessThan(30);
    expect(events.at(-1)).toMatchObject({ type: "end", status: "cancelled" });
    expect(pageEvents(events)).toHaveLength(s.totals.pages);

    expect(await passes.remove(id)).toEqual({ id, outcome: "deleted" });
    expect(() => passes.summary(id)).toThrow(/no pass/);
    expect(passes.entries.bind(passes, id, { limit: 1 })).toThrow(/no pass/);
  });

  it("cancels only a running pass: cancelling a finished one is a conflict and keeps it", async () => {
    const passes = service();
    sandbox.faults.configure({ latencyMs: 40, bucket: "demo" });
    const id = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "", pageSize: 100 });
    await sleep(100);
    expect(await passes.cancel(id)).toMatchObject({ id, status: "cancelled", resumable: true });
    await expect(passes.cancel(id)).rejects.toMatchObject({ code: "conflict", message: /not running \(it is cancelled\)/ });
    sandbox.faults.clear();
    const done = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "obj_0", pageSize: 1000 });
    expect((await passes.settled(done)).status).toBe("complete");
    await expect(passes.cancel(done)).rejects.toMatchObject({ code: "conflict" });
    expect(passes.summary(done)).toMatchObject({ status: "complete" });
    expect(passKeys(passes, done)).toHaveLength(1000);
  });

  it("resumes a cancelled pass to exactly the bucket's keys", async () => {
    const passes = service();
    sandbox.faults.configure({ latencyMs: 30, bucket: "demo" });
    const id = await passes.create({ connection: "sandbox", bucket: "demo", prefix: "obj_1", pageSize: 90 });
    await sleep(60);
    await passes.remove(id);
    sandbox.faults.clear();
    await passes.resume(id);
    expect((await passes.settled(id)).status).toBe("complete");
    expect(passKeys(passes, id)).toEqual(bucketKeys(sandbox, "demo", "obj_1"));
  });

  it("marks passes a previous process left running as interrupted, and resume completes them", async () => {
    const dataDir = tempDir("restart");
    const first = service(dataDir);
    sandbox.faults.configure({ latencyMs: 30, bucket: "demo" });
    const running = await first.create({ connection: "sandbox", bucket: "demo", prefix: "", pageSize: 200 });
    const complete = await first.create({ connection: "sandbox", bucket: "photos", prefix: "", pageSize: 1000 });
    await first.settled(complete);
    await sleep(100);

    // A second service on the same database is a restarted process; the first one is then dropped.
    const second = service(dataDir);
    const closing = first.close();
    const s = second.summary(running);
    expect(s.status).toBe("interrupted");
    expect(s.resumable).toBe(true);
    expect(s.totals.pages).toBeGreaterThan(0);
    expect(second.summary(complete).status).toBe("complete");

    const before = await collect(second.events(running, never));
    expect(before.at(-1)).toMatchObject({ type: "end", status: "interrupted" });
    sandbox.faults.clear();
    await closing;
    await second.resume(running);
    const done = await second.settled(running);
    expect(done).toMatchObject({ status: "complete", runs: 2 });
    expect(done.totals).toMatchObject({ pages: 15, keys: 3000, failedPages: 0 });
    expect(passKeys(second, running)).toEqual(bucketKeys(sandbox, "demo"));
    expect(passKeys(second, complete)).toEqual(bucketKeys(sandbox, "photos"));
  });
});
