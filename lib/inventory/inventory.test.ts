import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DiffService } from "@/lib/diff";
import { AppError } from "@/lib/http";
import { csvLine, manifestJson, md5Hex, type FieldName } from "@/lib/inventory-format";
import type { PassService } from "@/lib/passes";
import { passKeys, serviceFor, startTestSandbox, tempDir } from "@/lib/passes/testing/harness";
import type { Sandbox } from "@/lib/sandbox";
import { DEMO_INVENTORY, UNICODE_DEMO_KEYS } from "@/lib/sandbox/seed";
import { sdkClient } from "@/lib/sandbox/test-helpers";
import { gzipSync } from "node:zlib";
import { getObject, keySetHash, putObject, readWithDuckDB, sandboxInventory } from "./testing";

// Inventory in and out over real HTTP: the sandbox writes reports as S3 does, passes import them,
// export passes as reports, and DuckDB (sharing no code with ours) reads what we write.

let sandbox: Sandbox;
let s3: S3Client;
const services: PassService[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox();
  s3 = sdkClient(sandbox);
  for (const b of ["reports", "exports"]) sandbox.store.createBucket(b);
});
afterAll(async () => {
  s3.destroy();
  await sandbox.close();
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function setup(): { passes: PassService; diff: DiffService } {
  const passes = serviceFor(sandbox);
  services.push(passes);
  return { passes, diff: new DiffService(passes.store) };
}

function scratch(label: string): string {
  const d = tempDir(label);
  dirs.push(d);
  return d;
}

async function importReport(passes: PassService, bucket: string, manifestKey: string, reportBucket = "reports") {
  const id = await passes.create({ kind: "inventory", connection: "sandbox", bucket, prefix: "", pageSize: 1000, inventory: { bucket: reportBucket, manifestKey } });
  return passes.settled(id);
}

async function listPass(passes: PassService, bucket: string) {
  return passes.settled(await passes.create({ connection: "sandbox", bucket, prefix: "", pageSize: 1000 }));
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected the promise to be rejected");
}

describe("sandbox report → import → export → DuckDB", () => {
  it("keeps every hostile key of unicode (spaces, +, %, newlines, emoji, 1024 bytes) through CSV and Parquet", async () => {
    const { passes, diff } = setup();
    const live = await listPass(passes, "unicode");
    expect(live.totals.keys).toBe(UNICODE_DEMO_KEYS.length);

    for (const format of ["CSV", "Parquet"] as const) {
      const made = await sandboxInventory(sandbox, { bucket: "unicode", destinationBucket: "reports", destinationPrefix: "hostile", configId: `cfg-${format}`, format });
      expect(made.status).toBe(200);
      const manifestKey = made.json.manifestKey ?? "";
      expect(manifestKey).toMatch(new RegExp(`^hostile/unicode/cfg-${format}/\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}Z/manifest\\.json$`));

      const imported = await importReport(passes, "unicode", manifestKey);
      expect(imported).toMatchObject({ kind: "inventory", status: "complete", error: null, resumable: false });
      expect(imported.inventory).toMatchObject({ fileFormat: format, sourceBucket: "unicode", versions: false, files: 1, notes: [] });
      expect(imported.totals.keys).toBe(UNICODE_DEMO_KEYS.length);
      expect(passKeys(passes, imported.id)).toEqual(passKeys(passes, live.id));
      const against = await diff.summary({ a: imported.id, b: live.id, allowIncomplete: false, allowDifferentBuckets: false });
      expect(against.counts).toMatchObject({ added: 0, removed: 0, changed: 0, unchanged: UNICODE_DEMO_KEYS.length });

      for (const out of ["CSV", "Parquet"] as const) {
        const exported = await passes.exportInventory(imported.id, { connection: "sandbox", bucket: "exports", prefix: `from-${format}`, configId: `rt-${out}`, format: out });
        expect(exported.rows).toBe(UNICODE_DEMO_KEYS.length);
        const read = await readWithDuckDB(s3, "exports", exported.manifestKey, scratch("duckdb"));
        expect(read.rows).toBe(imported.totals.keys);
        expect(read.totalSize).toBe(imported.totals.bytes);
        expect(keySetHash(read.keys)).toBe(keySetHash(UNICODE_DEMO_KEYS));

        const again = await importReport(passes, "unicode", exported.manifestKey, "exports");
        const roundTrip = await diff.summary({ a: imported.id, b: again.id, allowIncomplete: false, allowDifferentBuckets: false });
        expect(roundTrip.counts).toMatchObject({ added: 0, removed: 0, changed: 0, pageShifts: 0, unchanged: UNICODE_DEMO_KEYS.length });
      }
    }
  }, 120_000);

  it("exports a list pass in AWS's columns and types, which DuckDB reads with the pass's count, size and keys", async () => {
    const { passes } = setup();
    const live = await listPass(passes, "photos");
    const csv = await passes.exportInventory(live.id, { connection: "sandbox", bucket: "exports", prefix: "types", configId: "photos", format: "CSV" });
    const parquet = await passes.exportInventory(live.id, { connection: "sandbox", bucket: "exports", prefix: "types", configId: "photos-pq", format: "Parquet" });
    const manifest = JSON.parse((await getObject(s3, "exports", csv.manifestKey)).toString("utf8")) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      sourceBucket: "photos",
      destinationBucket: "arn:aws:s3:::exports",
      version: "2016-11-30",
      creationTimestamp: String(Date.parse(live.createdAt)),
      fileFormat: "CSV",
      fileSchema: "Bucket, Key, Size, LastModifiedDate, ETag, StorageClass",
    });
    expect(md5Hex(await getObject(s3, "exports", csv.manifestKey))).toBe((await getObject(s3, "exports", csv.manifestKey.replace(/json$/, "checksum"))).toString("utf8"));
    const root = "types/photos/photos-pq";
    const dt = parquet.manifestKey.slice(`${root}/`.length, `${root}/`.length + 17).replace("T", "-").replace(/Z$/, "");
    const symlink = (await getObject(s3, "exports", `${root}/hive/dt=${dt}/symlink.txt`)).toString("utf8");
    expect(symlink).toBe(parquet.files.map((f) => `s3://exports/${f.key}\n`).join(""));
    expect(parquet.files.every((f) => f.key.startsWith(`${root}/data/`) && f.key.endsWith(".parquet"))).toBe(true);

    const read = await readWithDuckDB(s3, "exports", parquet.manifestKey, scratch("duckdb"));
    expect(read.columns).toEqual([
      { name: "bucket", type: "VARCHAR" },
      { name: "key", type: "VARCHAR" },
      { name: "size", type: "BIGINT" },
      { name: "last_modified_date", type: "TIMESTAMP" },
      { name: "e_tag", type: "VARCHAR" },
      { name: "storage_class", type: "VARCHAR" },
    ]);
    expect(read.rows).toBe(live.totals.keys);
    expect(read.totalSize).toBe(live.totals.bytes);
    expect(keySetHash(read.keys)).toBe(keySetHash(passKeys(passes, live.id)));
    const fromCsv = await readWithDuckDB(s3, "exports", csv.manifestKey, scratch("duckdb"));
    expect([fromCsv.rows, fromCsv.totalSize, keySetHash(fromCsv.keys)]).toEqual([read.rows, read.totalSize, keySetHash(read.keys)]);

    // The same report as a download: a tar archive with the layout and files the manifest names.
    const dir = scratch("tar");
    const file = passes.downloadInventory(live.id, { bucket: "exports", prefix: "dl", configId: "photos", format: "CSV" }, new AbortController().signal);
    const chunks: Buffer[] = [];
    for await (const c of file.stream as AsyncIterable<Buffer>) chunks.push(c);
    fs.writeFileSync(path.join(dir, "report.tar"), Buffer.concat(chunks));
    execFileSync("tar", ["-xf", "report.tar"], { cwd: dir });
    const folder = fs.readdirSync(path.join(dir, "dl/photos/photos")).find((n) => /Z$/.test(n)) ?? "";
    const tarManifest = JSON.parse(fs.readFileSync(path.join(dir, "dl/photos/photos", folder, "manifest.json"), "utf8")) as { files: { key: string; MD5checksum: string }[] };
    for (const f of tarManifest.files) expect(md5Hex(fs.readFileSync(path.join(dir, f.key)))).toBe(f.MD5checksum);
    expect(fs.readFileSync(path.join(dir, "dl/photos/photos", folder, "manifest.checksum"), "utf8")).toBe(md5Hex(fs.readFileSync(path.join(dir, "dl/photos/photos", folder, "manifest.json"))));
  }, 60_000);

  it("imports a versions report as the current versions with their version ids, and exports a snapshot with VersionId, IsLatest, IsDeleteMarker", async () => {
    const { passes, diff } = setup();
    const made = await sandboxInventory(sandbox, { bucket: "versioned", destinationBucket: "reports", configId: "all", format: "Parquet", includedObjectVersions: "All" });
    expect(made.status).toBe(200);
    const imported = await importReport(passes, "versioned", made.json.manifestKey ?? "");
    expect(imported.inventory).toMatchObject({ versions: true });
    const current = sandbox.store.snapshotPrefix("versioned", "");
    expect(imported.totals.keys).toBe(current.length);
    const entries = passes.entries(imported.id, { limit: 1000 }).entries;
    expect(entries.map((e) => [e.key, e.versionId ?? null])).toEqual(current.map((v) => [v.key, v.versionId === "null" ? null : v.versionId]));
    const progress = imported.inventory?.progress;
    expect((progress?.noncurrent ?? 0) + (progress?.deleteMarkers ?? 0) + imported.totals.keys).toBe(progress?.rows);
    expect(progress?.deleteMarkers).toBeGreaterThan(0);
    expect(await diff.summary({ a: imported.id, b: (await listPass(passes, "versioned")).id, allowIncomplete: false, allowDifferentBuckets: false })).toMatchObject({ counts: { added: 0, removed: 0, changed: 0 } });

    const snapshot = await passes.settled(await passes.create({ kind: "snapshot", connection: "sandbox", bucket: "versioned", prefix: "", pageSize: 1000 }));
    const exported = await passes.exportInventory(snapshot.id, { connection: "sandbox", bucket: "exports", prefix: "snap", configId: "v", format: "CSV" });
    const manifest = JSON.parse((await getObject(s3, "exports", exported.manifestKey)).toString("utf8")) as { fileSchema: string; creationTimestamp: string };
    expect(manifest.fileSchema).toBe("Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass");
    expect(manifest.creationTimestamp).toBe(String(Date.parse(snapshot.snapshot?.asOf ?? "")));
    const back = await importReport(passes, "versioned", exported.manifestKey, "exports");
    expect(passes.entries(back.id, { limit: 1000 }).entries.map((e) => e.versionId)).toEqual(passes.entries(snapshot.id, { limit: 1000 }).entries.map((e) => e.versionId));
  }, 60_000);
});

