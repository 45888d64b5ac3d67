import { createHash } from "node:crypto";
import { z } from "zod";
import { ReportFormatError } from "./rows";
import type { DataFormat } from "./writers";

// manifest.json and where a report's files live in the destination bucket (S3 user guide,
// "Locating your inventory list"):
//   {prefix}/{source bucket}/{config id}/{YYYY-MM-DDTHH-MMZ}/manifest.json and manifest.checksum
//   {prefix}/{source bucket}/{config id}/data/{uuid}.csv.gz (.parquet, .orc)
//   {prefix}/{source bucket}/{config id}/hive/dt=YYYY-MM-DD-HH-MM/symlink.txt
// Data file paths differ between older reports: readers take them from `files[].key`, never guess.

export const MANIFEST_VERSION = "2016-11-30";

const manifestSchema = z.object({
  sourceBucket: z.string().min(1),
  destinationBucket: z.string().min(1),
  version: z.string().optional(),
  // Epoch milliseconds, as a string in AWS's manifests.
  creationTimestamp: z.union([z.string().regex(/^\d+$/, "must be epoch milliseconds"), z.number().int().nonnegative()]),
  fileFormat: z.string(),
  fileSchema: z.string(),
  files: z.array(
    z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative(),
      MD5checksum: z.string().regex(/^[0-9a-fA-F]{32}$/, "must be 32 hex digits"),
    }),
  ),
});

export interface Manifest {
  sourceBucket: string;
  /** The bucket's name (the manifest holds its ARN, arn:aws:s3:::name). */
  destinationBucket: string;
  version: string | null;
  createdAt: number;
  fileFormat: string;
  fileSchema: string;
  files: { key: string; size: number; md5: string }[];
}

export function md5Hex(bytes: Uint8Array | string): string {
  return createHash("md5").update(bytes).digest("hex");
}

/** Parses manifest.json; `checksum` is manifest.checksum's content (the MD5 of manifest.json, hex). */
export function parseManifest(bytes: Uint8Array, checksum: string | null): Manifest {
  if (checksum !== null) {
    const expected = checksum.trim().toLowerCase();
    const actual = md5Hex(bytes);
    if (expected !== actual) {
      throw new ReportFormatError(`manifest.json does not match manifest.checksum: its MD5 is ${actual}, manifest.checksum says ${expected}`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw new ReportFormatError("manifest.json is not JSON");
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "manifest"}: ${i.message}`).join("; ");
    throw new ReportFormatError(`manifest.json is not an S3 Inventory manifest (${issues})`);
  }
  const m = parsed.data;
  return {
    sourceBucket: m.sourceBucket,
    destinationBucket: m.destinationBucket.replace(/^arn:aws[a-z-]*:s3:::/, ""),
    version: m.version ?? null,
    createdAt: Number(m.creationTimestamp),
    fileFormat: m.fileFormat,
    fileSchema: m.fileSchema,
    files: m.files.map((f) => ({ key: f.key, size: f.size, md5: f.MD5checksum.toLowerCase() })),
  };
}

export function manifestJson(m: {
  sourceBucket: string;
  destinationBucket: string;
  createdAt: number;
  fileFormat: DataFormat;
  fileSchema: string;
  files: readonly { key: string; size: number; md5: string }[];
}): string {
  return `${JSON.stringify(
    {
      sourceBucket: m.sourceBucket,
      destinationBucket: `arn:aws:s3:::${m.destinationBucket}`,
      version: MANIFEST_VERSION,
      creationTimestamp: String(m.createdAt),
      fileFormat: m.fileFormat,
      fileSchema: m.fileSchema,
      files: m.files.map((f) => ({ key: f.key, size: f.size, MD5checksum: f.md5 })),
    },
    null,
    2,
  )}\n`;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The report's folder name: YYYY-MM-DDTHH-MMZ (UTC). */
export function reportTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}Z`;
}

/** The Hive partition value: YYYY-MM-DD-HH-MM (UTC). */
export function hiveDate(ms: number): string {
  return reportTimestamp(ms).replace("T", "-").replace(/Z$/, "");
}

/** {prefix}/{source}/{config}: the destination prefix without trailing slashes, left out when empty. */
export function configRoot(prefix: string, sourceBucket: string, configId: string): string {
  const p = prefix.replace(/\/+$/, "");
  return p === "" ? `${sourceBucket}/${configId}` : `${p}/${sourceBucket}/${configId}`;
}

export interface ReportLayout {
  manifestKey: string;
  checksumKey: string;
  symlinkKey: string;
  /** Where data files go: `${dataPrefix}${uuid}.csv.gz`. */
  dataPrefix: string;
}

export function reportLayout(prefix: string, sourceBucket: string, configId: string, createdAt: number): ReportLayout {
  const root = configRoot(prefix, sourceBucket, configId);
  const folder = `${root}/${reportTimestamp(createdAt)}`;
  return {
    manifestKey: `${folder}/manifest.json`,
    checksumKey: `${folder}/manifest.checksum`,
    symlinkKey: `${root}/hive/dt=${hiveDate(createdAt)}/symlink.txt`,
    dataPrefix: `${root}/data/`,
  };
}

const MANIFEST_KEY = /^(?:(.*)\/)?([^/]+)\/([^/]+)\/(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}Z)\/manifest\.json$/;

/** The parts of a manifest key laid out as S3 does; null for a key elsewhere. */
export function parseManifestKey(key: string): { prefix: string; sourceBucket: string; configId: string; timestamp: string } | null {
  const m = MANIFEST_KEY.exec(key);
  if (m === null) return null;
  return { prefix: m[1] ?? "", sourceBucket: m[2] as string, configId: m[3] as string, timestamp: m[4] as string };
}

/** The manifest.checksum beside a manifest.json. */
export function checksumKeyOf(manifestKey: string): string {
  return manifestKey.replace(/manifest\.json$/, "manifest.checksum");
}
