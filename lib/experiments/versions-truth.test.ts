import http from "node:http";
import type { AddressInfo } from "node:net";
import { CreateBucketCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionRegistry } from "@/lib/connections";
import type { PassService } from "@/lib/passes";
import { serviceFor, tempDir } from "@/lib/passes/testing/harness";
import { sdkClient, startTestSandbox, type TestSandbox } from "@/lib/sandbox/test-helpers";
import { TRUTH_METHODS, type ExperimentDetail, type ExperimentParamsInput } from "@/lib/wire";
import { readVersionsTruth, Scope } from "./bucket-ops";
import { ExperimentService } from "./service";
import { historyUnder, runExperiment } from "./testing/harness";

// The race lab on a connection that is not the embedded sandbox (an "s3-compatible" connection to
// the test sandbox's endpoint, no admin API): on a versioned bucket ground truth comes from
// ListObjectVersions as of the experiment's start and end, and cleanup removes every version.

let sandbox: TestSandbox;
let s3: S3Client;
let passes: PassService;
let lab: ExperimentService;
let denying: http.Server;
const never = new AbortController().signal;

function compatible(name: string, endpoint: string): ConnectionRegistry {
  const { accessKeyId, secretAccessKey, region } = sandbox;
  return new ConnectionRegistry({
    sandbox: null,
    extra: [{ name, endpoint, region, accessKeyId, secretAccessKey, forcePathStyle: true, writable: true }],
    probeAws: false,
    env: {},
  });
}

/**
 * Forwards every request to the sandbox unchanged (the SigV4 signature covers the Host header, which
 * is passed through) except permanent deletions, which it answers 403 AccessDenied as S3 does when
 * a policy grants s3:DeleteObject but not s3:DeleteObjectVersion.
 */
function startDenyingProxy(target: URL): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? "/", "http://proxy");
      const permanent = (req.method === "DELETE" && url.searchParams.has("versionId")) || (req.method === "POST" && url.searchParams.has("delete") && body.includes("<VersionId>"));
      if (permanent) {
        res.writeHead(403, { "Content-Type": "application/xml" });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>proxy</RequestId></Error>`);
        return;
      }
      const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on("error", () => res.destroy());
      upstream.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  // The refusing proxy forwards its own Host (127.0.0.1:<its port>), as a reverse proxy would.
  sandbox = await startTestSandbox({ seed: true, allowedHosts: [{ name: "127.0.0.1", port: null }] });
  s3 = sdkClient(sandbox);
  await s3.send(new CreateBucketCommand({ Bucket: "race-versioned" }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: "race-versioned", VersioningConfiguration: { Status: "Enabled" } }));
  await s3.send(new CreateBucketCommand({ Bucket: "race-suspended" }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: "race-suspended", VersioningConfiguration: { Status: "Enabled" } }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: "race-suspended", VersioningConfiguration: { Status: "Suspended" } }));
  passes = serviceFor(sandbox, tempDir("experiments-versions"));
  lab = new ExperimentService({ passes, connections: compatible("compat", sandbox.endpoint), sandboxAdmin: null });
  denying = await startDenyingProxy(new URL(sandbox.endpoint));
}, 60_000);

afterAll(async () => {
  await lab.close();
  await passes.close();
  await new Promise((r) => denying.close(r));
  s3.destroy();
  await sandbox.stop();
});


const anomalies = (d: ExperimentDetail) => Object.fromEntries(d.verdicts.filter((v) => v.verdict !== "consistent").map((v) => [v.key, v.verdict]));

describe("ground truth from object versions on a versioned bucket elsewhere than the sandbox", () => {
  let seed: ExperimentDetail;
  beforeAll(async () => {
    seed = await runExperiment(lab, { connection: "compat", bucket: "race-versioned", scenario: "seed" });
  }, 120_000);

  it("reads both truths as of instants on the server's clock and finds obj_1100 gone-early, as the sandbox snapshot does", () => {
    expect(seed.experiment).toMatchObject({ status: "complete", truthMethod: "versions", truthNote: null, error: null });
    expect(anomalies(seed)).toEqual({ obj_1100: "gone-early" });
    expect(seed.experiment.result).toMatchObject({ equalsStart: false, equalsEnd: true, startKeys: 3000, endKeys: 2999, listedKeys: 2999, pages: 3, mutations: 1 });
    expect(seed.truth.map((t) => [t.which, t.method, t.count, t.tieCount, t.ties])).toEqual([
      ["start", "versions", 3000, 0, []],
      ["end", "versions", 2999, 0, []],
    ]);
    expect(seed.experiment.result?.line).not.toMatch(/ties/);
  });

  it("puts the start instant on a whole second after the seed and before the first page, and no mutation in that second", () => {
    const [start, end] = seed.truth;
    const t = Date.parse(start?.takenAt ?? "");
    expect(t % 1000).toBe(0);
    expect(start?.clock).toMatchObject({ offsetMs: expect.any(Number) as number, uncertaintyMs: expect.any(Number) as number });
    // Same machine: the server's clock is ours, so the instants compare directly.
    expect(t + 1000).toBeLessThanOrEqual(Date.parse(seed.pages[0]?.requestedAt ?? ""));
    expect(Math.floor(Date.parse(seed.mutations[0]?.sentAt ?? "") / 1000)).toBeGreaterThan(t / 1000);
    expect(Date.parse(end?.takenAt ?? "")).toBeGreaterThan(Date.parse(seed.mutations[0]?.ackedAt ?? ""));
  });

  it("removes every version and delete marker the experiment created", async () => {
    expect(seed.experiment).toMatchObject({ cleanedUp: true, cleanupNote: null });
    expect(await historyUnder(s3, "race-versioned", seed.experiment.prefix)).toBe(0);
  });

  it("gives each planted behind/ahead mutation the verdict the sandbox snapshot gives it", async () => {
    const d = await runExperiment(lab, { connection: "compat", bucket: "race-versioned", scenario: "behind-ahead" });
    expect(d.experiment).toMatchObject({ status: "complete", truthMethod: "versions" });
    expect(d.truth.map((t) => [t.method, t.tieCount])).toEqual([
      ["versions", 0],
      ["versions", 0],
    ]);
    expect(anomalies(d)).toEqual({
      obj_0200: "phantom",
      obj_0500a: "missed",
      obj_0700: "stale-version",
      obj_1800: "gone-early",
      obj_2200: "seen-new",
      obj_2500a: "seen-new",
    });
    expect(d.experiment.result).toMatchObject({ equalsStart: false, equalsEnd: false });
    expect(d.experiment.cleanedUp).toBe(true);
    expect(await historyUnder(s3, "race-versioned", d.experiment.prefix)).toBe(0);
  }, 120_000);
});

describe("buckets without usable history fall back to a quiescent listing, saying why", () => {
  const small = (bucket: string): ExperimentParamsInput => ({
    connection: "compat",
    bucket,
    scenario: "custom",
    keyCount: 300,
    pageSize: 100,
    steps: [{ afterPage: 1, op: "delete", key: "obj_0150" }],
  });

  it("a bucket that was never versioned", async () => {
    const d = await runExperiment(lab, small("demo"));
    expect(d.experiment).toMatchObject({ status: "complete", truthMethod: "quiescent-listing", cleanedUp: true });
    expect(d.experiment.truthNote).toMatch(/never had versioning enabled/);
    expect(d.truth.map((t) => t.method)).toEqual(["quiescent-listing", "quiescent-listing"]);
    expect(anomalies(d)).toEqual({ obj_0150: "gone-early" });
  }, 60_000);

  it("a bucket whose versioning is suspended, which is still emptied of every version", async () => {
    const d = await runExperiment(lab, small("race-suspended"));
    expect(d.experiment).toMatchObject({ status: "complete", truthMethod: "quiescent-listing", cleanedUp: true, cleanupNote: null });
    expect(d.experiment.truthNote).toMatch(/suspended/);
    expect(anomalies(d)).toEqual({ obj_0150: "gone-early" });
    expect(await historyUnder(s3, "race-suspended", d.experiment.prefix)).toBe(0);
  }, 60_000);
});

describe("cleanup when permanent deletion is denied", () => {
  it("says so in the experiment, deletes the current keys instead, and leaves the history it could not remove", async () => {
    const { port } = denying.address() as AddressInfo;
    const guarded = new ExperimentService({ passes, connections: compatible("guarded", `http://127.0.0.1:${port}`), sandboxAdmin: null });
    try {
      const d = await runExperiment(guarded, { connection: "guarded", bucket: "race-versioned", scenario: "custom", keyCount: 50, pageSize: 20, steps: [{ afterPage: 1, op: "overwrite", key: "obj_0030" }] });
      expect(d.experiment).toMatchObject({ status: "complete", truthMethod: "versions", cleanedUp: false });
      expect(anomalies(d)).toEqual({ obj_0030: "seen-new" });
      expect(d.experiment.cleanupNote).toMatch(/could not be removed: permanent deletion was denied \(AccessDenied: Access Denied\)/);
      expect(d.experiment.cleanupNote).toMatch(/the prefix lists empty, but that history remains/);
      // 50 seeded versions, one overwrite, and the 50 delete markers cleanup fell back to.
      expect(await historyUnder(s3, "race-versioned", d.experiment.prefix)).toBe(101);
    } finally {
      await guarded.close();
    }
  }, 60_000);
});

