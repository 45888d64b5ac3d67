import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionRegistry } from "@/lib/connections";
import { AppError } from "@/lib/http";
import { startTestSandbox, type TestSandbox } from "@/lib/sandbox/test-helpers";
import type { BrowseEvent } from "@/lib/wire";
import { browseEvents, objectDetails } from "./index";

let sandbox: TestSandbox;
let registry: ConnectionRegistry;
const FAST_RETRY = { passRetries: 0, baseDelayMs: 1, maxDelayMs: 1 };

const demoKeys = Array.from({ length: 25 }, (_, i) => `logs/obj_${String(i).padStart(4, "0")}`);
const hostileKey = "dir/a #?%+ b\nc\t\u00e9.txt";

beforeAll(async () => {
  sandbox = await startTestSandbox({ seed: false });
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  registry = new ConnectionRegistry({ sandbox: { endpoint, accessKeyId, secretAccessKey, region }, extra: [], probeAws: false, env: {} });
  sandbox.store.createBucket("browse-test");
  const put = (key: string, body: string, userMetadata: Record<string, string> = {}) =>
    sandbox.store.putObject({ bucket: "browse-test", key, body: Buffer.from(body), meta: { contentType: "text/plain", userMetadata, storageClass: "STANDARD" } });
  for (const key of demoKeys) put(key, key);
  for (const key of ["photos/2023/a.jpg", "photos/2023/b.jpg", "photos/2024/c.jpg", "photos/top.jpg", "readme.txt"]) put(key, key);
  put(hostileKey, "hostile body", { owner: "tests" });
});

afterAll(async () => {
  registry.close();
  await sandbox.stop();
});

