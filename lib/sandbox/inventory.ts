import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { writeReport, type FieldName, type InventoryRow, type ReportObject, type WrittenReport } from "../inventory-format/index";
import type { ObjectVersion, SandboxStore } from "./store-types";

// The sandbox writes S3 Inventory reports the way S3 does: it reads the source bucket (all of it, or
// its current versions) and writes data files, symlink.txt, manifest.checksum and manifest.json into
// the destination bucket in S3's layout. S3 runs this on a daily or weekly schedule; here it runs
// when asked (admin route, CLI flag, the demo seed).

/** Optional fields the sandbox can fill; others are S3 features it does not have (encryption, replication, …). */
const SANDBOX_FIELDS = ["Size", "LastModifiedDate", "StorageClass", "ETag", "IsMultipartUploaded", "ChecksumAlgorithm"] as const;
export const DEFAULT_INVENTORY_FIELDS: readonly (typeof SANDBOX_FIELDS)[number][] = ["Size", "LastModifiedDate", "ETag", "StorageClass"];

const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be a bucket name");

export const inventoryRequestSchema = z.object({
  bucket: bucketName,
  destinationBucket: bucketName,
  destinationPrefix: z.string().max(512).default(""),
  configId: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1-64 letters, digits, '.', '_' or '-'")
    .default("bucketscope"),
  format: z.enum(["CSV", "Parquet"]),
  fields: z.array(z.enum(SANDBOX_FIELDS)).optional(),
  /** "All" lists every version and delete marker (VersionId, IsLatest, IsDeleteMarker columns). */
  includedObjectVersions: z.enum(["Current", "All"]).default("Current"),
  /** creationTimestamp; default now. It names the report's folder. */
  createdAt: z.iso.datetime({ offset: true }).optional(),
  /** Rows per data file (S3 splits large reports). */
  rowsPerFile: z.number().int().min(1).max(10_000_000).optional(),
});
export type InventoryRequest = z.input<typeof inventoryRequestSchema>;

function rowOf(v: ObjectVersion, fields: readonly FieldName[]): InventoryRow {
  const row: InventoryRow = { Bucket: v.bucket, Key: v.key };
  for (const f of fields) {
    switch (f) {
      case "VersionId":
        // Objects written while versioning was never enabled have no version id in a report.
        row.VersionId = v.versionId === "null" ? null : v.versionId;
        break;
      case "IsLatest":
        row.IsLatest = v.isLatest;
        break;
      case "IsDeleteMarker":
        row.IsDeleteMarker = v.isDeleteMarker;
        break;
      case "Size":
        row.Size = v.isDeleteMarker ? null : v.size;
        break;
      case "LastModifiedDate":
        // Whole seconds, as every S3 listing has them.
        row.LastModifiedDate = Math.floor(v.lastModified.getTime() / 1000) * 1000;
        break;
      case "ETag":
        // Reports carry the ETag without the quotes of a listing.
        row.ETag = v.isDeleteMarker ? null : v.etag.replace(/^"|"$/g, "");
        break;
      case "StorageClass":
        row.StorageClass = v.isDeleteMarker ? null : v.storageClass;
        break;
      case "IsMultipartUploaded":
        row.IsMultipartUploaded = v.isDeleteMarker ? null : v.etag.includes("-");
        break;
      case "ChecksumAlgorithm":
        row.ChecksumAlgorithm = v.checksumAlgorithm ?? null;
        break;
      default:
        break;
    }
  }
  return row;
}

/** The bucket's versions (or current versions) in key order, a listing page at a time. */
async function* bucketRows(store: SandboxStore, bucket: string, all: boolean, fields: readonly FieldName[]): AsyncGenerator<InventoryRow[]> {
  let keyMarker = "";
  let versionIdMarker = "";
  for (;;) {
    const page = store.listObjectVersions(bucket, { prefix: "", delimiter: "", maxKeys: 1000, keyMarker, versionIdMarker });
    const rows: InventoryRow[] = [];
    for (const v of page.entries) if (all || (v.isLatest && !v.isDeleteMarker)) rows.push(rowOf(v, fields));
    yield rows;
    if (!page.isTruncated) return;
    keyMarker = page.nextKeyMarker ?? "";
    versionIdMarker = page.nextVersionIdMarker ?? "";
    // Let the server answer other requests between pages of a large bucket.
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * Writes a report of `bucket` into `destinationBucket` and answers its manifest key. Throws the
 * store's S3Error (NoSuchBucket) for a missing source or destination bucket.
 */
export async function writeInventory(store: SandboxStore, input: InventoryRequest, opts: { now?: number; objectsAt?: Date } = {}): Promise<WrittenReport> {
  const req = inventoryRequestSchema.parse(input);
  store.getBucket(req.bucket);
  store.getBucket(req.destinationBucket);
  const all = req.includedObjectVersions === "All";
  const optional = req.fields ?? DEFAULT_INVENTORY_FIELDS;
  // S3's column order: Bucket, Key, the version columns, then the optional fields in its own order.
  const fields: FieldName[] = ["Bucket", "Key", ...(all ? (["VersionId", "IsLatest", "IsDeleteMarker"] as const) : [])];
  for (const f of SANDBOX_FIELDS) if (optional.includes(f)) fields.push(f);
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "bucketscope-inventory-"));
  try {
    const put = (o: ReportObject): Promise<void> => {
      const body = "body" in o ? o.body : fs.readFileSync(o.path);
      const write = () => store.putObject({ bucket: req.destinationBucket, key: o.key, body, meta: { contentType: o.contentType, userMetadata: {}, storageClass: "STANDARD" } });
      if (opts.objectsAt !== undefined) store.writeAt(opts.objectsAt, write);
      else write();
      return Promise.resolve();
    };
    return await writeReport(
      {
        sourceBucket: req.bucket,
        destinationBucket: req.destinationBucket,
        prefix: req.destinationPrefix,
        configId: req.configId,
        createdAt: req.createdAt !== undefined ? Date.parse(req.createdAt) : (opts.now ?? Date.now()),
        format: req.format,
        fields,
      },
      bucketRows(store, req.bucket, all, fields),
      { put },
      { tmpDir, rowsPerFile: req.rowsPerFile },
    );
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}
