import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { S3Client } from "@aws-sdk/client-s3";
import { AppError } from "@/lib/http";
import {
  AsOfFold,
  asOfPage,
  clockOffset,
  listVersionPages,
  mergeVersionRows,
  readVersioning,
  type ListedVersionPage,
} from "@/lib/lister";
import { byteOrder, sdkClient, startTestSandbox, type TestSandbox } from "@/lib/sandbox/test-helpers";
import type { Entry, Tie, VersionRow } from "@/lib/wire";

// A scripted history on a versioned sandbox bucket, written at known (whole-second) times, and the
// bucket as of several T's rebuilt through the real SDK over HTTP.

let sandbox: TestSandbox;
let client: S3Client;
const BUCKET = "history";
const at = (iso: string) => new Date(iso);
const ids: Record<string, string> = {};

function put(when: string, key: string, body: string, label?: string): void {
  const v = sandbox.store.writeAt(at(when), () => sandbox.store.putObject({ bucket: BUCKET, key, body: Buffer.from(body), meta: { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" } }));
  if (label !== undefined) ids[label] = v.versionId;
}
function del(when: string, key: string, versionId?: string, label?: string): void {
  const r = sandbox.store.writeAt(at(when), () => sandbox.store.deleteObject(BUCKET, key, versionId));
  if (label !== undefined && r.versionId !== undefined) ids[label] = r.versionId;
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ seed: false });
  client = sdkClient(sandbox);
  const s = sandbox.store;
  s.writeAt(at("2024-01-01T00:00:00Z"), () => s.createBucket(BUCKET));
  put("2024-01-01T00:00:10Z", "before-versioning.txt", "old", "null");
  s.writeAt(at("2024-01-01T00:00:20Z"), () => s.setVersioning(BUCKET, "Enabled"));
  put("2024-01-01T01:00:00Z", "a.txt", "a1", "a1");
  put("2024-01-01T02:00:00Z", "a.txt", "a2-longer", "a2");
  put("2024-01-01T03:00:00Z", "a.txt", "a3", "a3");
  put("2024-01-01T01:30:00Z", "b.txt", "b1", "b1");
  del("2024-01-01T02:30:00Z", "b.txt", undefined, "bDel");
  put("2024-01-01T03:30:00Z", "b.txt", "b2", "b2");
  put("2024-01-01T02:15:00Z", "c/d e+f.txt", "hostile", "c1");
  // A version and a delete marker in the same second: only the response's element order says which came last.
  put("2024-01-01T04:00:00Z", "same-second.txt", "s1", "s1");
  del("2024-01-01T04:00:00Z", "same-second.txt", undefined, "sDel");
  put("2024-01-01T05:00:00Z", "same-second.txt", "s2", "s2");
  // Written at exactly T2's second: a tie for as-of T2.
  put("2024-01-01T02:00:00Z", "tie.txt", "t1", "t1");
});

afterAll(async () => {
  client.destroy();
  await sandbox.stop();
});

async function pagesOf(pageSize: number, prefix = "", delimiter: string | null = null): Promise<ListedVersionPage[]> {
  const out: ListedVersionPage[] = [];
  const pages = listVersionPages(client, { connection: "sandbox", bucket: BUCKET, prefix, delimiter, pageSize }, { signal: new AbortController().signal });
  for await (const p of pages) out.push(p);
  return out;
}

async function asOf(t: string, pageSize = 1000): Promise<{ entries: Entry[]; ties: Tie[]; absent: number }> {
  const fold = new AsOfFold(at(t));
  const pages = await pagesOf(pageSize);
  const entries: Entry[] = [];
  const ties: Tie[] = [];
  let absent = 0;
  pages.forEach((p, i) => {
    expect(p.record.error).toBeNull();
    const settled = asOfPage(fold, p, i === pages.length - 1);
    entries.push(...settled.entries);
    ties.push(...(settled.record.versions?.ties ?? []));
    absent += settled.record.versions?.absentKeys ?? 0;
  });
  return { entries, ties, absent };
}

const keysAndVersions = (entries: Entry[]) => entries.map((e) => [e.key, e.versionId]);

describe("the bucket as of T from ListObjectVersions", () => {
  it("is exactly the scripted contents at several moments", async () => {
    expect(keysAndVersions((await asOf("2024-01-01T00:00:15Z")).entries)).toEqual([["before-versioning.txt", "null"]]);
    expect(keysAndVersions((await asOf("2024-01-01T01:45:00Z")).entries)).toEqual([
      ["a.txt", ids.a1],
      ["b.txt", ids.b1],
      ["before-versioning.txt", "null"],
    ]);
    expect(keysAndVersions((await asOf("2024-01-01T02:45:00Z")).entries)).toEqual([
      ["a.txt", ids.a2],
      ["before-versioning.txt", "null"],
      ["c/d e+f.txt", ids.c1],
      ["tie.txt", ids.t1],
    ]);
    expect(keysAndVersions((await asOf("2024-01-01T04:30:00Z")).entries)).toEqual([
      ["a.txt", ids.a3],
      ["b.txt", ids.b2],
      ["before-versioning.txt", "null"],
      ["c/d e+f.txt", ids.c1],
      ["tie.txt", ids.t1],
    ]);
    expect(keysAndVersions((await asOf("2030-01-01T00:00:00Z")).entries)).toContainEqual(["same-second.txt", ids.s2]);
  });

  it("carries each version's size, ETag and LastModified, and counts keys with history but absent at T", async () => {
    const { entries, absent } = await asOf("2024-01-01T02:45:00Z");
    const a = entries.find((e) => e.key === "a.txt");
    expect(a).toMatchObject({ size: "a2-longer".length, lastModified: "2024-01-01T02:00:00.000Z" });
    expect(a?.etag).toMatch(/^"[0-9a-f]{32}"$/);
    // b.txt is deleted at 02:45; same-second.txt does not exist yet.
    expect(absent).toBe(2);
  });

  it("gives the same answer at every page size, with a key's versions split across pages", async () => {
    const whole = await asOf("2024-01-01T03:15:00Z");
    for (const size of [1, 2, 3, 5, 7]) {
      const paged = await asOf("2024-01-01T03:15:00Z", size);
      expect(paged.entries, `page size ${size}`).toEqual(whole.entries);
      expect(paged.ties).toEqual(whole.ties);
    }
  });

  it("reports a change stamped in T's own second as a tie instead of deciding it", async () => {
    const { entries, ties } = await asOf("2024-01-01T02:00:00.400Z");
    // a.txt: a2 at 02:00:00 replaced a1; tie.txt: created at 02:00:00. Both may have happened after T.
    expect(ties).toEqual([
      { key: "a.txt", atT: { versionId: ids.a2, deleteMarker: false, lastModified: "2024-01-01T02:00:00.000Z" }, beforeT: { versionId: ids.a1, deleteMarker: false, lastModified: "2024-01-01T01:00:00.000Z" } },
      { key: "tie.txt", atT: { versionId: ids.t1, deleteMarker: false, lastModified: "2024-01-01T02:00:00.000Z" }, beforeT: null },
    ]);
    expect(keysAndVersions(entries)).toContainEqual(["a.txt", ids.a2]);
    // One second later there is no doubt left.
    expect((await asOf("2024-01-01T02:00:01Z")).ties).toEqual([]);
  });

  it("keeps a delete marker after a version of the same second in S3's order (the SDK splits them)", async () => {
    const pages = await pagesOf(1000);
    const rows = pages.flatMap((p) => p.rows).filter((r) => r.key === "same-second.txt");
    // Neither of the two is IsLatest (s2 is), so nothing but the document order can place them.
    expect(rows.map((r) => [r.versionId, r.deleteMarker])).toEqual([
      [ids.s2, false],
      [ids.sDel, true],
      [ids.s1, false],
    ]);
    const { entries } = await asOf("2024-01-01T04:00:30Z");
    expect(entries.map((e) => e.key)).not.toContain("same-second.txt");
  });

  it("lists versions in key then newest-first order with markers, null ids and url-decoded keys", async () => {
    const pages = await pagesOf(2);
    const rows = pages.flatMap((p) => p.rows);
    expect(byteOrder(new Set(rows.map((r) => r.key)))).toEqual([...new Set(rows.map((r) => r.key))]);
    expect(rows.filter((r) => r.key === "a.txt").map((r) => r.versionId)).toEqual([ids.a3, ids.a2, ids.a1]);
    expect(rows.find((r) => r.key === "before-versioning.txt")?.versionId).toBe("null");
    expect(rows.some((r) => r.key === "c/d e+f.txt")).toBe(true);
    expect(pages.every((p) => p.record.anomalyCount === 0)).toBe(true);
    const second = pages[1]?.record.versions;
    expect(second?.keyMarker).toBe(pages[0]?.record.versions?.nextKeyMarker);
    expect(second?.versionIdMarker).toBe(pages[0]?.record.versions?.nextVersionIdMarker);
    expect(pages.reduce((n, p) => n + (p.record.versions?.deleteMarkers ?? 0), 0)).toBe(2);
  });

  it("rolls folders up with a delimiter", async () => {
    const pages = await pagesOf(1000, "", "/");
    expect(pages.flatMap((p) => p.commonPrefixes)).toEqual(["c/"]);
  });

  it("measures the server's clock from the Date header within the stated uncertainty", async () => {
    const [first] = await pagesOf(1000);
    expect(first?.clock).not.toBeNull();
    const offset = clockOffset(first!.clock!);
    // Same machine: the true offset is 0, and it must lie inside offset ± uncertainty.
    expect(Math.abs(offset.offsetMs)).toBeLessThanOrEqual(offset.uncertaintyMs);
    expect(offset.uncertaintyMs).toBeLessThan(1500);
  });
});

describe("versioning status", () => {
  it("refuses a bucket that never had versioning with not_versioned", async () => {
    sandbox.store.createBucket("plain");
    const err = await readVersioning(client, { connection: "sandbox", bucket: "plain" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("not_versioned");
    expect((err as AppError).message).toMatch(/never had versioning enabled/);
    await expect(readVersioning(client, { connection: "sandbox", bucket: BUCKET })).resolves.toBe("Enabled");
  });

  it("reports Suspended", async () => {
    sandbox.store.createBucket("suspended");
    sandbox.store.setVersioning("suspended", "Enabled");
    sandbox.store.setVersioning("suspended", "Suspended");
    await expect(readVersioning(client, { connection: "sandbox", bucket: "suspended" })).resolves.toBe("Suspended");
  });
});

describe("merging the SDK's two arrays without the document order", () => {
  const row = (key: string, versionId: string, lm: string, deleteMarker = false, isLatest = false): VersionRow => ({
    key,
    versionId,
    isLatest,
    deleteMarker,
    lastModified: lm,
    size: 0,
    etag: null,
    storageClass: null,
  });
  it("orders by key in byte order, then newest LastModified, then IsLatest", () => {
    const versions = [row("a", "v2", "2024-01-01T00:00:02Z"), row("a", "v1", "2024-01-01T00:00:00Z"), row("\u{1F600}", "x", "2024-01-01T00:00:00Z")];
    const markers = [row("a", "d1", "2024-01-01T00:00:01Z", true), row("\uFFFD", "d2", "2024-01-01T00:00:00Z", true, true)];
    expect(mergeVersionRows(versions, markers, null).map((r) => r.versionId)).toEqual(["v2", "d1", "v1", "d2", "x"]);
  });
  it("follows the document order when it has one", () => {
    const versions = [row("a", "v1", "2024-01-01T00:00:00Z")];
    const markers = [row("a", "d1", "2024-01-01T00:00:00Z", true)];
    expect(mergeVersionRows(versions, markers, ["d", "v"]).map((r) => r.versionId)).toEqual(["d1", "v1"]);
    expect(mergeVersionRows(versions, markers, ["v", "d"]).map((r) => r.versionId)).toEqual(["v1", "d1"]);
  });
});

describe("the fold across a delete and re-create", () => {
  it("treats a delete marker as absent and a later version as present again", () => {
    const fold = new AsOfFold(at("2024-01-01T00:00:05Z"));
    const rows: VersionRow[] = [
      { key: "k", versionId: "3", isLatest: true, deleteMarker: false, lastModified: "2024-01-01T00:00:09.000Z", size: 3, etag: null, storageClass: null },
      { key: "k", versionId: "2", isLatest: false, deleteMarker: true, lastModified: "2024-01-01T00:00:04.000Z", size: 0, etag: null, storageClass: null },
      { key: "k", versionId: "1", isLatest: false, deleteMarker: false, lastModified: "2024-01-01T00:00:01.000Z", size: 1, etag: null, storageClass: null },
    ];
    expect(fold.push(rows)).toEqual([]);
    const [settled] = fold.finish();
    expect(settled?.atT?.versionId).toBe("2");
    expect(settled?.tie).toBe(false);
  });
  it("takes the newest LastModified, not the list position (a multipart upload stamped at its start)", () => {
    const fold = new AsOfFold(at("2024-01-01T00:10:00Z"));
    fold.push([
      { key: "big", versionId: "mpu", isLatest: true, deleteMarker: false, lastModified: "2024-01-01T00:00:00.000Z", size: 9, etag: null, storageClass: null },
      { key: "big", versionId: "put", isLatest: false, deleteMarker: false, lastModified: "2024-01-01T00:05:00.000Z", size: 1, etag: null, storageClass: null },
    ]);
    expect(fold.finish()[0]?.atT?.versionId).toBe("put");
  });
});
