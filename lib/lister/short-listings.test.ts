import { DeleteObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { listPages, listVersionPages, type ListedPage, type ListedVersionPage, type ListParams, type VersionListParams } from "@/lib/lister";
import { sdkClient, startTestSandbox, type TestSandbox } from "@/lib/sandbox/test-helpers";

// Listings that end early, caught page by page: the real SDK over HTTP to the sandbox, switched to
// answer like S3-compatible servers that lose their place.

let sandbox: TestSandbox;
let s3: S3Client;
const KEYS = Array.from({ length: 9 }, (_, i) => `k${i}`);
const fast = { passRetries: 1, baseDelayMs: 1, maxDelayMs: 5 };
const never = new AbortController().signal;
const meta = { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" };

beforeAll(async () => {
  sandbox = await startTestSandbox({ seed: false });
  s3 = sdkClient(sandbox);
  sandbox.store.createBucket("plain");
  sandbox.store.createBucket("versions");
  sandbox.store.setVersioning("versions", "Enabled");
  for (const key of KEYS) {
    for (const bucket of ["plain", "versions"]) sandbox.store.putObject({ bucket, key, body: Buffer.from(key), meta });
  }
  // "a" has three versions, so a page of two ends in the middle of its history.
  for (const body of ["a1", "a2", "a3"]) sandbox.store.putObject({ bucket: "versions", key: "multi/a", body: Buffer.from(body), meta });
  sandbox.store.putObject({ bucket: "versions", key: "multi/b", body: Buffer.from("b1"), meta });
});

beforeEach(() => {
  sandbox.faults.clear();
});

afterAll(async () => {
  s3?.destroy();
  await sandbox?.stop();
});

const listParams = (bucket: string, pageSize: number, prefix = ""): ListParams => ({ connection: "sandbox", bucket, prefix, delimiter: null, pageSize, startAfter: null });
const versionParams = (bucket: string, pageSize: number, prefix = ""): VersionListParams => ({ connection: "sandbox", bucket, prefix, delimiter: null, pageSize });

async function walk(params: ListParams, opts: { prefetch?: boolean; between?: (page: ListedPage) => Promise<void> } = {}): Promise<ListedPage[]> {
  const out: ListedPage[] = [];
  for await (const page of listPages(s3, params, { signal: never, retry: fast, prefetch: opts.prefetch })) {
    out.push(page);
    await opts.between?.(page);
  }
  return out;
}

async function walkVersions(params: VersionListParams): Promise<ListedVersionPage[]> {
  const out: ListedVersionPage[] = [];
  for await (const page of listVersionPages(s3, params, { signal: never, retry: fast })) out.push(page);
  return out;
}

describe("ListObjectsV2 walks", () => {
  it("lists every key with no flags when the server keeps its place", async () => {
    const pages = await walk(listParams("plain", 4));
    expect(pages.flatMap((p) => p.entries.map((e) => e.key))).toEqual(KEYS);
    expect(pages.map((p) => [p.record.error, p.record.flags])).toEqual([
      [null, undefined],
      [null, undefined],
      [null, undefined],
    ]);
  });

  it("fails with short_listing on an empty last page right after a truncated one, naming the key that still follows", async () => {
    sandbox.faults.configure({ listEndEarly: true });
    const pages = await walk(listParams("plain", 4));
    expect(pages.map((p) => [p.record.index, p.record.answered, p.record.isTruncated, p.entries.length])).toEqual([
      [0, true, true, 4],
      [1, true, false, 0],
    ]);
    expect(pages[0]?.record.error).toBeNull();
    expect(pages[1]?.record.error).toMatchObject({ code: "short_listing", httpStatus: 200, retryable: false });
    expect(pages[1]?.record.error?.message).toBe(
      'ListObjectsV2 answered an empty last page right after a truncated one, yet ListObjectsV2 still lists "k4" after the last key listed ("k3"): the server ended the listing early. It stops here as failed rather than end complete and short.',
    );
  });

  it("flags an empty last page as a verified end when nothing follows the last key (the rest was deleted between pages)", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "plain", Key: "tail/0", Body: "0" }));
    await s3.send(new PutObjectCommand({ Bucket: "plain", Key: "tail/1", Body: "1" }));
    const pages = await walk(listParams("plain", 1, "tail/"), {
      prefetch: false,
      between: async (page) => {
        if (page.record.index === 0) await s3.send(new DeleteObjectCommand({ Bucket: "plain", Key: "tail/1" }));
      },
    });
    expect(pages.map((p) => [p.record.isTruncated, p.entries.map((e) => e.key), p.record.error])).toEqual([
      [true, ["tail/0"], null],
      [false, [], null],
    ]);
    expect(pages[1]?.record.flags).toEqual([
      {
        kind: "end_verified",
        message:
          'ListObjectsV2 answered an empty last page right after a truncated one; ListObjectsV2 found nothing after the last key listed ("tail/0"), so the listing did reach its end.',
      },
    ]);
  });

  // A parallel pass walks key ranges (after, through]: a key past `through` is the next range's.
  it.each([
    ["k5", null, "end_verified"],
    ["k7", "short_listing", undefined],
  ] as const)("checks an empty last page of a key range ending at %s against the range, not the whole bucket", async (through, error, flag) => {
    sandbox.faults.configure({ listEndEarly: true });
    const pages: ListedPage[] = [];
    for await (const page of listPages(s3, listParams("plain", 4), { signal: never, retry: fast, startAfter: "k1", through: () => through })) pages.push(page);
    expect(pages.map((p) => [p.record.isTruncated, p.entries.map((e) => e.key)])).toEqual([
      [true, ["k2", "k3", "k4", "k5"]],
      [false, []],
    ]);
    expect(pages[1]?.record.error?.code ?? null).toBe(error);
    expect(pages[1]?.record.flags?.[0]?.kind).toBe(flag);
  });
});

