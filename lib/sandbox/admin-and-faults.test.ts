import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3ServiceException, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { byteOrder, rawRequest, sdkClient, startTestSandbox, type TestSandbox } from "./test-helpers";

// The admin API under /_bucketscope/ and fault injection on list requests, over real HTTP.

let sandbox: TestSandbox;
let s3: S3Client;
const keys = ["a.txt", "dir/b c.txt", "dir/sub/c+d.txt", "é.txt", "😀.txt"];

beforeAll(async () => {
  sandbox = await startTestSandbox();
  s3 = sdkClient(sandbox);
  await s3.send(new CreateBucketCommand({ Bucket: "bkt" }));
  await s3.send(new CreateBucketCommand({ Bucket: "other" }));
  for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: "bkt", Key, Body: Key }));
});

beforeEach(() => {
  sandbox.faults.clear();
});

afterAll(async () => {
  s3?.destroy();
  await sandbox?.stop();
});

async function admin(method: string, path: string, body?: unknown, token: string | null = sandbox.secretAccessKey) {
  const res = await fetch(`${sandbox.endpoint}/_bucketscope/${path}`, {
    method,
    headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const list = (bucket = "bkt") => rawRequest(sandbox, { method: "GET", path: `/${bucket}`, query: "list-type=2" });

describe("admin API", () => {
  it("requires the bearer token", async () => {
    expect((await admin("GET", "health", undefined, null)).status).toBe(401);
    expect((await admin("GET", "health", undefined, "wrong")).status).toBe(401);
    const health = await admin("GET", "health");
    expect(health).toMatchObject({ status: 200, json: { status: "ok", region: "us-east-1", buckets: 2 } });
  });

  it("returns the exact snapshot of a prefix, in byte order", async () => {
    const { status, json } = await admin("GET", "snapshot?bucket=bkt&prefix=dir%2F");
    expect(status).toBe(200);
    const objects = json.objects as { key: string; size: number; etag: string }[];
    expect(json.count).toBe(2);
    expect(objects.map((o) => o.key)).toEqual(byteOrder(keys.filter((k) => k.startsWith("dir/"))));
    expect(objects[0]).toMatchObject({ size: Buffer.byteLength("dir/b c.txt"), etag: expect.stringMatching(/^"[0-9a-f]{32}"$/) as unknown });
    expect((await admin("GET", "snapshot?bucket=nope-bucket")).status).toBe(404);
    expect((await admin("GET", "snapshot")).status).toBe(400);
  });

  it("writes an S3 Inventory report of a bucket into another, as S3 lays it out, and refuses what it cannot do", async () => {
    expect((await admin("POST", "inventory", { bucket: "bkt", destinationBucket: "other", format: "CSV" }, null)).status).toBe(401);
    const made = await admin("POST", "inventory", { bucket: "bkt", destinationBucket: "other", destinationPrefix: "inv", configId: "daily", format: "Parquet", createdAt: "2024-05-06T07:08:00Z" });
    expect(made).toMatchObject({ status: 200, json: { manifestKey: "inv/bkt/daily/2024-05-06T07-08Z/manifest.json", rows: keys.length } });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "other", Prefix: "inv/" }));
    const written = (listed.Contents ?? []).map((o) => o.Key ?? "");
    expect(written.filter((k) => !k.startsWith("inv/bkt/daily/data/"))).toEqual([
      "inv/bkt/daily/2024-05-06T07-08Z/manifest.checksum",
      "inv/bkt/daily/2024-05-06T07-08Z/manifest.json",
      "inv/bkt/daily/hive/dt=2024-05-06-07-08/symlink.txt",
    ]);
    expect(written.filter((k) => /^inv\/bkt\/daily\/data\/[0-9a-f-]{36}\.parquet$/.test(k))).toHaveLength(1);
    expect((await admin("POST", "inventory", { bucket: "bkt", destinationBucket: "other", format: "ORC" })).status).toBe(400);
    expect((await admin("POST", "inventory", { bucket: "bkt", destinationBucket: "other", format: "CSV", fields: ["EncryptionStatus"] })).status).toBe(400);
    expect(await admin("POST", "inventory", { bucket: "nope-bucket", destinationBucket: "other", format: "CSV" })).toMatchObject({ status: 404, json: { code: "NoSuchBucket" } });
  });

  it("reads, changes and clears the fault settings, and validates them", async () => {
    const put = await admin("PUT", "faults", { latencyMs: 5, errorRate: 0.25, bucket: "bkt", failNext: { count: 2, kind: "SlowDown" } });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ latencyMs: 5, errorRate: 0.25, bucket: "bkt", scripted: [{ kind: "SlowDown", remaining: 2, bucket: null }] });
    expect((await admin("GET", "faults")).json).toMatchObject({ latencyMs: 5, errorRate: 0.25 });
    expect((await admin("PUT", "faults", { errorRate: 2 })).status).toBe(400);
    expect((await admin("PUT", "faults", { unknownSetting: 1 })).status).toBe(400);
    expect((await admin("PUT", "faults", { failNext: { count: 1, kind: "Explode" } })).status).toBe(400);
    const cleared = await admin("DELETE", "faults");
    expect(cleared.json).toMatchObject({ latencyMs: 0, errorRate: 0, bucket: null, scripted: [] });
  });
});

