import { z } from "./zod";
import { concurrencySchema, pageCursorSchema, parallelInfoSchema } from "./parallel";
import { instantSchema, snapshotInfoSchema, versionsPageSchema } from "./point-in-time";
import { inventoryFormatSchema, inventoryInfoSchema, inventoryPageSchema } from "./inventory";

// The contract between the API and the browser: zod schemas and their inferred types, nothing else.
// Timestamps are ISO 8601 UTC strings; durations are milliseconds.

const utf8Bytes = (s: string): number => new TextEncoder().encode(s).length;

export const MAX_KEY_BYTES = 1024;
export const MAX_PAGE_SIZE = 1000;

// --- errors -------------------------------------------------------------------------------------

export const errorBodySchema = z.object({
  /** `id` (internal_error only) is the id the server log carries for this error. */
  error: z.object({ code: z.string(), message: z.string(), id: z.string().optional() }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

// --- connections and buckets ---------------------------------------------------------------------

const required = (what: string) => ({
  error: (issue: { input: unknown }) => (issue.input === undefined ? `${what} is required` : `${what} must be a string`),
});

export const connectionNameSchema = z
  .string(required("a connection name"))
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "a connection name is 1-63 letters, digits, '.', '_' or '-'");

export const connectionKindSchema = z.enum(["sandbox", "aws", "s3-compatible"]);
export type ConnectionKind = z.infer<typeof connectionKindSchema>;

/** What the browser may know about a connection: never credentials, never a full endpoint URL. */
export const connectionViewSchema = z.object({
  name: z.string(),
  kind: connectionKindSchema,
  /** host[:port] of a custom endpoint; absent for AWS's own endpoints. */
  endpointHost: z.string().optional(),
  region: z.string(),
  writable: z.boolean(),
  /** The most cursors a pass may list this connection with (config `maxConcurrency`, default 64). */
  maxConcurrency: z.number(),
});
export type ConnectionView = z.infer<typeof connectionViewSchema>;

export const connectionsResponseSchema = z.object({ connections: z.array(connectionViewSchema) });
export type ConnectionsResponse = z.infer<typeof connectionsResponseSchema>;

// General purpose bucket naming rules (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
// Reserved suffixes are not rejected: access point aliases (-s3alias) and directory buckets (--x-s3)
// are valid names to list.
export const bucketNameSchema = z
  .string(required("a bucket name"))
  .min(3, "a bucket name is at least 3 characters long")
  .max(63, "a bucket name is at most 63 characters long")
  .regex(/^[a-z0-9.-]+$/, "a bucket name may only contain lowercase letters, digits, '.' and '-'")
  .regex(/^[a-z0-9].*[a-z0-9]$/, "a bucket name must begin and end with a letter or digit")
  .refine((s) => !s.includes(".."), "a bucket name must not contain two adjacent periods")
  .refine((s) => !/^\d{1,3}(\.\d{1,3}){3}$/.test(s), "a bucket name must not look like an IP address")
  .refine((s) => !s.startsWith("xn--") && !s.startsWith("sthree-"), "a bucket name must not begin with 'xn--' or 'sthree-'");

export const bucketSchema = z.object({
  name: z.string(),
  createdAt: z.string().nullable(),
  region: z.string().nullable(),
});
export type Bucket = z.infer<typeof bucketSchema>;

export const bucketsResponseSchema = z.object({ connection: z.string(), buckets: z.array(bucketSchema) });
export type BucketsResponse = z.infer<typeof bucketsResponseSchema>;

// --- passes --------------------------------------------------------------------------------------

const keyLikeSchema = (what: string) =>
  z.string().refine((s) => utf8Bytes(s) <= MAX_KEY_BYTES, `${what} must be at most ${MAX_KEY_BYTES} bytes of UTF-8`);

export const prefixSchema = keyLikeSchema("the prefix");
export const pageSizeSchema = z.coerce
  .number({ error: "the page size must be a number" })
  .int("the page size must be a whole number")
  .min(1, `the page size must be between 1 and ${MAX_PAGE_SIZE}`)
  .max(MAX_PAGE_SIZE, `the page size must be between 1 and ${MAX_PAGE_SIZE}`);

export const passKindSchema = z.enum(["list", "snapshot", "inventory"]);
export type PassKind = z.infer<typeof passKindSchema>;

/** Where the report to import is: its destination bucket and manifest. */
export const inventorySourceSchema = z.object({
  /** The connection that reads the destination bucket; default: the pass's connection. */
  connection: connectionNameSchema.optional(),
  bucket: bucketNameSchema,
  manifestKey: keyLikeSchema("inventory.manifestKey").refine((k) => k.endsWith("manifest.json"), "inventory.manifestKey names a report's manifest.json"),
});
export type InventorySource = z.infer<typeof inventorySourceSchema>;

export const passParamsSchema = z
  .object({
    /** "snapshot" walks ListObjectVersions and records the bucket as of `asOf` (default: the pass's start). */
    kind: passKindSchema.default("list"),
    asOf: instantSchema.optional(),
    connection: connectionNameSchema,
    bucket: bucketNameSchema,
    prefix: prefixSchema.default(""),
    /** Rolls keys up into common prefixes, usually "/". */
    delimiter: keyLikeSchema("the delimiter").pipe(z.string().min(1, "the delimiter must not be empty")).optional(),
    pageSize: pageSizeSchema.default(MAX_PAGE_SIZE),
    /** The listing begins strictly after this key. */
    startAfter: keyLikeSchema("startAfter").optional(),
    /** Cursors listing key ranges at once; 1 is one sequential walk. */
    concurrency: concurrencySchema.default(1),
    /** kind "inventory": the S3 Inventory report to import (bucket is then the report's source bucket). */
    inventory: inventorySourceSchema.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.kind !== "list" && p.concurrency > 1) {
      const what = p.kind === "snapshot" ? "a snapshot pass lists its versions" : "an inventory pass reads its report";
      ctx.addIssue({ code: "custom", path: ["concurrency"], message: `${what} with one cursor: send concurrency 1` });
    }
    if (p.kind === "inventory") {
      if (p.inventory === undefined) ctx.addIssue({ code: "custom", path: ["inventory"], message: 'an inventory pass needs inventory: {bucket, manifestKey}' });
      for (const field of ["delimiter", "startAfter", "asOf"] as const) {
        if (p[field] !== undefined) ctx.addIssue({ code: "custom", path: [field], message: `an inventory pass is the report's rows: it takes no ${field}` });
      }
      if (p.prefix !== "") ctx.addIssue({ code: "custom", path: ["prefix"], message: "an inventory pass is the whole report: it takes no prefix" });
    } else if (p.inventory !== undefined) {
      ctx.addIssue({ code: "custom", path: ["inventory"], message: 'inventory is for inventory passes: send kind "inventory" with it' });
    }
    if (p.kind !== "snapshot" && p.asOf !== undefined) {
      ctx.addIssue({ code: "custom", path: ["asOf"], message: "asOf is for snapshot passes: send kind \"snapshot\" with it" });
    }
    if (p.kind === "snapshot" && p.delimiter !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["delimiter"],
        message: "a snapshot pass lists every key: whether a folder existed at T depends on the keys under it, so it takes no delimiter",
      });
    }
  });
