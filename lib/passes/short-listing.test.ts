import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "@/lib/sandbox";
import type { PageRecord, PassSummary } from "@/lib/wire";
import type { PassService } from "./service";
import { collect, passKeys, serviceFor, startTestSandbox } from "./testing/harness";

// Passes on a server that ends listings early (the sandbox switched to answer like one), over real
// HTTP with the AWS SDK: they end failed with `short_listing` and the reason, never complete and short.

let sandbox: Sandbox;
let s3: S3Client;
let passes: PassService;
const KEYS = Array.from({ length: 29 }, (_, i) => `photo-${String(i).padStart(2, "0")}.jpg`);
const meta = { contentType: "text/plain", userMetadata: {}, storageClass: "STANDARD" };

beforeAll(async () => {
  sandbox = await startTestSandbox();
  s3 = new S3Client({
    endpoint: sandbox.endpoint,
    region: sandbox.region,
    forcePathStyle: true,
    credentials: { accessKeyId: sandbox.accessKeyId, secretAccessKey: sandbox.secretAccessKey },
  });
  for (const Bucket of ["swift-versions", "swift-plain"]) await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: "swift-versions", VersioningConfiguration: { Status: "Enabled" } }));
  for (const Key of KEYS) {
    for (const Bucket of ["swift-versions", "swift-plain"]) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
  }
  // Written an hour ago: keys that certainly existed before any walk below began.
  sandbox.store.createBucket("old-versions");
  sandbox.store.setVersioning("old-versions", "Enabled");
  sandbox.store.writeAt(new Date(Date.now() - 3_600_000), () => {
    for (const key of KEYS) sandbox.store.putObject({ bucket: "old-versions", key, body: Buffer.from(key), meta });
  });
  passes = serviceFor(sandbox);
}, 60_000);

afterEach(() => {
  sandbox.faults.clear();
});

afterAll(async () => {
  await passes.close();
  s3.destroy();
  await sandbox.close();
});

async function pagesOf(id: string): Promise<PageRecord[]> {
  const events = await collect(passes.events(id, new AbortController().signal));
  return events.flatMap((e) => (e.type === "page" ? [e.page] : []));
}

async function run(bucket: string, kind: "list" | "snapshot", pageSize = 7): Promise<PassSummary> {
  const id = await passes.create({ kind, connection: "sandbox", bucket, prefix: "", pageSize });
  return passes.settled(id);
}

describe("a snapshot pass on a server whose ListObjectVersions loses its place (the issue's scenario)", () => {
  it("ends failed with short_listing and the reason (page size 7, a versioned bucket of 29 keys), not complete with 6", async () => {
    sandbox.faults.configure({ versionsEndEarly: "null-marker" });
    const pass = await run("swift-versions", "snapshot");
    expect(pass.status).toBe("failed");
    expect(pass.resumable).toBe(true);
    expect(pass.error).toMatchObject({ code: "short_listing", retryable: false });
    expect(pass.error?.message).toContain('yet ListObjectsV2 still lists "photo-07.jpg" after the last key listed ("photo-06.jpg"): the server ended the versions listing early');
    expect(pass.totals).toMatchObject({ pages: 2, keys: 6 });
    const pages = await pagesOf(pass.id);
    expect(pages.map((p) => [p.index, p.isTruncated, p.versions?.versions, p.flags?.map((f) => f.kind) ?? [], p.error?.code ?? null])).toEqual([
      [0, true, 7, ["marker_repaired"], null],
      [1, false, 0, [], "short_listing"],
    ]);
    expect(pages[0]?.versions).toMatchObject({ nextKeyMarker: "photo-06.jpg", nextVersionIdMarker: null });
    expect(pages[1]?.versions?.versionIdMarker).toMatch(/^[A-Za-z0-9._-]{16,}$/);
    expect(sandbox.faults.state.stats.endedEarly).toBe(2);

    // Resuming on the same server fails the same way; once it answers fully, the pass completes.
    await expect(passes.resume(pass.id)).rejects.toMatchObject({ code: "short_listing" });
    expect((await passes.settled(pass.id)).status).toBe("failed");
    sandbox.faults.clear();
    await passes.resume(pass.id);
    const done = await passes.settled(pass.id);
    expect(done).toMatchObject({ status: "complete", error: null, totals: { keys: 29 } });
    expect(passKeys(passes, pass.id)).toEqual(KEYS);
    expect(done.snapshot?.crossCheck).toMatchObject({ listed: 29, missing: 0, examples: [] });
  });

  it("is complete, with every key and a cross-check that found nothing missing, when the server keeps its place", async () => {
    const pass = await run("swift-versions", "snapshot");
    expect(pass).toMatchObject({ status: "complete", error: null, totals: { keys: 29, pages: 5 } });
    expect(pass.snapshot?.crossCheck).toMatchObject({ listed: 29, missing: 0, examples: [] });
    expect((await pagesOf(pass.id)).every((p) => p.flags === undefined)).toBe(true);
  });

  it("is complete and flagged when only NextVersionIdMarker is missing: the walk continues after the last version", async () => {
    sandbox.faults.configure({ omitNextVersionIdMarker: true });
    const pass = await run("swift-versions", "snapshot");
    expect(pass).toMatchObject({ status: "complete", totals: { keys: 29 } });
    expect(passKeys(passes, pass.id)).toEqual(KEYS);
    const flagged = (await pagesOf(pass.id)).map((p) => p.flags?.map((f) => f.kind) ?? []);
    expect(flagged).toEqual([["marker_repaired"], ["marker_repaired"], ["marker_repaired"], ["marker_repaired"], []]);
  });
});

