import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionRegistry, type Connection } from "@/lib/connections";
import type { PassService } from "@/lib/passes";
import { registryFor, serviceFor, tempDir } from "@/lib/passes/testing/harness";
import { startTestSandbox, type TestSandbox } from "@/lib/sandbox/test-helpers";
import { Scope } from "./bucket-ops";
import { ExperimentService } from "./service";
import { historyUnder, runExperiment } from "./testing/harness";

// Every write the race lab makes (seeding, mutations, cleanup, versioned cleanup) against a sandbox
// that refuses DeleteObjects without Content-MD5, as OpenStack Swift's s3api does: through the
// embedded sandbox connection and through an "s3-compatible" connection to the same endpoint.

let sandbox: TestSandbox;
let s3: S3Client;
let passes: PassService;
let onSandbox: ExperimentService;
let onSwift: ExperimentService;
const never = new AbortController().signal;

beforeAll(async () => {
  sandbox = await startTestSandbox({ seed: true, faults: { requireContentMd5: true } });
  s3 = new S3Client({
    endpoint: sandbox.endpoint,
    region: sandbox.region,
    forcePathStyle: true,
    credentials: { accessKeyId: sandbox.accessKeyId, secretAccessKey: sandbox.secretAccessKey },
  });
  await s3.send(new CreateBucketCommand({ Bucket: "swift-plain" }));
  await s3.send(new CreateBucketCommand({ Bucket: "swift-versioned" }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: "swift-versioned", VersioningConfiguration: { Status: "Enabled" } }));
  passes = serviceFor(sandbox, tempDir("experiments-md5"));
  onSandbox = new ExperimentService({ passes, connections: registryFor(sandbox), sandboxAdmin: { endpoint: sandbox.endpoint, secretAccessKey: sandbox.secretAccessKey } });
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  onSwift = new ExperimentService({
    passes,
    connections: new ConnectionRegistry({ sandbox: null, extra: [{ name: "swift", endpoint, region, accessKeyId, secretAccessKey, writable: true }], probeAws: false, env: {} }),
    sandboxAdmin: null,
  });
}, 60_000);

afterAll(async () => {
  await onSandbox.close();
  await onSwift.close();
  await passes.close();
  s3.destroy();
  await sandbox.stop();
});


const keysUnder = (bucket: string, prefix: string) => sandbox.store.snapshotPrefix(bucket, prefix).map((o) => o.key);

const STEPS = [
  { afterPage: 1, op: "put", key: "obj_0015a" },
  { afterPage: 1, op: "delete", key: "obj_0025" },
  { afterPage: 1, op: "overwrite", key: "obj_0005" },
] as const;

describe("the race lab on a server that requires Content-MD5 on DeleteObjects", () => {
  // The case (the seed scenario left its 2999 keys behind) at a third of the size: still more than one
  // DeleteObjects batch of 1000 all the same.
  it("cleans up 1099 keys through an s3-compatible connection, leaving nothing under its prefix", async () => {
    const d = await runExperiment(onSwift, { connection: "swift", bucket: "swift-plain", scenario: "custom", keyCount: 1100, pageSize: 500, steps: [{ afterPage: 1, op: "delete", key: "obj_0600" }] });
    expect(d.experiment).toMatchObject({ status: "complete", error: null, cleanedUp: true, cleanupNote: null, truthMethod: "quiescent-listing" });
    expect(d.experiment.result).toMatchObject({ listedKeys: 1099, mutations: 1 });
    expect(keysUnder("swift-plain", d.experiment.prefix)).toEqual([]);
    expect(sandbox.faults.state.stats.contentMd5Refused).toBe(0);
  }, 120_000);

  it("writes, mutates and removes every version and delete marker on a versioned bucket through an s3-compatible connection", async () => {
    const d = await runExperiment(onSwift, { connection: "swift", bucket: "swift-versioned", scenario: "custom", keyCount: 30, pageSize: 10, steps: [...STEPS] });
    expect(d.experiment).toMatchObject({ status: "complete", error: null, cleanedUp: true, cleanupNote: null, truthMethod: "versions" });
    expect(d.mutations.map((m) => [m.op, m.key, m.ok])).toEqual([
      ["put", "obj_0015a", true],
      ["delete", "obj_0025", true],
      ["overwrite", "obj_0005", true],
    ]);
    expect(await historyUnder(s3, "swift-versioned", d.experiment.prefix)).toBe(0);
    expect(sandbox.faults.state.stats.contentMd5Refused).toBe(0);
  }, 120_000);

  it("does the same through the embedded sandbox connection", async () => {
    const d = await runExperiment(onSandbox, { connection: "sandbox", bucket: "demo", scenario: "custom", keyCount: 30, pageSize: 10, steps: [...STEPS] });
    expect(d.experiment).toMatchObject({ status: "complete", error: null, cleanedUp: true, cleanupNote: null, truthMethod: "sandbox-snapshot" });
    expect(d.mutations.every((m) => m.ok)).toBe(true);
    expect(keysUnder("demo", d.experiment.prefix)).toEqual([]);
    expect(sandbox.faults.state.stats.contentMd5Refused).toBe(0);
  }, 120_000);
});

describe("cleanup with a client that cannot send Content-MD5", () => {
  // A client as the SDK builds it by default (CRC32 only): DeleteObjects is refused, so cleanup
  // deletes key by key instead, and says nothing is left.
  const plainConnection = (): Connection => {
    const client = new S3Client({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      forcePathStyle: true,
      credentials: { accessKeyId: sandbox.accessKeyId, secretAccessKey: sandbox.secretAccessKey },
    });
    const view = { name: "plain", kind: "s3-compatible", region: sandbox.region, writable: true, maxConcurrency: 1 } as const;
    return { name: "plain", kind: "s3-compatible", writable: true, client, view, maxConcurrency: 1 };
  };

  it.each([
    ["swift-plain", "off"],
    ["swift-versioned", "Enabled"],
  ] as const)("falls back to DeleteObject per key on %s and empties the prefix", async (bucket, versioning) => {
    const conn = plainConnection();
    try {
      const prefix = `bucketscope-race/fallback${versioning === "off" ? "0" : "1"}/`;
      const scope = new Scope(conn, bucket, prefix);
      const keys = Array.from({ length: 25 }, (_, i) => `k${i}`);
      await scope.seed(keys, (k) => k, never);
      await scope.delete("k3");
      const refusedBefore = sandbox.faults.state.stats.contentMd5Refused;
      const cleanup = await scope.empty(never, versioning);
      expect(cleanup).toEqual({ cleaned: true, note: null });
      expect(keysUnder(bucket, prefix)).toEqual([]);
      if (versioning !== "off") expect(await historyUnder(s3, bucket, prefix)).toBe(0);
      // Refused once; every later batch went key by key without asking again.
      expect(sandbox.faults.state.stats.contentMd5Refused - refusedBefore).toBe(1);
    } finally {
      conn.client.destroy();
    }
  });
});