describe("a report that cannot be trusted is not imported", () => {
  async function multiFileReport(configId: string) {
    const made = await sandboxInventory(sandbox, { bucket: "demo", destinationBucket: "reports", configId, format: "CSV", rowsPerFile: 1000 });
    expect(made.status).toBe(200);
    expect(made.json.files).toHaveLength(3);
    return { manifestKey: made.json.manifestKey ?? "", files: (made.json.files ?? []).map((f) => f.key) };
  }

  it("a data file whose MD5 differs: the pass fails naming the file, and keeps no key of the report", async () => {
    const { passes, diff } = setup();
    const { manifestKey, files } = await multiFileReport("corrupt");
    const original = await getObject(s3, "reports", files[2] ?? "");
    const flipped = Buffer.from(original);
    flipped[flipped.length - 20] = (flipped[flipped.length - 20] ?? 0) ^ 0xff;
    await putObject(s3, "reports", files[2] ?? "", flipped);

    const failed = await importReport(passes, "demo", manifestKey);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatchObject({ code: "invalid_inventory", retryable: false });
    expect(failed.error?.message).toContain(`s3://reports/${files[2]}`);
    expect(failed.error?.message).toMatch(/MD5 is [0-9a-f]{32}.*manifest says [0-9a-f]{32}.*nothing of it was kept/);
    expect(failed.totals).toMatchObject({ keys: 0, pages: 0, bytes: 0 });
    expect(passes.entries(failed.id, { limit: 10 }).entries).toEqual([]);
    expect(failed.resumable).toBe(false);
    await expect(passes.resume(failed.id)).rejects.toMatchObject({ code: "conflict" });
    // Nothing to compare: a half report never looks like a bucket with keys missing.
    await expect(diff.summary({ a: failed.id, b: (await listPass(passes, "demo")).id, allowIncomplete: false, allowDifferentBuckets: false })).rejects.toMatchObject({ code: "incomplete_pass" });
  });

  it("a data file that is missing or has another size: refused before any pass exists", async () => {
    const { passes } = setup();
    const { manifestKey, files } = await multiFileReport("missing");
    sandbox.store.deleteObject("reports", files[1] ?? "");
    const missing = await rejection(importReport(passes, "demo", manifestKey));
    expect(missing.code).toBe("invalid_inventory");
    expect(missing.status).toBe(422);
    expect(missing.message).toBe(`Data file s3://reports/${files[1]}, listed in the manifest, is missing: the report is incomplete, nothing was imported.`);

    const short = await multiFileReport("short");
    await putObject(s3, "reports", short.files[0] ?? "", "truncated");
    expect((await rejection(importReport(passes, "demo", short.manifestKey))).message).toMatch(/is 9 bytes, the manifest says \d+: nothing was imported/);
    expect(passes.list({ limit: 100 })).toEqual([]);
  });

  it("a manifest that does not match manifest.checksum, an ORC report, another bucket's report, no manifest", async () => {
    const { passes } = setup();
    const { manifestKey } = await multiFileReport("tampered");
    const text = (await getObject(s3, "reports", manifestKey)).toString("utf8");
    await putObject(s3, "reports", manifestKey, text.replace('"version"', ' "version"'));
    const tampered = await rejection(importReport(passes, "demo", manifestKey));
    expect(tampered.code).toBe("invalid_inventory");
    expect(tampered.message).toMatch(/manifest\.json does not match manifest\.checksum/);

    const orc = JSON.parse(text) as Record<string, unknown>;
    orc.fileFormat = "ORC";
    orc.fileSchema = "struct<bucket:string,key:string,size:bigint>";
    const orcText = JSON.stringify(orc);
    await putObject(s3, "reports", "orc/demo/c/2024-01-01T00-00Z/manifest.json", orcText);
    await putObject(s3, "reports", "orc/demo/c/2024-01-01T00-00Z/manifest.checksum", md5Hex(orcText));
    const refused = await rejection(importReport(passes, "demo", "orc/demo/c/2024-01-01T00-00Z/manifest.json"));
    expect(refused).toMatchObject({ code: "unsupported_format" });
    expect(refused.message).toMatch(/ORC.*no maintained JavaScript library reads ORC/);

    expect(await rejection(importReport(passes, "photos", (await multiFileReport("other")).manifestKey))).toMatchObject({
      code: "bad_request",
      message: 'This report lists bucket "demo", not "photos": import it as a pass of "demo".',
    });
    expect(await rejection(importReport(passes, "demo", "nowhere/manifest.json"))).toMatchObject({ code: "not_found" });
    expect(passes.list({ limit: 100 })).toEqual([]);
  });
});