describe("the snapshot's cross-check against ListObjectsV2", () => {
  it("fails a pass whose versions listing claimed to end after its first page, naming the keys it left out", async () => {
    sandbox.faults.configure({ versionsEndEarly: "untruncated" });
    const pass = await run("old-versions", "snapshot");
    expect(pass.status).toBe("failed");
    expect(pass.totals).toMatchObject({ pages: 1, keys: 7 });
    expect(pass.error).toMatchObject({ code: "short_listing", retryable: false });
    expect(pass.error?.message).toBe(
      'ListObjectsV2 of the same prefix, read after the versions walk, lists 22 keys that existed before the walk ended yet are not in the versions listing ("photo-07.jpg", "photo-08.jpg", "photo-09.jpg", "photo-10.jpg", "photo-11.jpg", …): the server ended ListObjectVersions early (its last key was "photo-06.jpg"). The snapshot is short, so the pass is failed, not complete.',
    );
    expect(pass.snapshot?.crossCheck).toMatchObject({ listed: 29, missing: 22, examples: ["photo-07.jpg", "photo-08.jpg", "photo-09.jpg", "photo-10.jpg", "photo-11.jpg"] });

    // The recorded walk stays short: resuming re-checks it and fails again, even on a fixed server.
    sandbox.faults.clear();
    await expect(passes.resume(pass.id)).rejects.toMatchObject({ code: "short_listing" });
    expect(await passes.settled(pass.id)).toMatchObject({ status: "failed", error: { code: "short_listing" } });
    // The check-only run held one running-pass slot and gave it back once.
    expect(passes.running).toBe(0);
  });

  it("passes a complete versions listing of the same keys", async () => {
    const pass = await run("old-versions", "snapshot");
    expect(pass).toMatchObject({ status: "complete", totals: { keys: 29 } });
    expect(pass.snapshot?.crossCheck).toMatchObject({ listed: 29, missing: 0 });
  });
});

describe("a list pass on a server whose ListObjectsV2 loses its place", () => {
  it("ends failed with short_listing after the first page, and a resume continues after the last key listed", async () => {
    sandbox.faults.configure({ listEndEarly: true });
    const pass = await run("swift-plain", "list");
    expect(pass).toMatchObject({ status: "failed", resumable: true, totals: { pages: 2, keys: 7 }, error: { code: "short_listing" } });
    expect(pass.error?.message).toContain('still lists "photo-07.jpg" after the last key listed ("photo-06.jpg")');
    sandbox.faults.clear();
    await passes.resume(pass.id);
    const done = await passes.settled(pass.id);
    expect(done).toMatchObject({ status: "complete", totals: { keys: 29, anomalies: 0 } });
    expect(passKeys(passes, pass.id)).toEqual(KEYS);
    const pages = await pagesOf(pass.id);
    expect(pages[2]).toMatchObject({ resumedBy: "start-after", request: { startAfter: "photo-06.jpg", continuationToken: null } });
  });
});
