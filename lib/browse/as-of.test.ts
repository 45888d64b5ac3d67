import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionRegistry } from "@/lib/connections";
import { startTestSandbox, type TestSandbox } from "@/lib/sandbox/test-helpers";
import { POINT_IN_TIME_LIMITS, type BrowseEvent, type BrowseQuery } from "@/lib/wire";
import { browseEvents, bucketHistory, objectDetails } from "./index";

// The as-of browser over the seeded `versioned` bucket, whose history is written at known times in
// seedVersioned (lib/sandbox/seed.ts), through the real SDK over HTTP.

let sandbox: TestSandbox;
let registry: ConnectionRegistry;

beforeAll(async () => {
  sandbox = await startTestSandbox({ seed: true });
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  registry = new ConnectionRegistry({ sandbox: { endpoint, accessKeyId, secretAccessKey, region }, extra: [], probeAws: false, env: {} });
});

afterAll(async () => {
  registry.close();
  await sandbox.stop();
});

type Query = Partial<BrowseQuery> & { asOf: string };

async function asOf(q: Query): Promise<BrowseEvent[]> {
  const out: BrowseEvent[] = [];
  const query: BrowseQuery = { connection: "sandbox", bucket: "versioned", prefix: "", pageSize: 1000, ...q };
  for await (const e of browseEvents(query, { signal: new AbortController().signal, connections: registry })) out.push(e);
  return out;
}

const pages = (events: BrowseEvent[]) => events.flatMap((e) => (e.type === "page" ? [e] : []));
const keysOf = (events: BrowseEvent[]) => pages(events).flatMap((p) => p.entries.map((e) => e.key));
const foldersOf = (events: BrowseEvent[]) => pages(events).flatMap((p) => p.commonPrefixes);
const endOf = (events: BrowseEvent[]) => {
  const end = events.at(-1);
  if (end?.type !== "end") throw new Error(`the last event is ${end?.type ?? "missing"}, not end`);
  return end;
};

