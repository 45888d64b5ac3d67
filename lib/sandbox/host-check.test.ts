import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawHttp } from "@/scripts/testing/raw-http";
import { rawRequest, sdkClient, startTestSandbox, type TestSandbox } from "./test-helpers";

// A page on a foreign name that DNS-rebinds to the sandbox could sign requests with its published
// credentials; the sandbox answers only to its own names.

let sandbox: TestSandbox;
let s3: S3Client;

beforeAll(async () => {
  sandbox = await startTestSandbox({ seed: true, allowedHosts: [{ name: "s3.proxy.example", port: null }] });
  s3 = sdkClient(sandbox);
  await s3.send(new PutObjectCommand({ Bucket: "demo", Key: "host-check.txt", Body: "hello" }));
});

afterAll(async () => {
  s3?.destroy();
  await sandbox?.stop();
});

function request(path: string, host: string, headers: Record<string, string> = {}) {
  return rawHttp(sandbox.endpoint, path, { headers: { ...headers, host } });
}

describe("sandbox Host check", () => {
  it("refuses a request signed for a foreign name with 421, S3 and admin alike", async () => {
    const port = new URL(sandbox.endpoint).port;
    const signed = await rawRequest(sandbox, { method: "GET", path: "/demo", query: "list-type=2", headers: { host: `attacker.example:${port}` } });
    expect(signed.status).toBe(421);
    expect(signed.body.toString()).toContain('does not answer to the name "attacker.example:');
    const admin = await request("/_bucketscope/health", "attacker.example", { authorization: `Bearer ${sandbox.secretAccessKey}` });
    expect(admin.status).toBe(421);
    const otherPort = await request("/_bucketscope/health", "127.0.0.1:1", { authorization: `Bearer ${sandbox.secretAccessKey}` });
    expect(otherPort.status).toBe(421);
    const inventory = await rawHttp(sandbox.endpoint, "/_bucketscope/inventory", {
      method: "POST",
      headers: { host: "attacker.example", authorization: `Bearer ${sandbox.secretAccessKey}`, "content-type": "application/json" },
      body: JSON.stringify({ bucket: "photos", destinationBucket: "demo", destinationPrefix: "rebound", format: "CSV" }),
    });
    expect(inventory.status).toBe(421);
    const written = await s3.send(new ListObjectsV2Command({ Bucket: "demo", Prefix: "rebound/" }));
    expect(written.KeyCount).toBe(0);
  });

  it("serves the SDK, a presigned download and its own names", async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "demo", Prefix: "host-check" }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual(["host-check.txt"]);
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: "demo", Key: "host-check.txt" }), { expiresIn: 60 });
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe("hello");
    const port = new URL(sandbox.endpoint).port;
    for (const host of [`localhost:${port}`, `[::1]:${port}`, "s3.proxy.example"]) {
      const health = await request("/_bucketscope/health", host, { authorization: `Bearer ${sandbox.secretAccessKey}` });
      expect(health.status, host).toBe(200);
    }
  });
});
