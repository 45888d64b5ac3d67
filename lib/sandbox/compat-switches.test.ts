import { createHash } from "node:crypto";
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3ServiceException,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rawRequest, sdkClient, startTestSandbox, type TestSandbox } from "./test-helpers";

// The switches that make the sandbox answer like other S3-compatible servers, over real HTTP with
// the AWS SDK: listings that end early, and DeleteObjects that insists on Content-MD5.

let sandbox: TestSandbox;
let s3: S3Client;
const KEYS = Array.from({ length: 9 }, (_, i) => `k${i}`);

beforeAll(async () => {
  sandbox = await startTestSandbox();
  s3 = sdkClient(sandbox);
  for (const bucket of ["plain", "versions", "elsewhere"]) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const bucket of ["versions", "elsewhere"]) {
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
  }
  for (const bucket of ["plain", "versions", "elsewhere"]) {
    for (const Key of KEYS) await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }));
  }
});

beforeEach(() => {
  sandbox.faults.clear();
});

afterAll(async () => {
  s3?.destroy();
  await sandbox?.stop();
});

async function admin(method: string, body?: unknown) {
  const res = await fetch(`${sandbox.endpoint}/_bucketscope/faults`, {
    method,
    headers: { authorization: `Bearer ${sandbox.secretAccessKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const versionsPage = (Bucket: string, KeyMarker?: string, VersionIdMarker?: string) =>
  s3.send(new ListObjectVersionsCommand({ Bucket, MaxKeys: 4, KeyMarker, VersionIdMarker }));

describe("listEndEarly", () => {
  it("answers a continued ListObjectsV2 with an empty, untruncated page, while StartAfter still lists", async () => {
    sandbox.faults.configure({ listEndEarly: true });
    const first = await s3.send(new ListObjectsV2Command({ Bucket: "plain", MaxKeys: 4 }));
    expect([first.IsTruncated, first.Contents?.map((c) => c.Key)]).toEqual([true, ["k0", "k1", "k2", "k3"]]);
    const next = await s3.send(new ListObjectsV2Command({ Bucket: "plain", MaxKeys: 4, ContinuationToken: first.NextContinuationToken }));
    expect([next.IsTruncated, next.KeyCount, next.Contents, next.NextContinuationToken]).toEqual([false, 0, undefined, undefined]);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: "plain", MaxKeys: 4, StartAfter: "k3" }));
    expect(after.Contents?.map((c) => c.Key)).toEqual(["k4", "k5", "k6", "k7"]);
    expect(sandbox.faults.state.stats.endedEarly).toBe(1);
  });

  it("leaves other buckets alone when scoped to one", async () => {
    sandbox.faults.configure({ listEndEarly: true, bucket: "elsewhere" });
    const first = await s3.send(new ListObjectsV2Command({ Bucket: "plain", MaxKeys: 4 }));
    const next = await s3.send(new ListObjectsV2Command({ Bucket: "plain", MaxKeys: 4, ContinuationToken: first.NextContinuationToken }));
    expect(next.Contents?.map((c) => c.Key)).toEqual(["k4", "k5", "k6", "k7"]);
  });
});

describe("versionsEndEarly", () => {
  it('"null-marker": a truncated page without NextVersionIdMarker (the versions have real ids), then an empty, untruncated page', async () => {
    sandbox.faults.configure({ versionsEndEarly: "null-marker" });
    const first = await versionsPage("versions");
    expect(first.IsTruncated).toBe(true);
    expect(first.NextKeyMarker).toBe("k3");
    expect(first.NextVersionIdMarker).toBeUndefined();
    expect(first.Versions?.[3]?.VersionId).toMatch(/^[A-Za-z0-9._-]{16,}$/);
    for (const versionIdMarker of [undefined, first.Versions?.[3]?.VersionId]) {
      const next = await versionsPage("versions", "k3", versionIdMarker);
      expect([next.IsTruncated, next.Versions, next.DeleteMarkers, next.NextKeyMarker]).toEqual([false, undefined, undefined, undefined]);
    }
    // The bug is in the versions listing only: ListObjectsV2 still lists every key.
    expect((await s3.send(new ListObjectsV2Command({ Bucket: "versions" }))).KeyCount).toBe(KEYS.length);
  });

  it('"untruncated": the first page says it is the last one', async () => {
    sandbox.faults.configure({ versionsEndEarly: "untruncated" });
    const first = await versionsPage("versions");
    expect([first.IsTruncated, first.Versions?.length, first.NextKeyMarker, first.NextVersionIdMarker]).toEqual([false, 4, undefined, undefined]);
  });

  it("omitNextVersionIdMarker leaves the marker out but answers continued requests normally", async () => {
    sandbox.faults.configure({ omitNextVersionIdMarker: true });
    const first = await versionsPage("versions");
    expect([first.IsTruncated, first.NextKeyMarker, first.NextVersionIdMarker]).toEqual([true, "k3", undefined]);
    const next = await versionsPage("versions", "k3", first.Versions?.[3]?.VersionId);
    expect(next.Versions?.map((v) => v.Key)).toEqual(["k4", "k5", "k6", "k7"]);
  });
});

describe("requireContentMd5", () => {
  const deleteBody = (key: string) => `<Delete><Object><Key>${key}</Key></Object><Quiet>true</Quiet></Delete>`;

  it("refuses a DeleteObjects that carries only the SDK's default CRC32 checksum, in Swift's words", async () => {
    sandbox.faults.configure({ requireContentMd5: true });
    const err = await s3.send(new DeleteObjectsCommand({ Bucket: "plain", Delete: { Objects: [{ Key: "k0" }] } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3ServiceException);
    expect(err).toMatchObject({ name: "InvalidRequest", message: "Missing required header for this request: Content-MD5", $metadata: { httpStatusCode: 400 } });
    expect(sandbox.store.snapshotPrefix("plain", "k0").map((o) => o.key)).toEqual(["k0"]);
    expect(sandbox.faults.state.stats.contentMd5Refused).toBe(1);
  });

  it("accepts the same request with Content-MD5, and the CRC32 one again once switched off", async () => {
    sandbox.faults.configure({ requireContentMd5: true });
    const body = deleteBody("k0");
    const md5 = createHash("md5").update(body).digest("base64");
    const res = await rawRequest(sandbox, { method: "POST", path: "/plain", query: "delete=", body, headers: { "content-md5": md5, "content-type": "application/xml" } });
    expect(res.status).toBe(200);
    expect(sandbox.store.snapshotPrefix("plain", "k0")).toEqual([]);
    sandbox.faults.configure({ requireContentMd5: false });
    await s3.send(new DeleteObjectsCommand({ Bucket: "plain", Delete: { Objects: [{ Key: "k1" }] } }));
    expect(sandbox.store.snapshotPrefix("plain", "k1")).toEqual([]);
  });
});

describe("the switches at run time under /_bucketscope/faults", () => {
  it("are read, set, validated and cleared like the other fault settings", async () => {
    const put = await admin("PUT", { requireContentMd5: true, versionsEndEarly: "null-marker", listEndEarly: true, omitNextVersionIdMarker: true });
    expect(put).toMatchObject({ status: 200, json: { requireContentMd5: true, versionsEndEarly: "null-marker", listEndEarly: true, omitNextVersionIdMarker: true } });
    expect((await admin("PUT", { versionsEndEarly: "sometimes" })).status).toBe(400);
    expect((await admin("PUT", { requireContentMd5: "yes" })).status).toBe(400);
    expect(sandbox.faults.state.versionsEndEarly).toBe("null-marker");
    const cleared = await admin("DELETE");
    expect(cleared.json).toMatchObject({ requireContentMd5: false, versionsEndEarly: null, listEndEarly: false, omitNextVersionIdMarker: false });
  });
});