export type PassParams = z.infer<typeof passParamsSchema>;
export type PassParamsInput = z.input<typeof passParamsSchema>;

export const passStatusSchema = z.enum(["running", "complete", "cancelled", "failed", "interrupted"]);
export type PassStatus = z.infer<typeof passStatusSchema>;

/** Why a page or a pass failed. `code` is one of the API's error codes (see ErrorBody). */
export const passErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  httpStatus: z.number().nullable(),
  /** S3's own error code (SlowDown, NoSuchBucket, ...) when the server sent one. */
  s3Code: z.string().nullable(),
  requestId: z.string().nullable(),
  retryable: z.boolean(),
});
export type PassError = z.infer<typeof passErrorSchema>;

export const passTotalsSchema = z.object({
  /** Pages answered successfully. */
  pages: z.number(),
  /** Pages whose request failed for good (each ended the pass; a resume continues after it). */
  failedPages: z.number(),
  keys: z.number(),
  bytes: z.number(),
  prefixes: z.number(),
  anomalies: z.number(),
  /** HTTP requests sent, retries included. */
  requests: z.number(),
});
export type PassTotals = z.infer<typeof passTotalsSchema>;

export const passSummarySchema = z.object({
  id: z.string(),
  kind: passKindSchema,
  connection: z.string(),
  bucket: z.string(),
  prefix: z.string(),
  delimiter: z.string().nullable(),
  pageSize: z.number(),
  startAfter: z.string().nullable(),
  status: passStatusSchema,
  createdAt: z.string(),
  /** Set when the pass finished (complete, failed, cancelled); null while running or interrupted. */
  endedAt: z.string().nullable(),
  updatedAt: z.string(),
  /** Time spent listing, summed over runs (a resumed pass has several). */
  activeMs: z.number(),
  runs: z.number(),
  totals: passTotalsSchema,
  error: passErrorSchema.nullable(),
  resumable: z.boolean(),
  /** Set for snapshot passes: the moment rebuilt, the clock offset, ties and warnings. */
  snapshot: snapshotInfoSchema.nullable(),
  /** Cursors asked for (1: a sequential pass). */
  concurrency: z.number(),
  /** Set for passes with concurrency > 1: cursors now, back-offs, ranges, fallback. */
  parallel: parallelInfoSchema.nullable(),
  /** Set for inventory passes: the report, its creation time, format and reading progress. */
  inventory: inventoryInfoSchema.nullable(),
});
export type PassSummary = z.infer<typeof passSummarySchema>;