describe("ListObjectVersions walks", () => {
  it("repairs a missing NextVersionIdMarker (continuing after the last version, not the whole key) and says so", async () => {
    sandbox.faults.configure({ omitNextVersionIdMarker: true });
    const pages = await walkVersions(versionParams("versions", 2, "multi/"));
    const rows = pages.flatMap((p) => p.rows.map((r) => `${r.key}@${r.size}`));
    // Following the server's key marker alone would have skipped a1: the oldest version of multi/a.
    expect(rows).toEqual(["multi/a@2", "multi/a@2", "multi/a@2", "multi/b@2"]);
    expect(pages.map((p) => p.record.error)).toEqual([null, null]);
    const [first, second] = pages;
    expect(first?.record.versions).toMatchObject({ nextKeyMarker: "multi/a", nextVersionIdMarker: null });
    expect(second?.record.versions).toMatchObject({ keyMarker: "multi/a", versionIdMarker: first?.rows[1]?.versionId });
    expect(first?.record.flags).toEqual([
      {
        kind: "marker_repaired",
        message: `NextVersionIdMarker was missing although the last version listed ("multi/a" version ${first?.rows[1]?.versionId}) has an id: the walk continued after that version instead of after the whole key, which would skip the key's remaining versions.`,
      },
    ]);
    expect(second?.record.flags).toBeUndefined();
  });

  it("fails with short_listing when the server answers a null NextVersionIdMarker and then an empty page (the issue's server)", async () => {
    sandbox.faults.configure({ versionsEndEarly: "null-marker" });
    const pages = await walkVersions(versionParams("versions", 4));
    expect(pages.map((p) => [p.record.isTruncated, p.rows.map((r) => r.key)])).toEqual([
      [true, ["k0", "k1", "k2", "k3"]],
      [false, []],
    ]);
    expect(pages[0]?.record.flags?.map((f) => f.kind)).toEqual(["marker_repaired"]);
    expect(pages[1]?.record.error).toMatchObject({ code: "short_listing", retryable: false });
    expect(pages[1]?.record.error?.message).toContain('yet ListObjectsV2 still lists "k4" after the last key listed ("k3"): the server ended the versions listing early');
  });

  it("lists every version with no flags when the server keeps its place", async () => {
    const pages = await walkVersions(versionParams("versions", 2, "multi/"));
    expect(pages.flatMap((p) => p.rows.map((r) => r.key))).toEqual(["multi/a", "multi/a", "multi/a", "multi/b"]);
    expect(pages.every((p) => p.record.flags === undefined && p.record.error === null)).toBe(true);
  });
});
