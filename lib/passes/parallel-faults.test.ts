import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConnectionRegistry } from "@/lib/connections";
import { AppError } from "@/lib/http";
import { compareKeys } from "@/lib/wire";
import { startFakeS3, type FakeS3, type ListRequest } from "@/lib/lister/testing/fake-s3";
import type { Sandbox } from "@/lib/sandbox";
import type { PageEvent, PassSummary } from "@/lib/wire";
import { PassService } from "./service";
import { bucketKeys, collect, FAST_RETRY, passKeys, putKeys, serviceFor, startTestSandbox, tempDir } from "./testing/harness";

// What a parallel pass does when the server pushes back or cannot be split: 503 SlowDown halves the
// cursors, a connection's maxConcurrency caps them, a server that ignores StartAfter or lists out of
// byte order makes the pass fall back to one cursor, and cancel/resume continues every range.

let sandbox: Sandbox;
let service: PassService;
let fake: FakeS3 | null = null;
const keys = Array.from({ length: 1500 }, (_, i) => `k/${String(i).padStart(5, "0")}`);

beforeAll(async () => {
  sandbox = await startTestSandbox();
  sandbox.store.createBucket("many");
  putKeys(sandbox, "many", keys);
  service = serviceFor(sandbox);
});
afterEach(async () => {
  sandbox.faults.clear();
  await fake?.close();
  fake = null;
});
afterAll(async () => {
  await service.close();
  await sandbox.close();
});

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function pages(svc: PassService, id: string): Promise<PageEvent[]> {
  return (await collect(svc.events(id, new AbortController().signal))).filter((e): e is PageEvent => e.type === "page");
}

function expectComplete(pass: PassSummary): void {
  expect(pass.status).toBe("complete");
  expect(pass.error).toBeNull();
}

describe("back-off and caps", () => {
  it("halves the cursors on 503 SlowDown, says so, and still lists every key once", async () => {
    sandbox.faults.configure({ latencyMs: 10 });
    const id = await service.create({ connection: "sandbox", bucket: "many", prefix: "", pageSize: 20, concurrency: 8 });
    await until("several ranges", () => (service.summary(id).parallel?.ranges.total ?? 0) >= 3);
    sandbox.faults.failNext(2, "SlowDown", { bucket: "many" });
    const pass = await service.settled(id);
    expectComplete(pass);
    expect(pass.parallel?.throttled).toBeGreaterThanOrEqual(1);
    expect(pass.parallel?.lowest).toBeLessThanOrEqual(4);
    expect(pass.parallel?.notes.some((n) => n.kind === "backoff" && /503 SlowDown\): 8 → 4 cursors/.test(n.message))).toBe(true);
    expect(passKeys(service, id)).toEqual(keys);
  });

  it("lists with no more cursors than the connection's maxConcurrency and says why", async () => {
    const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
    const registry = new ConnectionRegistry({
      sandbox: null,
      extra: [{ name: "capped", endpoint, accessKeyId, secretAccessKey, region, writable: false, maxConcurrency: 2 }],
      probeAws: false,
      env: {},
    });
    const capped = new PassService({ dataDir: tempDir("capped"), connections: registry, retry: FAST_RETRY });
    try {
      sandbox.faults.configure({ latencyMs: 5 });
      const id = await capped.create({ connection: "capped", bucket: "many", prefix: "", pageSize: 50, concurrency: 16 });
      const pass = await capped.settled(id);
      expectComplete(pass);
      expect(pass.concurrency).toBe(16);
      expect(pass.parallel).toMatchObject({ requested: 16, cap: 2, current: 2 });
      expect(pass.parallel?.notes[0]?.message).toMatch(/at most 2 cursors \(maxConcurrency\)/);
      expect(passKeys(capped, id)).toEqual(keys);
      // Never more than two ranges' requests at once: at most two ranges have a page in flight at any instant.
      const spans = (await pages(capped, id)).map((p) => [Date.parse(p.page.requestedAt), Date.parse(p.page.receivedAt)] as const);
      for (const [from] of spans) expect(spans.filter(([a, b]) => a <= from && from < b).length).toBeLessThanOrEqual(3);
    } finally {
      await capped.close();
      registry.close();
    }
  });

  it("refuses concurrency with a snapshot pass", async () => {
    await expect(service.create({ kind: "snapshot", connection: "sandbox", bucket: "versioned", prefix: "", pageSize: 10, concurrency: 4 })).rejects.toThrow(AppError);
  });
});

describe("listings that end early", () => {
  it("fails a parallel pass with short_listing when a range's listing ends early, never complete and short", async () => {
    sandbox.faults.configure({ listEndEarly: true, bucket: "many" });
    const id = await service.create({ connection: "sandbox", bucket: "many", prefix: "", pageSize: 100, concurrency: 4 });
    const pass = await service.settled(id);
    expect(pass.status).toBe("failed");
    expect(pass.error?.code).toBe("short_listing");
    expect(pass.totals.keys).toBeLessThan(keys.length);
  });
});