describe("reading what S3 may write", () => {
  async function handMade(configId: string, fileSchema: string, fields: readonly FieldName[], rows: Record<string, string | number | boolean | null>[][]) {
    const files = [];
    for (const [i, fileRows] of rows.entries()) {
      const key = `hand/demo/${configId}/data/file-${i}.csv.gz`;
      const body = gzipSync(fileRows.map((r) => csvLine({ Bucket: "demo", Key: "", ...r }, fields)).join("") + "\n\n");
      await putObject(s3, "reports", key, body);
      files.push({ key, size: body.length, md5: md5Hex(body) });
    }
    const manifest = manifestJson({ sourceBucket: "demo", destinationBucket: "reports", createdAt: Date.parse("2025-01-02T03:04:00Z"), fileFormat: "CSV", fileSchema, files });
    const manifestKey = `hand/demo/${configId}/2025-01-02T03-04Z/manifest.json`;
    await putObject(s3, "reports", manifestKey, manifest);
    await putObject(s3, "reports", manifestKey.replace(/json$/, "checksum"), md5Hex(manifest));
    return manifestKey;
  }

  it("ignores a column that is no S3 Inventory field, with a note, and reads the rest by name", async () => {
    const { passes } = setup();
    const schema = "Size, Bucket, Key, Colour, LastModifiedDate, ETag, StorageClass";
    // The Colour column is written with the Bucket value (csvLine writes known fields only).
    const manifestKey = await handMade("unknown", schema, ["Size", "Bucket", "Key", "Bucket", "LastModifiedDate", "ETag", "StorageClass"], [
      [
        { Size: 5, Key: "a b+c", LastModifiedDate: "2024-05-06T07:08:09.000Z", ETag: "0123456789abcdef0123456789abcdef", StorageClass: "STANDARD" },
        { Size: 0, Key: "z", LastModifiedDate: "2024-05-06T07:08:10.000Z", ETag: null, StorageClass: "GLACIER" },
      ],
    ]);
    const pass = await importReport(passes, "demo", manifestKey);
    expect(pass.status).toBe("complete");
    expect(pass.inventory?.notes).toEqual([`The report's schema has a column "Colour", which is no S3 Inventory field: it was ignored.`]);
    expect(pass.inventory?.asOf).toBe("2025-01-02T03:04:00.000Z");
    expect(passes.entries(pass.id, { limit: 10 }).entries).toEqual([
      { key: "a b+c", size: 5, etag: '"0123456789abcdef0123456789abcdef"', lastModified: "2024-05-06T07:08:09.000Z", storageClass: "STANDARD", page: 0 },
      { key: "z", size: 0, etag: null, lastModified: "2024-05-06T07:08:10.000Z", storageClass: "GLACIER", page: 0 },
    ]);
  });

  it("records a data file larger than a page as consecutive pages of that file, and an empty file as an empty page", async () => {
    const { passes } = setup();
    const fields: FieldName[] = ["Bucket", "Key", "Size"];
    const many = Array.from({ length: 2500 }, (_, i) => ({ Key: `k/${String(i).padStart(5, "0")}`, Size: i }));
    const manifestKey = await handMade("parts", fields.join(", "), fields, [many, [], [{ Key: "z/last", Size: 1 }]]);
    const pass = await importReport(passes, "demo", manifestKey);
    expect(pass.totals).toMatchObject({ keys: 2501, pages: 5, anomalies: 0 });
    expect(pass.inventory?.progress).toMatchObject({ filesRead: 3, rows: 2501, noncurrent: 0, deleteMarkers: 0 });
    expect(pass.inventory?.progress.bytesRead).toBe(pass.inventory?.bytes);
    const pages = [];
    for (let i = 0; i < 5; i++) pages.push(passes.store.pageEvent(passes.store.row(pass.id)?.seq ?? -1, i)?.page);
    expect(pages.map((p) => [p?.entryCount, p?.inventory?.fileIndex, p?.inventory?.part, p?.inventory?.lastPart, p?.isTruncated])).toEqual([
      [1000, 0, 0, false, true],
      [1000, 0, 1, false, true],
      [500, 0, 2, true, true],
      [0, 1, 0, true, true],
      [1, 2, 0, true, false],
    ]);
  });
});

