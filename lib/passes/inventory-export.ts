import "server-only";
import fs from "node:fs/promises";
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { Readable } from "node:stream";
import type { Connection } from "@/lib/connections";
import { AppError, internalError } from "@/lib/http";
import { refuseExistingReport, s3Output, TarOutput } from "@/lib/inventory";
import { PASS_FIELDS, reportLayout, VERSIONED_PASS_FIELDS, writeReport, type InventoryRow, type ReportOutput, type ReportSpec } from "@/lib/inventory-format";
import type { InventoryDownloadQuery, InventoryExported, InventoryExportParams, PassSummary } from "@/lib/wire";
import { listingRows, type ExportRow } from "./export";
import type { PassStore } from "./store";

// A pass written as an S3 Inventory report: AWS's layout, column names and types, so Athena (with
// AWS's published table definition), Trino, Spark and DuckDB read passes as they read inventories.
// creationTimestamp is the moment the pass stands for: a list pass's start, a snapshot's T, an
// imported inventory's own creation time.

export interface InventoryExportContext {
  store: PassStore;
  /** Temporary data files (one at a time) go under here. */
  tmpRoot: string;
}

function asOfMs(pass: PassSummary): number {
  if (pass.kind === "snapshot" && pass.snapshot !== null) return Date.parse(pass.snapshot.asOf);
  if (pass.kind === "inventory" && pass.inventory !== null) return Date.parse(pass.inventory.asOf);
  return Date.parse(pass.createdAt);
}

function versioned(pass: PassSummary): boolean {
  return pass.kind === "snapshot" || (pass.kind === "inventory" && pass.inventory?.versions === true);
}

function completePass(store: PassStore, id: string): PassSummary {
  const pass = store.summary(id);
  if (pass === null) throw new AppError("unknown_pass", `There is no pass with id "${id}".`);
  if (pass.status !== "complete") {
    throw new AppError("incomplete_pass", `Pass ${id} is ${pass.status}: an inventory report lists a whole bucket, so only a complete pass is exported.`);
  }
  return pass;
}

function specFor(pass: PassSummary, destinationBucket: string, prefix: string, configId: string, format: ReportSpec["format"]): ReportSpec {
  return {
    sourceBucket: pass.bucket,
    destinationBucket,
    prefix,
    configId,
    createdAt: asOfMs(pass),
    format,
    fields: versioned(pass) ? VERSIONED_PASS_FIELDS : PASS_FIELDS,
  };
}

function inventoryRow(bucket: string, r: ExportRow, withVersion: boolean): InventoryRow {
  const row: InventoryRow = {
    Bucket: bucket,
    Key: r.key,
    Size: r.size,
    LastModifiedDate: r.last_modified,
    // Reports carry ETags without a listing's quotes.
    ETag: r.etag === null ? null : r.etag.replace(/^"(.*)"$/, "$1"),
    StorageClass: r.storage_class,
  };
  if (withVersion) {
    row.VersionId = r.version_id;
    // Every entry of a snapshot was the current version at T, and no entry is a delete marker.
    row.IsLatest = true;
    row.IsDeleteMarker = false;
  }
  return row;
}

async function* rowsOf(store: PassStore, pass: PassSummary): AsyncGenerator<InventoryRow[]> {
  const withVersion = versioned(pass);
  for (const batch of listingRows(store, pass.id)) {
    yield batch.map((r) => inventoryRow(pass.bucket, r, withVersion));
    // A million rows are written without holding the server's event loop for the whole export.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function write(ctx: InventoryExportContext, pass: PassSummary, spec: ReportSpec, out: ReportOutput, signal?: AbortSignal) {
  const tmpDir = path.join(ctx.tmpRoot, `export-${pass.id}-${randomBytes(4).toString("hex")}`);
  try {
    return await writeReport(spec, rowsOf(ctx.store, pass), out, { tmpDir, signal });
  } finally {
    await fs.rm(tmpDir, { recursive: true, force: true });
  }
}

/** Writes the pass as a report into a writable connection's bucket; refuses to overwrite one. */
export async function exportInventory(ctx: InventoryExportContext, id: string, conn: Connection, params: InventoryExportParams): Promise<InventoryExported> {
  const pass = completePass(ctx.store, id);
  if (!conn.writable) {
    throw new AppError("read_only_connection", `Connection "${conn.name}" is read-only; an export writes a report into a bucket, so it needs a writable connection.`);
  }
  const spec = specFor(pass, params.bucket, params.prefix, params.configId, params.format);
  await refuseExistingReport(conn, params.bucket, reportLayout(spec.prefix, spec.sourceBucket, spec.configId, spec.createdAt).manifestKey);
  const report = await write(ctx, pass, spec, s3Output(conn, params.bucket));
  return { manifestKey: report.manifestKey, files: report.files, rows: report.rows, bytes: report.bytes };
}

/**
 * The same report as a tar archive to download; `bucket` (default: the pass's) is where it will be
 * copied, which manifest.json and symlink.txt name. Checks the pass before the first byte.
 */
export function downloadInventory(ctx: InventoryExportContext, id: string, query: InventoryDownloadQuery, signal: AbortSignal): { filename: string; stream: Readable } {
  const pass = completePass(ctx.store, id);
  const spec = specFor(pass, query.bucket ?? pass.bucket, query.prefix, query.configId, query.format);
  const tar = new TarOutput();
  write(ctx, pass, spec, tar, signal)
    .then(() => tar.end())
    .catch((err: unknown) => {
      if (!signal.aborted) internalError(err, `The inventory download of pass ${id} failed`);
      tar.stream.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  return { filename: `${pass.bucket}-${id}-inventory-${query.format.toLowerCase()}.tar`, stream: tar.stream };
}