async function collect(events: AsyncIterable<BrowseEvent>): Promise<BrowseEvent[]> {
  const out: BrowseEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

const pagesOf = (events: BrowseEvent[]) => events.flatMap((e) => (e.type === "page" ? [e] : []));

describe("browseEvents", () => {
  it("streams a start line, every page with its record and entries, and an end line with totals", async () => {
    const events = await collect(
      browseEvents({ connection: "sandbox", bucket: "browse-test", prefix: "logs/", pageSize: 10 }, { signal: new AbortController().signal, connections: registry }),
    );
    expect(events[0]).toMatchObject({ type: "start", bucket: "browse-test", prefix: "logs/", delimiter: null, pageSize: 10 });
    const pages = pagesOf(events);
    expect(pages.map((p) => [p.page.index, p.page.firstKey, p.page.lastKey, p.entries.length])).toEqual([
      [0, "logs/obj_0000", "logs/obj_0009", 10],
      [1, "logs/obj_0010", "logs/obj_0019", 10],
      [2, "logs/obj_0020", "logs/obj_0024", 5],
    ]);
    expect(pages[0]?.page.nextContinuationToken).toEqual(pages[1]?.page.request.continuationToken);
    expect(events.at(-1)).toMatchObject({ type: "end", pages: 3, keys: 25, prefixes: 0, error: null });
  });

  it("rolls keys up into folders with a delimiter", async () => {
    const events = await collect(
      browseEvents({ connection: "sandbox", bucket: "browse-test", prefix: "photos/", delimiter: "/", pageSize: 1000 }, { signal: new AbortController().signal, connections: registry }),
    );
    const [page] = pagesOf(events);
    expect(page?.commonPrefixes).toEqual(["photos/2023/", "photos/2024/"]);
    expect(page?.entries.map((e) => e.key)).toEqual(["photos/top.jpg"]);
  });

  it("fails before the first line for a bucket that does not exist, so the route can answer 404", async () => {
    const events = browseEvents({ connection: "sandbox", bucket: "no-such-bucket", prefix: "", pageSize: 1000 }, { signal: new AbortController().signal, connections: registry, retry: FAST_RETRY });
    await expect(events.next()).rejects.toMatchObject({ code: "no_such_bucket", status: 404 });
    const unknown = browseEvents({ connection: "nope", bucket: "browse-test", prefix: "", pageSize: 1000 }, { signal: new AbortController().signal, connections: registry });
    await expect(unknown.next()).rejects.toMatchObject({ code: "unknown_connection", status: 404 });
  });

  it("stops sending list requests once the signal aborts", async () => {
    sandbox.faults.configure({ latencyMs: 150, bucket: "browse-test" });
    sandbox.faults.resetStats();
    try {
      const controller = new AbortController();
      const events = browseEvents({ connection: "sandbox", bucket: "browse-test", prefix: "logs/", pageSize: 1 }, { signal: controller.signal, connections: registry });
      expect((await events.next()).value).toMatchObject({ type: "start" });
      expect((await events.next()).value).toMatchObject({ type: "page" });
      controller.abort();
      const rest: BrowseEvent[] = [];
      for (let r = await events.next(); !r.done; r = await events.next()) rest.push(r.value);
      expect(rest.filter((e) => e.type === "end")).toEqual([]);
      const sent = sandbox.faults.state.stats.listRequests;
      await new Promise((r) => setTimeout(r, 500));
      // The first page, plus the next one requested ahead while the first was handed over.
      expect(sent).toBeLessThanOrEqual(3);
      expect(sandbox.faults.state.stats.listRequests).toBe(sent);
    } finally {
      sandbox.faults.clear();
    }
  });
});

describe("a listing that ends early", () => {
  const browse = (asOf?: string) =>
    collect(browseEvents({ connection: "sandbox", bucket: "browse-test", prefix: "logs/", pageSize: 10, asOf }, { signal: new AbortController().signal, connections: registry }));

  it("ends with a short_listing error instead of a complete end when ListObjectsV2 stops after a truncated page", async () => {
    sandbox.faults.configure({ listEndEarly: true });
    try {
      const events = await browse();
      expect(pagesOf(events).map((p) => [p.page.index, p.entries.length, p.page.isTruncated, p.page.error?.code ?? null])).toEqual([
        [0, 10, true, null],
        [1, 0, false, "short_listing"],
      ]);
      const end = events.at(-1);
      expect(end).toMatchObject({ type: "end", pages: 2, keys: 10, error: { code: "short_listing" } });
      expect(end?.type === "end" ? end.error?.message : "").toContain('still lists "logs/obj_0010" after the last key listed ("logs/obj_0009")');
    } finally {
      sandbox.faults.clear();
    }
  });

  it("does the same as of T when ListObjectVersions loses its place (no NextVersionIdMarker, then an empty page)", async () => {
    sandbox.store.setVersioning("browse-test", "Enabled");
    sandbox.faults.configure({ versionsEndEarly: "null-marker" });
    try {
      const events = await browse(new Date().toISOString());
      const pages = pagesOf(events);
      expect(pages.map((p) => [p.page.index, p.page.isTruncated, p.page.flags?.map((f) => f.kind) ?? [], p.page.error?.code ?? null])).toEqual([
        [0, true, ["marker_repaired"], null],
        [1, false, [], "short_listing"],
      ]);
      expect(events.at(-1)).toMatchObject({ type: "end", error: { code: "short_listing" } });
    } finally {
      sandbox.faults.clear();
      sandbox.store.setVersioning("browse-test", "Suspended");
    }
  });
});

describe("objectDetails", () => {
  it("returns HEAD metadata and a presigned link that downloads the object, for a hostile key", async () => {
    const details = await objectDetails({ connection: "sandbox", bucket: "browse-test", key: hostileKey }, { connections: registry });
    expect(details).toMatchObject({ key: hostileKey, size: "hostile body".length, contentType: "text/plain", storageClass: "STANDARD", metadata: { owner: "tests" } });
    expect(details.etag).toMatch(/^"[0-9a-f]{32}"$/);
    const res = await fetch(details.download.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("hostile body");
    expect(res.headers.get("content-disposition")).toContain("filename*=UTF-8''a%20%23%3F%25%2B%20b%0Ac%09%C3%A9.txt");
  });

  it("tells a missing key (404 not_found) from a missing bucket (404 no_such_bucket)", async () => {
    await expect(objectDetails({ connection: "sandbox", bucket: "browse-test", key: "nope" }, { connections: registry })).rejects.toMatchObject({ code: "not_found", status: 404 });
    const missingBucket = objectDetails({ connection: "sandbox", bucket: "no-such-bucket", key: "x" }, { connections: registry });
    await expect(missingBucket).rejects.toBeInstanceOf(AppError);
    await expect(missingBucket).rejects.toMatchObject({ code: "no_such_bucket" });
  });
});