export const passListQuerySchema = z.object({
  connection: connectionNameSchema.optional(),
  bucket: bucketNameSchema.optional(),
  prefix: prefixSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** "exclude" leaves out race passes (those under an experiment's `bucketscope-race/<id>/`). */
  race: z.enum(["include", "exclude"], { error: "race must be include or exclude" }).optional(),
});
export type PassListQuery = z.infer<typeof passListQuerySchema>;

export const passListResponseSchema = z.object({ passes: z.array(passSummarySchema) });
export type PassListResponse = z.infer<typeof passListResponseSchema>;

export const passCreatedSchema = z.object({ id: z.string() });
export type PassCreated = z.infer<typeof passCreatedSchema>;

export const passDeletedSchema = z.object({ id: z.string(), outcome: z.enum(["cancelled", "deleted"]) });
export type PassDeleted = z.infer<typeof passDeletedSchema>;

// --- pages and entries ---------------------------------------------------------------------------

export const entrySchema = z.object({
  key: z.string(),
  size: z.number(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  storageClass: z.string().nullable(),
  /** Snapshot passes and as-of listings: the version that was current at T. */
  versionId: z.string().nullable().optional(),
});
export type Entry = z.infer<typeof entrySchema>;

export const anomalyKindSchema = z.enum(["out_of_order", "repeated_key", "prefix_out_of_order", "repeated_prefix"]);
export type AnomalyKind = z.infer<typeof anomalyKindSchema>;

/** A key (or common prefix) that is not strictly after the one before it in UTF-8 byte order. */
export const anomalySchema = z.object({
  kind: anomalyKindSchema,
  key: z.string(),
  previousKey: z.string(),
  /** The page the previous key came from (equal to the page's own index within a page). */
  previousPage: z.number(),
});
export type Anomaly = z.infer<typeof anomalySchema>;

/**
 * Something odd about how the server ended or continued a listing that the walk caught and got past:
 * "marker_repaired" (a ListObjectVersions next marker that did not name the page's last entry: the
 * walk continued after that entry instead), "end_verified" (an empty last page right after a
 * truncated one, and a ListObjectsV2 after the last key listed found nothing more). A listing caught
 * ending early is not a flag but the page's error (`short_listing`).
 */
export const pageFlagSchema = z.object({
  kind: z.enum(["marker_repaired", "end_verified"]),
  message: z.string(),
});
export type PageFlag = z.infer<typeof pageFlagSchema>;

export const pageRequestSchema = z.object({
  prefix: z.string(),
  delimiter: z.string().nullable(),
  maxKeys: z.number(),
  continuationToken: z.string().nullable(),
  startAfter: z.string().nullable(),
});
export type PageRequest = z.infer<typeof pageRequestSchema>;

/** One ListObjectsV2 request and its response (or its final error). */
export const pageRecordSchema = z.object({
  index: z.number(),
  request: pageRequestSchema,
  /** How this page's request was formed after a resume; null for an ordinary next page. */
  resumedBy: z.enum(["token", "start-after", "restart"]).nullable(),
  requestedAt: z.string(),
  receivedAt: z.string(),
  durationMs: z.number(),
  /** HTTP requests spent on this page, SDK and pass-level retries included. */
  attempts: z.number(),
  /** The server answered with a listing (it may still have broken the protocol: see error). */
  answered: z.boolean(),
  httpStatus: z.number().nullable(),
  requestId: z.string().nullable(),
  keyCount: z.number().nullable(),
  entryCount: z.number(),
  commonPrefixCount: z.number(),
  firstKey: z.string().nullable(),
  lastKey: z.string().nullable(),
  isTruncated: z.boolean(),
  nextContinuationToken: z.string().nullable(),
  bytes: z.number(),
  /** At most the first 20 anomalies of the page; anomalyCount has them all. */
  anomalies: z.array(anomalySchema),
  anomalyCount: z.number(),
  error: passErrorSchema.nullable(),
  /** How the walk got past an odd ending or marker on this page; absent when there was none. */
  flags: z.array(pageFlagSchema).optional(),
  /** ListObjectVersions pages (snapshot passes, as-of listings): markers, counts and ties. */
  versions: versionsPageSchema.optional(),
  /** Pages of a parallel pass: the key range and cursor the page belongs to. */
  cursor: pageCursorSchema.optional(),
  /** Inventory passes: the data file (and part of it) this page holds. */
  inventory: inventoryPageSchema.optional(),
});
export type PageRecord = z.infer<typeof pageRecordSchema>;

/**
 * A page record as it stands once its entries are withdrawn (the pass fell back to one cursor, which
 * lists those keys again): nothing listed, the reason in its cursor. The store rewrites recorded
 * pages so; a live viewer applies it when a page arrives with `cursor.withdrew`.
 */
export function withdrawnPage(record: PageRecord, reason: string): PageRecord {
  return {
    ...record,
    entryCount: 0,
    commonPrefixCount: 0,
    firstKey: null,
    lastKey: null,
    bytes: 0,
    anomalies: [],
    anomalyCount: 0,
    cursor: record.cursor !== undefined ? { ...record.cursor, withdrawn: reason } : undefined,
  };
}

// --- the events stream (NDJSON, one object per line) ---------------------------------------------

export const passEventSchema = z.discriminatedUnion("type", [
  /** First line: the pass as it is when the viewer attaches. */
  z.object({ type: z.literal("pass"), pass: passSummarySchema }),
  /** One line per page, in index order: recorded pages replayed, then live ones. */
  z.object({
    type: z.literal("page"),
    page: pageRecordSchema,
    entries: z.array(entrySchema),
    commonPrefixes: z.array(z.string()),
  }),
  /** Last line when the pass is no longer running (it may be resumed later: attach again). */
  z.object({
    type: z.literal("end"),
    status: passStatusSchema,
    totals: passTotalsSchema,
    error: passErrorSchema.nullable(),
    pass: passSummarySchema,
  }),
  /** The stream itself broke (the pass may be fine: attach again). */
  z.object({ type: z.literal("error"), error: errorBodySchema.shape.error }),
]);
export type PassEvent = z.infer<typeof passEventSchema>;

/** The events stream with `?entries=0`: page lines carry no `entries`. */
export const passEventWithoutEntriesSchema = z.discriminatedUnion("type", [
  passEventSchema.options[0],
  passEventSchema.options[1].omit({ entries: true }),
  passEventSchema.options[2],
  passEventSchema.options[3],
]);
export type PassEventWithoutEntries = z.infer<typeof passEventWithoutEntriesSchema>;

/** `GET /api/passes/{id}/events?entries=0`: page lines without `entries` (a viewer that reads keys in windows). */
export const passEventsQuerySchema = z.object({
  entries: z.enum(["0", "1"], { error: "entries must be 0 or 1" }).default("1"),
});
export type PassEventsQuery = z.infer<typeof passEventsQuerySchema>;
export type PassStartEvent = Extract<PassEvent, { type: "pass" }>;
export type PageEvent = Extract<PassEvent, { type: "page" }>;
export type PassEndEvent = Extract<PassEvent, { type: "end" }>;
export type StreamErrorEvent = Extract<PassEvent, { type: "error" }>;

// --- whole-pass entries (search and scrolling) ---------------------------------------------------

export const entriesQuerySchema = z.object({
  /** Entries strictly after this key (UTF-8 byte order). */
  after: keyLikeSchema("after").optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(100),
  /** Case-sensitive substring of the key. */
  q: keyLikeSchema("q").optional(),
  /** Only keys that begin with this (UTF-8 bytes), as S3's own prefix does; combines with `q`. */
  prefix: keyLikeSchema("prefix").optional(),
});
export type EntriesQuery = z.infer<typeof entriesQuerySchema>;

export const pagedEntrySchema = entrySchema.extend({ page: z.number() });
export type PagedEntry = z.infer<typeof pagedEntrySchema>;

export const entriesResponseSchema = z.object({
  entries: z.array(pagedEntrySchema),
  /** Pass as `after` to get the next entries; null when there are no more. */
  nextAfter: z.string().nullable(),
});
export type EntriesResponse = z.infer<typeof entriesResponseSchema>;
export * from "./browse";
export * from "./pass-view";
export * from "./experiments";
export * from "./diff";
export * from "./point-in-time";
export * from "./parallel";
export * from "./keys";
export * from "./inventory";

// --- S3 Inventory reports and exports ---------------------------------------------------------------

export const inventoryReportsQuerySchema = z.object({
  connection: connectionNameSchema,
  /** The destination bucket. */
  bucket: bucketNameSchema,
  /** The destination prefix of the inventory configuration ("" for none). */
  prefix: prefixSchema.default(""),
  /** Only reports of this source bucket. */
  source: bucketNameSchema.optional(),
  /** Only reports of this configuration id. */
  config: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
export type InventoryReportsQuery = z.infer<typeof inventoryReportsQuerySchema>;

const configIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, "configId is 1-64 letters, digits, '.', '_' or '-'")
  .default("bucketscope");

export const inventoryExportParamsSchema = z.object({
  /** A writable connection. */
  connection: connectionNameSchema,
  bucket: bucketNameSchema,
  /** Destination prefix: the report goes to {prefix}/{source bucket}/{configId}/… */
  prefix: prefixSchema.default(""),
  configId: configIdSchema,
  format: inventoryFormatSchema,
});
export type InventoryExportParams = z.infer<typeof inventoryExportParamsSchema>;

/** A download: the same report as a tar archive; `bucket` is the bucket it will be copied to (default: the pass's). */
export const inventoryDownloadQuerySchema = z.object({
  bucket: bucketNameSchema.optional(),
  prefix: prefixSchema.default(""),
  configId: configIdSchema,
  format: inventoryFormatSchema,
});
export type InventoryDownloadQuery = z.infer<typeof inventoryDownloadQuerySchema>;