describe("browseEvents as of T", () => {
  it("lists the keys present at T with their version, and folders that have history, before any version was overwritten", async () => {
    const events = await asOf({ asOf: "2024-01-11T00:00:00Z", delimiter: "/" });
    const start = events[0];
    expect(start).toMatchObject({ type: "start", bucket: "versioned", asOf: { asOf: "2024-01-11T00:00:00.000Z", versioning: "Enabled", resolutionMs: 1000, warnings: [] } });
    expect(start?.type === "start" ? start.asOf?.limits : null).toEqual([...POINT_IN_TIME_LIMITS]);
    const clock = start?.type === "start" ? start.asOf?.clock : null;
    // Same machine: the offset is within the Date header's one-second resolution.
    expect(Math.abs(clock?.offsetMs ?? Infinity)).toBeLessThanOrEqual((clock?.uncertaintyMs ?? 0) + 50);

    expect(keysOf(events)).toEqual(["legacy.txt", "report.csv"]);
    const entries = pages(events).flatMap((p) => p.entries);
    expect(entries[0]).toMatchObject({ key: "legacy.txt", versionId: "null", lastModified: "2024-01-03T10:00:00.000Z" });
    expect(entries[1]).toMatchObject({ key: "report.csv", lastModified: "2024-01-10T09:15:00.000Z", size: "month,total\njan,100\n".length });
    expect(entries[1]?.versionId).not.toBe("null");
    // S3 rolls every version under a prefix into it: both folders are listed though nothing in them existed yet.
    expect(foldersOf(events)).toEqual(["logs/", "photos/"]);
    // config.json, draft.md, ghost.txt and notes.txt have history, none of it by T.
    expect(endOf(events)).toMatchObject({ keys: 2, prefixes: 2, error: null, asOf: { absentKeys: 4, ties: 0 } });
  });

  it("follows overwrites, delete markers, re-creates and a permanently deleted version at later T's", async () => {
    const feb = await asOf({ asOf: "2024-02-15T00:00:00Z", delimiter: "/" });
    expect(keysOf(feb)).toEqual(["config.json", "draft.md", "legacy.txt", "report.csv"]);
    const febEntries = pages(feb).flatMap((p) => p.entries);
    expect(febEntries.map((e) => e.lastModified)).toEqual(["2024-01-15T11:00:00.000Z", "2024-01-20T16:45:00.000Z", "2024-02-10T10:30:00.000Z", "2024-02-14T09:15:00.000Z"]);
    expect(endOf(feb)).toMatchObject({ keys: 4, asOf: { absentKeys: 2 } });

    const febLogs = await asOf({ asOf: "2024-02-15T00:00:00Z", delimiter: "/", prefix: "logs/" });
    expect(keysOf(febLogs)).toEqual(["logs/2024-01.log"]);

    // A folder listed with history can hold nothing at T.
    const janLogs = await asOf({ asOf: "2024-01-11T00:00:00Z", delimiter: "/", prefix: "logs/" });
    expect(keysOf(janLogs)).toEqual([]);
    expect(endOf(janLogs)).toMatchObject({ keys: 0, asOf: { absentKeys: 3 } });

    // Flat, two rows a page: keys whose versions span pages are settled once, on the right page.
    const may = await asOf({ asOf: "2024-05-01T00:00:00Z", pageSize: 2 });
    expect(keysOf(may)).toEqual(["config.json", "draft.md", "legacy.txt", "logs/2024-01.log", "logs/2024-02.log", "photos/cat.jpg", "report.csv"]);
    const mayEntries = pages(may).flatMap((p) => p.entries);
    expect(mayEntries.find((e) => e.key === "draft.md")?.lastModified).toBe("2024-03-25T16:45:00.000Z");
    expect(mayEntries.find((e) => e.key === "config.json")?.lastModified).toBe("2024-03-15T12:00:00.000Z");
    expect(pages(may).length).toBeGreaterThan(5);
    expect(endOf(may)).toMatchObject({ keys: 7, prefixes: 0, asOf: { versions: 16, deleteMarkers: 4, nullVersions: 1, absentKeys: 3, ties: 0 } });
  });

  it("reports a change stamped in T's own second as a tie on its page, with both states", async () => {
    const events = await asOf({ asOf: "2024-02-14T09:15:00.500Z" });
    const ties = pages(events).flatMap((p) => p.ties ?? []);
    expect(ties).toHaveLength(1);
    expect(ties[0]).toMatchObject({ key: "report.csv", atT: { lastModified: "2024-02-14T09:15:00.000Z" }, beforeT: { lastModified: "2024-01-10T09:15:00.000Z" } });
    // Recorded as before T: the entry is the version of T's second.
    expect(pages(events).flatMap((p) => p.entries).find((e) => e.key === "report.csv")?.versionId).toBe(ties[0]?.atT?.versionId);
    expect(endOf(events).asOf?.ties).toBe(1);
  });

  it("refuses a bucket that never had versioning before the first line (409 not_versioned), and a T still to come (400)", async () => {
    const demo = browseEvents({ connection: "sandbox", bucket: "demo", prefix: "", pageSize: 1000, asOf: "2024-02-15T00:00:00.000Z" }, { signal: new AbortController().signal, connections: registry });
    await expect(demo.next()).rejects.toMatchObject({ code: "not_versioned", status: 409 });
    await expect(demo.next()).resolves.toMatchObject({ done: true });
    const again = browseEvents({ connection: "sandbox", bucket: "demo", prefix: "", pageSize: 1000, asOf: "2024-02-15T00:00:00.000Z" }, { signal: new AbortController().signal, connections: registry });
    await expect(again.next()).rejects.toThrow(/never had versioning enabled/);
    const future = new Date(Date.now() + 60_000).toISOString();
    const later = browseEvents({ connection: "sandbox", bucket: "versioned", prefix: "", pageSize: 1000, asOf: future }, { signal: new AbortController().signal, connections: registry });
    await expect(later.next()).rejects.toMatchObject({ code: "bad_request", status: 400 });
    const later2 = browseEvents({ connection: "sandbox", bucket: "versioned", prefix: "", pageSize: 1000, asOf: future }, { signal: new AbortController().signal, connections: registry });
    await expect(later2.next()).rejects.toThrow(/is in the future/);
  });
});