describe("falling back to one cursor", () => {
  it("never splits on a server that ignores StartAfter (the probe shows it), says why, and lists every key once", async () => {
    sandbox.faults.configure({ ignoreStartAfter: true, latencyMs: 2 });
    const id = await service.create({ connection: "sandbox", bucket: "many", prefix: "", pageSize: 100, concurrency: 8 });
    const pass = await service.settled(id);
    expectComplete(pass);
    expect(pass.parallel?.fallback?.reason).toBe("ignores-start-after");
    expect(pass.parallel?.fallback?.message).toMatch(/ignores StartAfter/);
    expect(pass.parallel?.ranges.total).toBe(1);
    expect(passKeys(service, id)).toEqual(keys);
  });

  it("withdraws the other ranges' pages when StartAfter stops working mid-pass, and range 0 lists on to the end", async () => {
    sandbox.faults.configure({ latencyMs: 15 });
    const id = await service.create({ connection: "sandbox", bucket: "many", prefix: "", pageSize: 20, concurrency: 4 });
    await until("pages of several ranges", () => new Set(service.store.ranges(service.store.row(id)?.seq ?? -1).filter((r) => r.pages > 0).map((r) => r.id)).size >= 2);
    sandbox.faults.configure({ ignoreStartAfter: true });
    const pass = await service.settled(id);
    expectComplete(pass);
    expect(pass.parallel?.fallback?.reason).toBe("ignores-start-after");
    expect(passKeys(service, id)).toEqual(keys);
    expect(pass.totals.keys).toBe(keys.length);
    const recorded = await pages(service, id);
    const withdrawn = recorded.filter((p) => p.page.cursor?.withdrawn !== undefined);
    expect(withdrawn.length).toBeGreaterThan(0);
    for (const p of withdrawn) expect(p).toMatchObject({ entries: [], page: { entryCount: 0, cursor: { withdrawn: expect.stringMatching(/ignores StartAfter/) as unknown } } });
    expect(recorded.some((p) => p.page.cursor?.range === 0 && (p.page.cursor.withdrew?.length ?? 0) > 0)).toBe(true);
    expect(recorded.filter((p) => p.page.cursor?.withdrawn === undefined).every((p) => p.page.cursor?.range === 0)).toBe(true);
  });

  it("falls back when the server lists out of UTF-8 byte order (UTF-16 order puts astral keys before U+E000)", async () => {
    const served = [...Array.from({ length: 120 }, (_, i) => `k/${String(i).padStart(3, "0")}`), "k/\uE000", "k/😀", "k/\uFFFD", "k/\uE001a"];
    // Plain JS order compares UTF-16 code units: what such a server does.
    const order = [...served].sort();
    fake = await startFakeS3((req: ListRequest) => {
      const max = Number(req.query.get("max-keys") ?? "1000");
      const token = req.query.get("continuation-token");
      const after = token !== null ? Buffer.from(token, "base64url").toString("utf8") : (req.query.get("start-after") ?? "");
      const rest = order.filter((k) => k > after);
      const page = rest.slice(0, max);
      const more = rest.length > max;
      return { contents: page.map((key) => ({ key })), isTruncated: more, nextToken: more ? Buffer.from(page[page.length - 1] ?? "").toString("base64url") : undefined };
    });
    const registry = new ConnectionRegistry({
      sandbox: null,
      extra: [{ name: "utf16", endpoint: fake.endpoint, accessKeyId: "fake", secretAccessKey: "fake", region: "us-east-1", writable: false }],
      probeAws: false,
      env: {},
    });
    const svc = new PassService({ dataDir: tempDir("utf16"), connections: registry, retry: FAST_RETRY });
    try {
      const id = await svc.create({ connection: "utf16", bucket: "fake-bucket", prefix: "", pageSize: 4, concurrency: 8 });
      const pass = await svc.settled(id);
      expectComplete(pass);
      expect(pass.parallel?.fallback?.reason).toBe("out-of-order");
      expect(pass.parallel?.fallback?.message).toMatch(/UTF-8 byte order/);
      expect(passKeys(svc, id)).toEqual([...served].sort(compareKeys));
      expect(pass.totals.keys).toBe(served.length);
    } finally {
      await svc.close();
      registry.close();
    }
  });
});

describe("cancel and resume", () => {
  it("cancel stops every cursor; resume continues every unfinished range from its last page to exactly the bucket's keys", async () => {
    sandbox.faults.configure({ latencyMs: 20 });
    const id = await service.create({ connection: "sandbox", bucket: "many", prefix: "", pageSize: 20, concurrency: 6 });
    await until("several ranges under way", () => (service.summary(id).parallel?.ranges.listing ?? 0) >= 3 && service.summary(id).totals.pages >= 6);
    const cancelled = await service.cancel(id);
    expect(cancelled.status).toBe("cancelled");
    const seq = service.store.row(id)?.seq ?? -1;
    const open = service.store.ranges(seq).filter((r) => r.state === "listing" || r.state === "pending");
    expect(open.length).toBeGreaterThan(1);
    const recordedBefore = cancelled.totals.pages + cancelled.totals.failedPages;
    await new Promise((r) => setTimeout(r, 100));
    expect(service.summary(id).totals.pages + service.summary(id).totals.failedPages).toBe(recordedBefore);

    await service.resume(id);
    const pass = await service.settled(id);
    expectComplete(pass);
    expect(pass.runs).toBe(2);
    expect(passKeys(service, id)).toEqual(keys);
    const after = (await pages(service, id)).slice(recordedBefore);
    const resumedRanges = new Set(after.filter((p) => p.page.resumedBy !== null).map((p) => p.page.cursor?.range));
    for (const r of open) if (r.pages > 0) expect(resumedRanges.has(r.id)).toBe(true);
    expect(bucketKeys(sandbox, "many")).toEqual(keys);
  });
});