describe("fault injection on list requests", () => {
  it("fails exactly the next N list requests with the scripted error, leaving other operations alone", async () => {
    await admin("PUT", "faults", { failNext: { count: 2, kind: "SlowDown" } });
    const get = await rawRequest(sandbox, { method: "GET", path: "/bkt/a.txt" });
    expect(get.status).toBe(200);
    const outcomes = [];
    for (let i = 0; i < 3; i++) {
      const res = await list();
      outcomes.push([res.status, res.code]);
    }
    expect(outcomes).toEqual([
      [503, "SlowDown"],
      [503, "SlowDown"],
      [200, undefined],
    ]);
    sandbox.faults.failNext(1, "InternalError");
    expect([(await list()).status, (await list()).status]).toEqual([500, 200]);
    expect(sandbox.faults.state.stats).toMatchObject({ SlowDown: 2, InternalError: 1 });
  });

  it("resets the connection without a response", async () => {
    sandbox.faults.failNext(1, "reset");
    await expect(list()).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await list()).status).toBe(200);
  });

  it("limits faults to one bucket when asked", async () => {
    sandbox.faults.failNext(1, "InternalError", { bucket: "other" });
    expect((await list("bkt")).status).toBe(200);
    expect((await list("other")).status).toBe(500);
    sandbox.faults.configure({ errorRate: 1, bucket: "other" });
    expect((await list("bkt")).status).toBe(200);
    expect((await list("other")).status).toBe(500);
  });

  it("delays list requests by the configured latency", async () => {
    sandbox.faults.configure({ latencyMs: 150 });
    const started = Date.now();
    expect((await list()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    const getStarted = Date.now();
    await rawRequest(sandbox, { method: "GET", path: "/bkt/a.txt" });
    expect(Date.now() - getStarted).toBeLessThan(145);
  });

  it("ignores start-after when told to, at run time, as a server without it would", async () => {
    const page = (StartAfter: string) => s3.send(new ListObjectsV2Command({ Bucket: "bkt", StartAfter })).then((r) => r.Contents?.map((c) => c.Key));
    expect(await page("dir/")).toEqual(byteOrder(keys).filter((k) => k > "dir/"));
    expect((await admin("PUT", "faults", { ignoreStartAfter: true })).json).toMatchObject({ ignoreStartAfter: true });
    expect(await page("dir/")).toEqual(byteOrder(keys));
    const token = (await s3.send(new ListObjectsV2Command({ Bucket: "bkt", MaxKeys: 2 }))).NextContinuationToken;
    const next = await s3.send(new ListObjectsV2Command({ Bucket: "bkt", ContinuationToken: token }));
    expect(next.Contents?.map((c) => c.Key)).toEqual(byteOrder(keys).slice(2));
    await admin("DELETE", "faults");
    expect(await page("dir/")).toEqual(byteOrder(keys).filter((k) => k > "dir/"));
  });

  it("produces errors the SDK understands: it retries 503s and reports the final 500", async () => {
    sandbox.faults.failNext(2, "SlowDown");
    const page = await s3.send(new ListObjectsV2Command({ Bucket: "bkt" }));
    expect(page.Contents?.map((c) => c.Key)).toEqual(byteOrder(keys));
    expect(sandbox.faults.state.stats.SlowDown).toBe(2);
    sandbox.faults.failNext(5, "InternalError");
    const err = await s3.send(new ListObjectsV2Command({ Bucket: "bkt" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3ServiceException);
    expect((err as S3ServiceException).name).toBe("InternalError");
    expect((err as S3ServiceException).$metadata.attempts).toBe(3);
  });
});