describe("reports under a destination", () => {
  it("are found under the prefix, newest first, and the seeded photos report is there", async () => {
    const { listReports } = await import("./reports");
    const { registryFor } = await import("@/lib/passes/testing/harness");
    const conn = await registryFor(sandbox).get("sandbox");
    for (const createdAt of ["2024-03-01T00:00:00Z", "2024-03-03T00:00:00Z", "2024-03-02T00:00:00Z"]) {
      expect((await sandboxInventory(sandbox, { bucket: "demo", destinationBucket: "reports", destinationPrefix: "daily", configId: "d", format: "CSV", createdAt })).status).toBe(200);
    }
    const found = await listReports(conn, { connection: "sandbox", bucket: "reports", prefix: "daily", limit: 2 });
    expect(found.reports.map((r) => [r.createdAt, r.sourceBucket, r.configId, r.fileFormat, r.files])).toEqual([
      ["2024-03-03T00:00:00.000Z", "demo", "d", "CSV", 1],
      ["2024-03-02T00:00:00.000Z", "demo", "d", "CSV", 1],
    ]);
    expect(found.truncated).toBe(true);
    // The prefix may also name a source's folder or a configuration's.
    expect((await listReports(conn, { connection: "sandbox", bucket: "reports", prefix: "daily/demo/d/", limit: 10 })).reports).toHaveLength(3);

    const seeded = await listReports(conn, { connection: "sandbox", bucket: DEMO_INVENTORY.bucket, prefix: "", limit: 10 });
    expect(seeded.reports).toHaveLength(1);
    const report = seeded.reports[0];
    expect(report).toMatchObject({ sourceBucket: "photos", configId: DEMO_INVENTORY.configId, fileFormat: "CSV", problem: null });
    const { passes, diff } = setup();
    const inventory = await importReport(passes, "photos", report?.manifestKey ?? "", DEMO_INVENTORY.bucket);
    const counts = (await diff.summary({ a: inventory.id, b: (await listPass(passes, "photos")).id, allowIncomplete: false, allowDifferentBuckets: false })).counts;
    // The report lists one photo deleted after it was made: its lag, as S3's eventual consistency allows.
    expect(counts).toMatchObject({ added: 0, removed: 1, changed: 0 });
    expect(Date.now() - Date.parse(inventory.inventory?.asOf ?? "")).toBeGreaterThan(23 * 3600_000);
  });
});
