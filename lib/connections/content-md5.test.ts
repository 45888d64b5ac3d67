import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from "@aws-sdk/client-s3";
import type { FinalizeRequestMiddleware } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionRegistry } from "@/lib/connections";
import { startTestSandbox, type TestSandbox } from "@/lib/sandbox/test-helpers";

// DeleteObjects from our connections against a sandbox that insists on Content-MD5, as OpenStack
// Swift's s3api does: the real SDK over real HTTP.

let sandbox: TestSandbox;
let registry: ConnectionRegistry;

beforeAll(async () => {
  sandbox = await startTestSandbox({ seed: false, faults: { requireContentMd5: true } });
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  registry = new ConnectionRegistry({
    sandbox: { endpoint, accessKeyId, secretAccessKey, region },
    extra: [
      { name: "swift", endpoint, region, accessKeyId, secretAccessKey, writable: true },
      { name: "aws-itself", region: "us-east-1", accessKeyId, secretAccessKey, writable: false },
    ],
    probeAws: false,
    env: {},
  });
  sandbox.store.createBucket("md5");
});

afterAll(async () => {
  registry.close();
  await sandbox.stop();
});

/** The headers each request left with, after every middleware of ours and the SDK's had its say. */
function recordHeaders(client: S3Client): Record<string, string>[] {
  const seen: Record<string, string>[] = [];
  const observe: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => (args) => {
    const request = args.request as { headers?: Record<string, string> };
    seen.push({ ...request.headers });
    return next(args);
  };
  client.middlewareStack.add(observe, { step: "finalizeRequest", priority: "low", name: "testObserveHeaders", override: true });
  return seen;
}

async function keysIn(client: S3Client, prefix: string): Promise<string[]> {
  const res = await client.send(new ListObjectsV2Command({ Bucket: "md5", Prefix: prefix }));
  return (res.Contents ?? []).map((c) => c.Key ?? "");
}

describe("DeleteObjects on endpoints other than AWS", () => {
  it.each(["sandbox", "swift"])("carries Content-MD5 instead of the SDK's CRC32 on the %s connection, and the Swift-like server deletes", async (name) => {
    const { client } = await registry.get(name);
    for (const Key of [`${name}/a`, `${name}/b`]) await client.send(new PutObjectCommand({ Bucket: "md5", Key, Body: Key }));
    const seen = recordHeaders(client);
    const res = await client.send(new DeleteObjectsCommand({ Bucket: "md5", Delete: { Objects: [{ Key: `${name}/a` }, { Key: `${name}/b` }], Quiet: true } }));
    const headers = seen.at(-1) ?? {};
    expect(res.Errors ?? []).toEqual([]);
    expect(await keysIn(client, `${name}/`)).toEqual([]);
    expect(headers["content-md5"]).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(Object.keys(headers).filter((h) => h.toLowerCase().startsWith("x-amz-checksum-") || h.toLowerCase().startsWith("x-amz-sdk-checksum-"))).toEqual([]);
    expect(sandbox.faults.state.stats.contentMd5Refused).toBe(0);
  });

  it("leaves a connection to AWS itself with the SDK's default checksum", async () => {
    const aws = await registry.get("aws-itself");
    const sandboxConn = await registry.get("sandbox");
    expect(aws.client.middlewareStack.identify().some((m) => m.startsWith("bucketscopeContentMd5"))).toBe(false);
    expect(sandboxConn.client.middlewareStack.identify().some((m) => m.startsWith("bucketscopeContentMd5"))).toBe(true);
  });

  it("is what the Swift-like server refuses without: a plain SDK client's DeleteObjects gets 400 InvalidRequest", async () => {
    const { client } = await registry.get("swift");
    await client.send(new CreateBucketCommand({ Bucket: "md5-plain" }));
    const plain = new S3Client({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      forcePathStyle: true,
      credentials: { accessKeyId: sandbox.accessKeyId, secretAccessKey: sandbox.secretAccessKey },
    });
    try {
      await plain.send(new PutObjectCommand({ Bucket: "md5-plain", Key: "x", Body: "x" }));
      await expect(plain.send(new DeleteObjectsCommand({ Bucket: "md5-plain", Delete: { Objects: [{ Key: "x" }] } }))).rejects.toMatchObject({
        name: "InvalidRequest",
        message: "Missing required header for this request: Content-MD5",
      });
    } finally {
      plain.destroy();
    }
  });
});