describe("browseEvents as of T on a bucket whose versioning was suspended", () => {
  it("answers with a warning on the start line that writes since then replaced the null version", async () => {
    const s = sandbox.store;
    s.writeAt(new Date("2024-01-01T00:00:00Z"), () => s.createBucket("suspended"));
    s.writeAt(new Date("2024-01-01T00:00:01Z"), () => s.setVersioning("suspended", "Enabled"));
    s.writeAt(new Date("2024-01-02T00:00:00Z"), () => s.putObject({ bucket: "suspended", key: "a.txt", body: Buffer.from("a1"), meta: { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" } }));
    s.writeAt(new Date("2024-01-03T00:00:00Z"), () => s.setVersioning("suspended", "Suspended"));
    s.writeAt(new Date("2024-01-04T00:00:00Z"), () => s.putObject({ bucket: "suspended", key: "a.txt", body: Buffer.from("a2"), meta: { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" } }));
    const events = await asOf({ bucket: "suspended", asOf: "2024-01-05T00:00:00Z" });
    const start = events[0];
    expect(start?.type === "start" ? start.asOf?.versioning : null).toBe("Suspended");
    expect(start?.type === "start" ? start.asOf?.warnings.join(" ") : "").toMatch(/suspended on this bucket: each write since then replaced the key's null version/);
    expect(pages(events).flatMap((p) => p.entries).map((e) => [e.key, e.versionId])).toEqual([["a.txt", "null"]]);
  });
});

describe("objectDetails of one version", () => {
  it("reads and downloads the version that was current at T, not the current one", async () => {
    const events = await asOf({ asOf: "2024-01-11T00:00:00Z" });
    const report = pages(events).flatMap((p) => p.entries).find((e) => e.key === "report.csv");
    expect(report?.versionId).toBeDefined();
    const details = await objectDetails({ connection: "sandbox", bucket: "versioned", key: "report.csv", versionId: report?.versionId ?? undefined }, { connections: registry });
    expect(details).toMatchObject({ key: "report.csv", versionId: report?.versionId, lastModified: "2024-01-10T09:15:00.000Z" });
    expect(await (await fetch(details.download.url)).text()).toBe("month,total\njan,100\n");
    const current = await objectDetails({ connection: "sandbox", bucket: "versioned", key: "report.csv" }, { connections: registry });
    expect(await (await fetch(current.download.url)).text()).toBe("month,total\njan,100\nfeb,140\nmar,90\napr,180\n");
    const legacy = await objectDetails({ connection: "sandbox", bucket: "versioned", key: "legacy.txt", versionId: "null" }, { connections: registry });
    expect(await (await fetch(legacy.download.url)).text()).toBe("written before versioning was enabled\n");
  });

  it("explains a version id S3 rejects and a version that is a delete marker (400), instead of a bare upstream error", async () => {
    await expect(objectDetails({ connection: "sandbox", bucket: "versioned", key: "report.csv", versionId: "no-such-version" }, { connections: registry })).rejects.toMatchObject({
      code: "bad_request",
      message: 'S3 does not accept "no-such-version" as a version id of this key.',
    });
    const events = await asOf({ asOf: "2024-05-01T00:00:00Z" });
    expect(keysOf(events)).not.toContain("notes.txt");
    // The marker's id comes from the versions listing of the same key.
    const { listVersionPages } = await import("@/lib/lister");
    const conn = await registry.get("sandbox");
    let markerId: string | undefined;
    for await (const p of listVersionPages(conn.client, { connection: "sandbox", bucket: "versioned", prefix: "notes.txt", delimiter: null, pageSize: 1000 }, { signal: new AbortController().signal })) {
      markerId ??= p.rows.find((r) => r.deleteMarker)?.versionId;
    }
    expect(markerId).toBeDefined();
    const marker = objectDetails({ connection: "sandbox", bucket: "versioned", key: "notes.txt", versionId: markerId }, { connections: registry });
    await expect(marker).rejects.toMatchObject({ code: "bad_request" });
    await expect(marker).rejects.toThrow(/is a delete marker/);
  });
});

describe("bucketHistory, read before the As of control is offered", () => {
  it("says whether a bucket has history to go back in time with, and refuses what does not exist", async () => {
    expect(await bucketHistory("sandbox", "versioned", { connections: registry })).toBe("Enabled");
    expect(await bucketHistory("sandbox", "demo", { connections: registry })).toBe("never");
    await expect(bucketHistory("sandbox", "no-such-bucket-here", { connections: registry })).rejects.toMatchObject({ code: "no_such_bucket" });
    await expect(bucketHistory("nowhere", "demo", { connections: registry })).rejects.toMatchObject({ code: "unknown_connection" });
  });

  it("gives up waiting on an endpoint that does not answer, leaving the controls to explain themselves", async () => {
    // Accepts connections and never answers.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as AddressInfo).port;
    const slow = new ConnectionRegistry({
      sandbox: null,
      extra: [{ name: "silent", endpoint: `http://127.0.0.1:${port}`, accessKeyId: "x", secretAccessKey: "y", writable: false }],
      probeAws: false,
      env: {},
    });
    try {
      expect(await bucketHistory("silent", "versioned", { connections: slow, waitMs: 200 })).toBe("unchecked");
    } finally {
      slow.close();
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});