describe("ties at T", () => {
  it("reports a key written within T's own second as a tie (counted as before T) instead of deciding it silently", async () => {
    const scope = new Scope(await compatible("compat", sandbox.endpoint).get("compat"), "race-versioned", "bucketscope-race/tie0test/");
    await scope.put("early", "early\n");
    await new Promise((r) => setTimeout(r, 2100)); // "early" lands at least two whole seconds before "same-second"
    await scope.put("same-second", "tied\n");
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: "race-versioned", Prefix: scope.prefix }));
    const stamp = listed.Versions?.find((v) => v.Key === `${scope.prefix}same-second`)?.LastModified?.getTime() ?? NaN;
    expect(stamp % 1000).toBe(0);
    const truth = await readVersionsTruth(scope, stamp + 500, null, never);
    expect([...truth.contents.keys()]).toEqual(["early", "same-second"]);
    expect(truth.tieCount).toBe(1);
    expect(truth.ties).toEqual([{ key: "same-second", atT: expect.objectContaining({ deleteMarker: false }) as unknown, beforeT: null }]);
    const before = await readVersionsTruth(scope, stamp - 1, null, never);
    expect([before.tieCount, [...before.contents.keys()]]).toEqual([0, ["early"]]);
    expect(await scope.empty(never, "Enabled")).toEqual({ cleaned: true, note: null });
    expect(await historyUnder(s3, "race-versioned", scope.prefix)).toBe(0);
  });
});

describe("the UI's words for each ground truth", () => {
  it("has a label and one sentence for every method", () => {
    for (const m of ["sandbox-snapshot", "versions", "quiescent-listing"] as const) {
      expect(TRUTH_METHODS[m].label.length).toBeGreaterThan(0);
      expect(TRUTH_METHODS[m].sentence).toMatch(/^[A-Z].*\.$/);
    }
    expect(TRUTH_METHODS.versions.sentence).toMatch(/ties/);
  });
});
