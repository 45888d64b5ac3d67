import { z } from "./zod";

// S3 Inventory: reports imported as passes, the reports a destination holds, passes exported as
// reports. index.ts imports from here, so this module imports nothing from index (no cycle).

export const inventoryFormatSchema = z.enum(["CSV", "Parquet"]);
export type InventoryFormat = z.infer<typeof inventoryFormatSchema>;

export const inventoryProgressSchema = z.object({
  filesRead: z.number(),
  bytesRead: z.number(),
  /** Rows read from the data files, every version included. */
  rows: z.number(),
  /** Rows of a versions report that are not the current version, or are delete markers: not in the pass. */
  noncurrent: z.number(),
  deleteMarkers: z.number(),
});
export type InventoryProgress = z.infer<typeof inventoryProgressSchema>;

/** What an inventory pass is: which report, as of when, in what format, and how far it is read. */
export const inventoryInfoSchema = z.object({
  report: z.object({ connection: z.string(), bucket: z.string(), manifestKey: z.string() }),
  /** The report's creationTimestamp: when S3 began scanning the bucket. The pass is as of then. */
  asOf: z.string(),
  sourceBucket: z.string(),
  /** The configuration id in the report's path, when it is laid out as S3 lays reports out. */
  configId: z.string().nullable(),
  fileFormat: inventoryFormatSchema,
  fileSchema: z.string(),
  /** The report lists every version (VersionId, IsLatest, IsDeleteMarker): the pass keeps current ones with their version ids. */
  versions: z.boolean(),
  files: z.number(),
  bytes: z.number(),
  progress: inventoryProgressSchema,
  /** Columns ignored, fields missing, and other things said about the report. */
  notes: z.array(z.string()),
});
export type InventoryInfo = z.infer<typeof inventoryInfoSchema>;

/** Where a page of an inventory pass came from: a part of one data file. */
export const inventoryPageSchema = z.object({
  file: z.string(),
  /** 0-based position of the file in the manifest. */
  fileIndex: z.number(),
  /** 0-based part of the file: a data file is recorded as pages of at most `pageSize` entries. */
  part: z.number(),
  lastPart: z.boolean(),
  /** Rows read for this page, every version included. */
  rows: z.number(),
});
export type InventoryPage = z.infer<typeof inventoryPageSchema>;

export const INVENTORY_CAVEAT =
  "S3 Inventory is a listing as of its creation time and eventually consistent: objects added or deleted shortly before then may be missing from it, or listed after they were deleted.";

// --- reports under a destination ------------------------------------------------------------------

export const inventoryReportSchema = z.object({
  manifestKey: z.string(),
  sourceBucket: z.string(),
  configId: z.string(),
  /** creationTimestamp, from the manifest (or the report's folder name when the manifest cannot be read). */
  createdAt: z.string(),
  fileFormat: z.string().nullable(),
  files: z.number().nullable(),
  bytes: z.number().nullable(),
  versions: z.boolean().nullable(),
  /** Why the manifest could not be read, when it could not. */
  problem: z.string().nullable(),
});
export type InventoryReport = z.infer<typeof inventoryReportSchema>;

export const inventoryReportsResponseSchema = z.object({
  connection: z.string(),
  bucket: z.string(),
  prefix: z.string(),
  /** Newest first. */
  reports: z.array(inventoryReportSchema),
  /** More reports exist than `limit`. */
  truncated: z.boolean(),
});
export type InventoryReportsResponse = z.infer<typeof inventoryReportsResponseSchema>;

// --- export ---------------------------------------------------------------------------------------

export const inventoryExportedSchema = z.object({
  manifestKey: z.string(),
  files: z.array(z.object({ key: z.string(), size: z.number(), md5: z.string(), rows: z.number() })),
  rows: z.number(),
  bytes: z.number(),
});
export type InventoryExported = z.infer<typeof inventoryExportedSchema>;
