import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { md5Hex } from "@/lib/inventory-format";
import type { Sandbox } from "@/lib/sandbox";
import { DEMO_INVENTORY } from "@/lib/sandbox/seed";
import { diffSummarySchema, errorBodySchema, inventoryExportedSchema, inventoryReportsResponseSchema, INVENTORY_CAVEAT, passSummarySchema } from "@/lib/wire";
import { startApp, type RunningApp } from "@/scripts/testing/app";
import { passApi } from "@/scripts/testing/pass-api";
import { rawHttp, type RawAnswer } from "@/scripts/testing/raw-http";
import { startTestSandbox, tempDir } from "@/lib/passes/testing/harness";

// The inventory routes of the built app (as `npm start` runs it) against a seeded sandbox: listing
// reports, importing one as a pass, exporting a pass into a bucket or as a download, and the errors.

let sandbox: Sandbox;
let app: RunningApp;
let passes: ReturnType<typeof passApi>;
const dataDir = tempDir("inventory-api");

beforeAll(async () => {
  sandbox = await startTestSandbox();
  sandbox.store.createBucket("exports");
  const { endpoint, accessKeyId, secretAccessKey, region } = sandbox;
  app = await startApp({
    dataDir,
    sandbox: { endpoint, accessKeyId, secretAccessKey, region },
    env: {
      BUCKETSCOPE_AWS: "off",
      BUCKETSCOPE_CONNECTIONS: JSON.stringify([{ name: "readonly", endpoint, accessKeyId, secretAccessKey }]),
    },
  });
  passes = passApi(app.url);
});
afterAll(async () => {
  await app.stop();
  await sandbox.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, href: string, body?: unknown): Promise<{ status: number; json: unknown; res: Response }> {
  const res = await fetch(`${app.url}${href}`, {
    method,
    headers: body !== undefined ? { "Content-Type": "application/json" } : {},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    // not JSON
  }
  return { status: res.status, json, res };
}

function errorOf(json: unknown) {
  return errorBodySchema.parse(json).error;
}

async function seededReport(): Promise<string> {
  const { status, json } = await call("GET", `/api/inventory/reports?connection=sandbox&bucket=${DEMO_INVENTORY.bucket}`);
  expect(status).toBe(200);
  const reports = inventoryReportsResponseSchema.parse(json).reports;
  expect(reports.map((r) => [r.sourceBucket, r.configId, r.fileFormat, r.problem])).toEqual([["photos", DEMO_INVENTORY.configId, "CSV", null]]);
  return reports[0]?.manifestKey ?? "";
}

describe("inventory over HTTP", () => {
  it("lists the seeded report, imports it, compares it with a live pass with the caveat, and exports passes", async () => {
    const manifestKey = await seededReport();
    const created = await call("POST", "/api/passes", { kind: "inventory", connection: "sandbox", bucket: "photos", inventory: { bucket: DEMO_INVENTORY.bucket, manifestKey } });
    expect(created.status).toBe(201);
    const inventory = await passes.settled((created.json as { id: string }).id);
    expect(inventory).toMatchObject({ kind: "inventory", status: "complete", pageSize: 1000 });
    expect(passSummarySchema.parse(inventory).inventory?.report).toEqual({ connection: "sandbox", bucket: DEMO_INVENTORY.bucket, manifestKey });

    const live = await passes.settled(await passes.startPass({ bucket: "photos" }));
    const summary = await call("GET", `/api/diff/summary?a=${inventory.id}&b=${live.id}`);
    expect(summary.status).toBe(200);
    const plan = diffSummarySchema.parse(summary.json);
    expect(plan.counts).toMatchObject({ added: 0, removed: 1, changed: 0 });
    expect(plan.notes.some((n) => n.startsWith(`Pass A is an S3 Inventory report as of ${inventory.inventory?.asOf}.`) && n.includes(INVENTORY_CAVEAT))).toBe(true);

    const history = await call("GET", "/api/history?connection=sandbox&bucket=photos&prefix=");
    const points = (history.json as { points: { pass: { id: string; kind: string }; previousId: string | null }[] }).points;
    // Each kind follows its own kind: the inventory is not compared with the live pass in the history.
    expect(points.map((p) => [p.pass.kind, p.previousId])).toEqual([
      ["inventory", null],
      ["list", null],
    ]);

    const exported = await call("POST", `/api/passes/${live.id}/inventory`, { connection: "sandbox", bucket: "exports", prefix: "api", format: "Parquet" });
    expect(exported.status).toBe(201);
    const report = inventoryExportedSchema.parse(exported.json);
    expect(report.manifestKey).toMatch(/^api\/photos\/bucketscope\/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}Z\/manifest\.json$/);
    expect(report.rows).toBe(live.totals.keys);
    const again = await call("POST", `/api/passes/${live.id}/inventory`, { connection: "sandbox", bucket: "exports", prefix: "api", format: "Parquet" });
    expect([again.status, errorOf(again.json).code]).toEqual([409, "conflict"]);
    const readOnly = await call("POST", `/api/passes/${live.id}/inventory`, { connection: "readonly", bucket: "exports", prefix: "ro", format: "CSV" });
    expect([readOnly.status, errorOf(readOnly.json).code]).toEqual([403, "read_only_connection"]);

    const download = await fetch(`${app.url}/api/passes/${inventory.id}/inventory?format=CSV&bucket=exports&prefix=dl`);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/x-tar");
    expect(download.headers.get("content-disposition")).toMatch(/^attachment; filename="photos-.*-inventory-csv\.tar"$/);
    const dir = tempDir("inventory-tar");
    fs.writeFileSync(path.join(dir, "r.tar"), Buffer.from(await download.arrayBuffer()));
    const listed = execFileSync("tar", ["-tf", "r.tar"], { cwd: dir, encoding: "utf8" }).trim().split("\n");
    expect(listed.filter((n) => n.endsWith("manifest.json"))).toHaveLength(1);
    expect(listed.some((n) => /^dl\/photos\/bucketscope\/hive\/dt=\d{4}-\d{2}-\d{2}-\d{2}-\d{2}\/symlink\.txt$/.test(n))).toBe(true);
    execFileSync("tar", ["-xf", "r.tar"], { cwd: dir });
    const manifestPath = path.join(dir, listed.find((n) => n.endsWith("manifest.json")) ?? "");
    expect(fs.readFileSync(manifestPath.replace(/json$/, "checksum"), "utf8")).toBe(md5Hex(fs.readFileSync(manifestPath)));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("answers bad requests and untrustworthy reports with their statuses, creating nothing", async () => {
    const before = (await call("GET", "/api/passes?bucket=photos")).json as { passes: unknown[] };
    const cases: [unknown, number, string][] = [
      [{ kind: "inventory", connection: "sandbox", bucket: "photos" }, 400, "bad_request"],
      [{ kind: "inventory", connection: "sandbox", bucket: "photos", delimiter: "/", inventory: { bucket: DEMO_INVENTORY.bucket, manifestKey: "x/manifest.json" } }, 400, "bad_request"],
      [{ connection: "sandbox", bucket: "photos", inventory: { bucket: DEMO_INVENTORY.bucket, manifestKey: "x/manifest.json" } }, 400, "bad_request"],
      [{ kind: "inventory", connection: "sandbox", bucket: "photos", inventory: { bucket: DEMO_INVENTORY.bucket, manifestKey: "x/data.csv" } }, 400, "bad_request"],
      [{ kind: "inventory", connection: "sandbox", bucket: "photos", inventory: { bucket: DEMO_INVENTORY.bucket, manifestKey: "nothing/here/manifest.json" } }, 404, "not_found"],
      [{ kind: "inventory", connection: "sandbox", bucket: "photos", inventory: { bucket: "no-such-bucket-here", manifestKey: "a/manifest.json" } }, 404, "no_such_bucket"],
      [{ kind: "inventory", connection: "sandbox", bucket: "demo", inventory: { bucket: DEMO_INVENTORY.bucket, manifestKey: await seededReport() } }, 400, "bad_request"],
    ];
    for (const [body, status, code] of cases) {
      const res = await call("POST", "/api/passes", body);
      expect([res.status, errorOf(res.json).code], JSON.stringify(body)).toEqual([status, code]);
    }
    expect(((await call("GET", "/api/passes?bucket=photos")).json as { passes: unknown[] }).passes).toHaveLength(before.passes.length);

    const orc = JSON.stringify({ sourceBucket: "photos", destinationBucket: "arn:aws:s3:::exports", creationTimestamp: "1700000000000", fileFormat: "ORC", fileSchema: "struct<bucket:string,key:string>", files: [] });
    for (const [key, body] of [["orc/photos/c/2023-11-14T22-13Z/manifest.json", orc], ["orc/photos/c/2023-11-14T22-13Z/manifest.checksum", md5Hex(orc)]] as const) {
      sandbox.store.putObject({ bucket: "exports", key, body: Buffer.from(body), meta: { contentType: "application/json", userMetadata: {}, storageClass: "STANDARD" } });
    }
    const refused = await call("POST", "/api/passes", { kind: "inventory", connection: "sandbox", bucket: "photos", inventory: { bucket: "exports", manifestKey: "orc/photos/c/2023-11-14T22-13Z/manifest.json" } });
    expect([refused.status, errorOf(refused.json).code]).toEqual([422, "unsupported_format"]);

    expect((await call("GET", "/api/inventory/reports?connection=sandbox&bucket=Not_A_Bucket")).status).toBe(400);
    expect((await call("GET", "/api/inventory/reports?connection=nope&bucket=exports")).status).toBe(404);
    expect((await call("POST", "/api/passes/nope/inventory", { connection: "sandbox", bucket: "exports", format: "CSV" })).status).toBe(404);
    expect((await call("POST", "/api/passes/nope/inventory", { connection: "sandbox", bucket: "exports", format: "ORC" })).status).toBe(400);
    expect((await call("GET", "/api/passes/nope/inventory?format=CSV")).status).toBe(404);
  });
});

describe("inventory routes behind the gate", () => {
  const attacker = "http://attacker.example";
  const crossSite = { origin: attacker, "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors", "sec-fetch-dest": "empty" };

  function expectRefused(r: RawAnswer, status: number, code: string): void {
    expect(r.status).toBe(status);
    expect(errorOf(JSON.parse(r.body)).code).toBe(code);
  }

  function exportedUnder(prefix: string): number {
    return sandbox.store.listObjectsV2("exports", { prefix, delimiter: "", maxKeys: 1000, startAfter: "", continuationToken: undefined }).keyCount;
  }

  it("refuses an import, an export and a download from a foreign page or a non-JSON write, and records or writes nothing", async () => {
    const manifestKey = await seededReport();
    const live = await passes.settled(await passes.startPass({ bucket: "photos" }));
    const before = ((await call("GET", "/api/passes?bucket=photos")).json as { passes: unknown[] }).passes.length;
    const importBody = JSON.stringify({ kind: "inventory", connection: "sandbox", bucket: "photos", inventory: { bucket: DEMO_INVENTORY.bucket, manifestKey } });
    const json = { "content-type": "application/json" };
    expectRefused(await rawHttp(app.url, "/api/passes", { method: "POST", headers: { ...crossSite, ...json }, body: importBody }), 403, "cross_origin");
    expectRefused(await rawHttp(app.url, "/api/passes", { method: "POST", headers: { "content-type": "text/plain" }, body: importBody }), 415, "unsupported_media_type");
    expect(((await call("GET", "/api/passes?bucket=photos")).json as { passes: unknown[] }).passes).toHaveLength(before);

    const exportPath = `/api/passes/${live.id}/inventory`;
    const exportBody = JSON.stringify({ connection: "sandbox", bucket: "exports", prefix: "foreign", format: "CSV" });
    expectRefused(await rawHttp(app.url, exportPath, { method: "POST", headers: { ...crossSite, ...json }, body: exportBody }), 403, "cross_origin");
    // A same-site page on another port of this host is another origin.
    expectRefused(
      await rawHttp(app.url, exportPath, { method: "POST", headers: { ...json, origin: "http://127.0.0.1:8080", "sec-fetch-site": "same-site", "sec-fetch-mode": "cors" }, body: exportBody }),
      403,
      "cross_origin",
    );
    expectRefused(await rawHttp(app.url, exportPath, { method: "POST", headers: { "content-type": "text/plain" }, body: exportBody }), 415, "unsupported_media_type");
    expectRefused(
      await rawHttp(app.url, exportPath, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "connection=sandbox&bucket=exports&prefix=foreign&format=CSV" }),
      415,
      "unsupported_media_type",
    );
    expect(exportedUnder("foreign/")).toBe(0);

    const port = new URL(app.url).port;
    const reads = [`/api/inventory/reports?connection=sandbox&bucket=${DEMO_INVENTORY.bucket}`, `${exportPath}?format=CSV&bucket=exports&prefix=dl`];
    for (const href of reads) {
      const rebound = await rawHttp(app.url, href, { headers: { host: `attacker.example:${port}` } });
      expect(rebound.status, href).toBe(421);
      expect(rebound.body, href).not.toMatch(/manifest|photos/);
      expectRefused(await rawHttp(app.url, href, { headers: crossSite }), 403, "cross_origin");
      // A link to the download (or the report list) on another site is not followed either.
      expectRefused(await rawHttp(app.url, href, { headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" } }), 403, "cross_origin");
    }
    // The dashboard's own link downloads.
    const own = await rawHttp(app.url, reads[1] ?? "", { headers: { "sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" } });
    expect([own.status, own.headers["content-type"]]).toEqual([200, "application/x-tar"]);
  });
});
