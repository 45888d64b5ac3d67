import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { S3Error } from "./errors";
import { failNextSchema, faultSettingsPatchSchema, type FaultController } from "./faults";
import { inventoryRequestSchema, writeInventory } from "./inventory";
import type { SandboxStore } from "./store-types";

// Admin API under the reserved path /_bucketscope/ (no bucket name can start with "_"), outside S3.
// Every request needs `Authorization: Bearer <secretAccessKey>`.
//   GET    /_bucketscope/health                      → {"status":"ok", …}
//   GET    /_bucketscope/faults                      → FaultState
//   PUT    /_bucketscope/faults   {settings…, failNext?, clearScripted?, resetStats?} → FaultState
//          (settings: latency and fault rates, and the compatibility switches listEndEarly,
//          versionsEndEarly, omitNextVersionIdMarker, requireContentMd5)
//   DELETE /_bucketscope/faults                      → FaultState with every fault off
//   GET    /_bucketscope/snapshot?bucket=b&prefix=p  → {bucket, prefix, takenAt, count, objects[]}
//   POST   /_bucketscope/inventory {bucket, destinationBucket, format, …} → {manifestKey, files, rows}

export const ADMIN_PREFIX = "/_bucketscope/";

export interface AdminContext {
  store: SandboxStore;
  faults: FaultController;
  secretAccessKey: string;
  region: string;
  startedAt: number;
}

const faultsPutSchema = faultSettingsPatchSchema.extend({
  failNext: failNextSchema.optional(),
  clearScripted: z.boolean().optional(),
  resetStats: z.boolean().optional(),
});

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { "content-type": "application/json", "content-length": String(body.length), "cache-control": "no-store" });
  res.end(body);
}

function authorized(req: IncomingMessage, secret: string): boolean {
  const header = req.headers.authorization ?? "";
  const expected = Buffer.from(`Bearer ${secret}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > 1_000_000) throw new Error("body too large");
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  return text.trim() === "" ? {} : (JSON.parse(text) as unknown);
}

function issueText(err: z.ZodError): string {
  return err.issues.map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}

/** The request's JSON body checked by `schema`; null when it was refused (400, answered here). */
async function readBody<S extends z.ZodType>(req: IncomingMessage, res: ServerResponse, schema: S): Promise<z.infer<S> | null> {
  let input: unknown;
  try {
    input = await readJson(req);
  } catch {
    sendJson(res, 400, { error: "The body must be a JSON object." });
    return null;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    sendJson(res, 400, { error: issueText(parsed.error) });
    return null;
  }
  return parsed.data;
}

async function putFaults(ctx: AdminContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req, res, faultsPutSchema);
  if (body === null) return;
  const { failNext, clearScripted, resetStats, ...settings } = body;
  try {
    if (clearScripted) ctx.faults.clearScripted();
    if (resetStats) ctx.faults.resetStats();
    ctx.faults.configure(settings);
    if (failNext) ctx.faults.failNext(failNext.count, failNext.kind, { bucket: failNext.bucket ?? null });
  } catch (err) {
    sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
    return;
  }
  sendJson(res, 200, ctx.faults.state);
}

function snapshot(ctx: AdminContext, url: URL, res: ServerResponse): void {
  const bucket = url.searchParams.get("bucket");
  const prefix = url.searchParams.get("prefix") ?? "";
  if (bucket === null || bucket === "") {
    sendJson(res, 400, { error: "bucket is required" });
    return;
  }
  const takenAt = new Date().toISOString();
  let objects;
  try {
    objects = ctx.store.snapshotPrefix(bucket, prefix);
  } catch (err) {
    if (err instanceof S3Error) {
      sendJson(res, err.status, { error: err.message, code: err.code });
      return;
    }
    throw err;
  }
  // Written in pieces: a snapshot of a large seeded bucket is tens of megabytes of JSON.
  res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
  res.write(`{"bucket":${JSON.stringify(bucket)},"prefix":${JSON.stringify(prefix)},"takenAt":"${takenAt}","count":${objects.length},"objects":[`);
  const batch: string[] = [];
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    batch.push(
      (i === 0 ? "" : ",") +
        JSON.stringify({
          key: o.key,
          size: o.size,
          etag: o.etag,
          lastModified: o.lastModified.toISOString(),
          versionId: o.versionId,
          storageClass: o.meta.storageClass,
        }),
    );
    if (batch.length === 5000) {
      res.write(batch.join(""));
      batch.length = 0;
    }
  }
  res.end(`${batch.join("")}]}`);
}

async function postInventory(ctx: AdminContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req, res, inventoryRequestSchema);
  if (body === null) return;
  try {
    const report = await writeInventory(ctx.store, body);
    sendJson(res, 200, { manifestKey: report.manifestKey, files: report.files, rows: report.rows });
  } catch (err) {
    if (err instanceof S3Error) {
      sendJson(res, err.status, { error: err.message, code: err.code });
      return;
    }
    throw err;
  }
}

export async function handleAdmin(ctx: AdminContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!authorized(req, ctx.secretAccessKey)) {
    res.setHeader("www-authenticate", 'Bearer realm="bucketscope-sandbox"');
    sendJson(res, 401, { error: "Admin requests need 'Authorization: Bearer <sandbox secret access key>'." });
    return;
  }
  const url = new URL(req.url ?? "/", "http://sandbox.invalid");
  const route = `${req.method ?? "GET"} ${url.pathname.replace(/\/+$/, "")}`;
  switch (route) {
    case "GET /_bucketscope/health":
      sendJson(res, 200, { status: "ok", region: ctx.region, buckets: ctx.store.listBuckets().length, uptimeMs: Date.now() - ctx.startedAt });
      return;
    case "GET /_bucketscope/faults":
      sendJson(res, 200, ctx.faults.state);
      return;
    case "PUT /_bucketscope/faults":
      await putFaults(ctx, req, res);
      return;
    case "DELETE /_bucketscope/faults":
      sendJson(res, 200, ctx.faults.clear());
      return;
    case "GET /_bucketscope/snapshot":
      snapshot(ctx, url, res);
      return;
    case "POST /_bucketscope/inventory":
      await postInventory(ctx, req, res);
      return;
    default:
      sendJson(res, 404, { error: `No admin route ${route}.` });
  }
}
