import { z } from "./zod";
import {
  bucketNameSchema,
  connectionNameSchema,
  errorBodySchema,
  pagedEntrySchema,
  pageSizeSchema,
  passKindSchema,
  passStatusSchema,
  passSummarySchema,
  prefixSchema,
} from "./index";
import { objectKeySchema } from "./browse";
import { concurrencySchema } from "./parallel";
import { exportFormatSchema } from "./pass-view";

// Diff, history and watches: comparing two passes by key, the timeline of the passes of one
// bucket/prefix, and passes scheduled to run every N seconds.
//
// index.ts re-exports this module, so when index is evaluated first its bindings are not yet
// initialised here: everything taken from it is read lazily, at parse time.

const late = <T extends z.ZodType>(get: () => T) => z.lazy(get);

export const passIdSchema = z
  .string({ error: (issue) => (issue.input === undefined ? "a pass id is required" : "a pass id must be a string") })
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "a pass id is 1-64 letters, digits, '_' or '-'");

/** Query-string switches: `true`/`1` turn them on; absent means off. */
const flagSchema = z
  .enum(["true", "false", "1", "0"], { error: "a switch is true or false" })
  .transform((v) => v === "true" || v === "1")
  .default(false);

// --- diff ----------------------------------------------------------------------------------------

export const diffKindSchema = z.enum(["added", "removed", "changed", "unchanged"]);
export type DiffKind = z.infer<typeof diffKindSchema>;

export const DIFF_FIELDS = ["etag", "size", "lastModified", "storageClass"] as const;
export const diffFieldSchema = z.enum(DIFF_FIELDS);
export type DiffField = z.infer<typeof diffFieldSchema>;

export const diffOnlySchema = z.enum(["changes", "all"], { error: "only must be changes or all" });
export type DiffOnly = z.infer<typeof diffOnlySchema>;

/** The two passes to compare, and what the caller accepts beyond two complete passes of one bucket. */
export const diffPairQuerySchema = z.object({
  a: passIdSchema,
  b: passIdSchema,
  /** Compare a pass that is not complete (the comparison stops where it stopped, and says so). */
  allowIncomplete: flagSchema,
  /** Compare passes of different buckets or connections. */
  allowDifferentBuckets: flagSchema,
});
export type DiffPairQuery = z.infer<typeof diffPairQuerySchema>;

/** `GET /api/diff`: `only` defaults to changes (added, removed, changed keys). */
export const diffQuerySchema = diffPairQuerySchema.extend({ only: diffOnlySchema.default("changes") });
export type DiffQuery = z.infer<typeof diffQuerySchema>;

export const diffExportQuerySchema = diffQuerySchema.extend({ format: late(() => exportFormatSchema).default(() => "csv" as const) });
export type DiffExportQuery = z.infer<typeof diffExportQuerySchema>;

/** One pass's side of a key. */
export const diffSideSchema = z.object({
  /** The page (0-based index) of the pass the key was listed on. */
  page: z.number(),
  size: z.number(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  storageClass: z.string().nullable(),
});
export type DiffSide = z.infer<typeof diffSideSchema>;

export const diffRowSchema = z.object({
  key: z.string(),
  kind: diffKindSchema,
  /** The fields that differ (changed keys only), in DIFF_FIELDS order. */
  changed: z.array(diffFieldSchema),
  /** The key in pass A; null when added. */
  a: diffSideSchema.nullable(),
  /** The key in pass B; null when removed. */
  b: diffSideSchema.nullable(),
});
export type DiffRow = z.infer<typeof diffRowSchema>;

/** The key range both passes cover: only keys inside it are compared. */
export const diffCoverageSchema = z.object({
  /** Keys beginning with this: the longer of the two prefixes. */
  prefix: z.string(),
  /** Keys strictly after this (the later start-after of the two), or null. */
  startAfter: z.string().nullable(),
  /** Keys up to and including this: where an incomplete pass stopped. Null: to the end. */
  through: z.string().nullable(),
  /** Keys with no further delimiter after the prefix: a pass rolled deeper keys up into common prefixes. */
  delimiter: z.string().nullable(),
  /** The range is narrower than what one of the passes listed (the notes say why). */
  narrowed: z.boolean(),
});
export type DiffCoverage = z.infer<typeof diffCoverageSchema>;

/** What is compared, decided before any key is read. */
export const diffPlanSchema = z.object({
  a: late(() => passSummarySchema),
  b: late(() => passSummarySchema),
  coverage: diffCoverageSchema,
  /** A pass is not complete (compared on request): keys it never reached are outside the range. */
  incomplete: z.boolean(),
  /** The passes list different buckets or connections (compared on request). */
  differentTargets: z.boolean(),
  /** Plain sentences about anything that limits the comparison. */
  notes: z.array(z.string()),
});
export type DiffPlan = z.infer<typeof diffPlanSchema>;

export const diffCountsSchema = z.object({
  added: z.number(),
  removed: z.number(),
  changed: z.number(),
  unchanged: z.number(),
  /** Keys of each pass inside the compared range. */
  comparedA: z.number(),
  comparedB: z.number(),
  /** Changed keys by field (a key with several changed fields counts under each). */
  fields: z.object({ etag: z.number(), size: z.number(), lastModified: z.number(), storageClass: z.number() }),
  /** Keys in both passes that B listed on a different page index than A. */
  pageShifts: z.number(),
});
export type DiffCounts = z.infer<typeof diffCountsSchema>;

export const diffSummarySchema = diffPlanSchema.extend({ counts: diffCountsSchema });
export type DiffSummary = z.infer<typeof diffSummarySchema>;

/**
 * `GET /api/diff` NDJSON: one `start` line (the plan), one `row` line per key in UTF-8 byte order,
 * then the `summary` line last (its counts are known only at the end of the merge).
 */
export const diffEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("start"), plan: diffPlanSchema }),
  z.object({ type: z.literal("row"), row: diffRowSchema }),
  z.object({ type: z.literal("summary"), summary: diffSummarySchema }),
  z.object({ type: z.literal("error"), error: late(() => errorBodySchema.shape.error) }),
]);
export type DiffEvent = z.infer<typeof diffEventSchema>;

// --- the compare view's windows ------------------------------------------------------------------

const offsetSchema = z.coerce
  .number({ error: "offset must be a number" })
  .int("offset must be a whole number")
  .min(0, "offset must not be negative");

/**
 * `GET /api/diff/rows`: items `offset..offset+limit` of the aligned view (only=all) or of the changes
 * (only=changes). Items are rows plus page bands, so a window is addressed exactly as it is drawn.
 */
export const diffWindowQuerySchema = diffQuerySchema.extend({
  offset: offsetSchema.default(0),
  limit: z.coerce
    .number({ error: "limit must be a number" })
    .int("limit must be a whole number")
    .min(1, "limit must be between 1 and 1000")
    .max(1000, "limit must be between 1 and 1000")
    .default(200),
});
export type DiffWindowQuery = z.infer<typeof diffWindowQuerySchema>;

/** One pass's page at a band: where it begins in this view. */
export const diffBandSideSchema = z.object({
  page: z.number(),
  /** The band sits at the page's first key; false when the view enters the page part-way. */
  begins: z.boolean(),
  entryCount: z.number(),
  firstKey: z.string().nullable(),
  lastKey: z.string().nullable(),
  durationMs: z.number(),
});
export type DiffBandSide = z.infer<typeof diffBandSideSchema>;

export const diffItemSchema = z.discriminatedUnion("type", [
  /** A page of A and/or of B begins with the next row (null: that side stays on its page). */
  z.object({ type: z.literal("band"), a: diffBandSideSchema.nullable(), b: diffBandSideSchema.nullable() }),
  diffRowSchema.extend({ type: z.literal("row"), row: z.number() }),
]);
export type DiffItem = z.infer<typeof diffItemSchema>;
export type DiffRowItem = Extract<DiffItem, { type: "row" }>;
export type DiffBandItem = Extract<DiffItem, { type: "band" }>;

export const diffWindowSchema = z.object({
  only: diffOnlySchema,
  offset: z.number(),
  /** Items (rows and bands) in this view. */
  total: z.number(),
  /** Rows in this view. */
  rows: z.number(),
  items: z.array(diffItemSchema),
});
export type DiffWindow = z.infer<typeof diffWindowSchema>;

/** `GET /api/diff/seek`: the first row of the next (or previous) change after item `from`. */
export const diffSeekQuerySchema = diffQuerySchema.extend({
  from: z.coerce.number({ error: "from must be a number" }).int("from must be a whole number").min(-1, "from must be -1 or more"),
  dir: z.enum(["next", "prev"], { error: "dir must be next or prev" }),
});
export type DiffSeekQuery = z.infer<typeof diffSeekQuerySchema>;

export const diffSeekSchema = z.object({ item: z.number().nullable() });
export type DiffSeek = z.infer<typeof diffSeekSchema>;

// --- history -------------------------------------------------------------------------------------

/** "" (or absent) = none: a pass's delimiter and start-after are never empty. */
const noneOrValue = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .max(1024, `${what} must be at most 1024 characters`)
    .transform((v) => (v === "" ? null : v));

export const historyQuerySchema = z.object({
  connection: late(() => connectionNameSchema),
  bucket: late(() => bucketNameSchema),
  prefix: late(() => prefixSchema).default(""),
  /** The most recent passes, up to this many. */
  limit: z.coerce.number().int().min(1, "limit must be between 1 and 1000").max(1000, "limit must be between 1 and 1000").default(200),
  /**
   * One series: passes with exactly these settings. Each filter is optional; the UI sends all four.
   * `delimiter=` and `startAfter=` (empty) select the passes without one.
   */
  kind: late(() => passKindSchema).optional(),
  pageSize: late(() => pageSizeSchema).optional(),
  delimiter: noneOrValue("delimiter").optional(),
  startAfter: noneOrValue("startAfter").optional(),
});
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

export const historyChangesSchema = z.object({
  added: z.number(),
  removed: z.number(),
  changed: z.number(),
  unchanged: z.number(),
  /** Null when either pass listed with more than one cursor: its pages are not one sequence, so a key on another page means nothing. */
  pageShifts: z.number().nullable(),
});
export type HistoryChanges = z.infer<typeof historyChangesSchema>;

/** The settings that make passes of one prefix comparable page for page: one series of the history. */
export const historySeriesKeySchema = z.object({
  kind: late(() => passKindSchema),
  delimiter: z.string().nullable(),
  pageSize: z.number(),
  startAfter: z.string().nullable(),
});
export type HistorySeriesKey = z.infer<typeof historySeriesKeySchema>;

export const historySeriesSchema = historySeriesKeySchema.extend({
  /** Passes of the prefix with these settings (every one, not only those within `limit`). */
  passes: z.number(),
  complete: z.number(),
  latestId: z.string(),
  latestAt: z.string(),
});
export type HistorySeries = z.infer<typeof historySeriesSchema>;

export const historyPointSchema = z.object({
  pass: late(() => passSummarySchema),
  /**
   * The pass it is compared with: the latest complete pass before it of the same series (connection,
   * bucket, prefix, kind, delimiter, page size and start-after), so page shifts are only counted
   * between passes of one page size.
   */
  previousId: z.string().nullable(),
  /** Changes versus `previousId`; null unless `changesState` is ready. */
  changes: historyChangesSchema.nullable(),
  /** first: the first complete pass of its series; incomplete: not compared (it did not list everything); pending: being computed. */
  changesState: z.enum(["ready", "pending", "first", "incomplete"]),
});
export type HistoryPoint = z.infer<typeof historyPointSchema>;

export const historyResponseSchema = z.object({
  connection: z.string(),
  bucket: z.string(),
  prefix: z.string(),
  /** Every series of the prefix, the one with the most recent pass first (whatever the filter). */
  series: z.array(historySeriesSchema),
  /** Oldest first; only the selected series' passes when the query names one. */
  points: z.array(historyPointSchema),
  /** Older passes exist beyond `limit`. */
  truncated: z.boolean(),
  /**
   * Disk the passes of this bucket/prefix take, in total and per series (in the order of `series`):
   * an estimate counted as passes are written (see README, "Storage").
   */
  disk: z.object({
    bytes: z.number(),
    series: z.array(historySeriesKeySchema.extend({ passes: z.number(), bytes: z.number() })),
  }),
});
export type HistoryResponse = z.infer<typeof historyResponseSchema>;

// --- key history ---------------------------------------------------------------------------------

export const keyHistoryQuerySchema = historyQuerySchema.extend({
  key: late(() => objectKeySchema),
});
export type KeyHistoryQuery = z.infer<typeof keyHistoryQuerySchema>;

export const keyFieldChangeSchema = z.object({
  field: z.enum(["size", "etag", "lastModified", "storageClass", "versionId"]),
  from: z.union([z.string(), z.number()]).nullable(),
  to: z.union([z.string(), z.number()]).nullable(),
});
export type KeyFieldChange = z.infer<typeof keyFieldChangeSchema>;

export const keyHistoryPointSchema = z.object({
  pass: late(() => passSummarySchema),
  /**
   * listed: the pass listed the key (entry); absent: it covered the key and did not list it;
   * not_covered: the key is outside what it listed (its prefix, start-after, or the part an
   * incomplete pass never reached); rolled_up: its delimiter folded the key into a common prefix.
   */
  state: z.enum(["listed", "absent", "not_covered", "rolled_up"]),
  entry: late(() => pagedEntrySchema).nullable(),
  /** The pass before it of the same kind, delimiter and start-after that covered the key. */
  previousId: z.string().nullable(),
  /**
   * Versus previousId: appeared, changed (fields), disappeared, unchanged, still absent; first when
   * no earlier pass covered the key; null when this pass did not cover it.
   */
  change: z.enum(["first", "appeared", "changed", "disappeared", "unchanged", "still_absent"]).nullable(),
  fields: z.array(keyFieldChangeSchema),
});
export type KeyHistoryPoint = z.infer<typeof keyHistoryPointSchema>;

export const keyHistoryResponseSchema = z.object({
  connection: z.string(),
  bucket: z.string(),
  prefix: z.string(),
  key: z.string(),
  /** Oldest first. */
  points: z.array(keyHistoryPointSchema),
  /** Older passes exist beyond `limit`. */
  truncated: z.boolean(),
});
export type KeyHistoryResponse = z.infer<typeof keyHistoryResponseSchema>;

/** Most keys listed per pass in the prefix mode (the counts cover every key). */
export const MAX_KEY_PREFIX_KEYS = 1000;

/** `GET /api/history/key?keyPrefix=`: the keys under a prefix, pass by pass (instead of `key=`). */
export const keyPrefixHistoryQuerySchema = historyQuerySchema.extend({
  keyPrefix: late(() => prefixSchema),
  /** Keys listed per pass, at most; the counts are of all of them. */
  keyLimit: z.coerce
    .number({ error: "keyLimit must be a number" })
    .int("keyLimit must be a whole number")
    .min(1, `keyLimit must be between 1 and ${MAX_KEY_PREFIX_KEYS}`)
    .max(MAX_KEY_PREFIX_KEYS, `keyLimit must be between 1 and ${MAX_KEY_PREFIX_KEYS}`)
    .default(100),
});
export type KeyPrefixHistoryQuery = z.infer<typeof keyPrefixHistoryQuerySchema>;

export const keyPrefixHistoryPointSchema = z.object({
  pass: late(() => passSummarySchema),
  /** The latest complete pass before it of the same kind, delimiter and start-after. */
  previousId: z.string().nullable(),
  /**
   * compared: versus previousId (an incomplete pass only up to where it stopped); first: no earlier
   * complete pass of its series; not_covered: the pass lists none of the keys under keyPrefix (its
   * start-after, or its delimiter folds them into a common prefix).
   */
  state: z.enum(["compared", "first", "not_covered"]),
  /** Keys under keyPrefix that appeared, disappeared or changed versus previousId. */
  counts: z.object({ appeared: z.number(), disappeared: z.number(), changed: z.number() }),
  /** Those keys in byte order, the first keyLimit of them (a = in previousId, b = in this pass). */
  keys: z.array(diffRowSchema),
  /** More keys changed than `keys` lists. */
  keysTruncated: z.boolean(),
});
export type KeyPrefixHistoryPoint = z.infer<typeof keyPrefixHistoryPointSchema>;

export const keyPrefixHistoryResponseSchema = z.object({
  connection: z.string(),
  bucket: z.string(),
  prefix: z.string(),
  keyPrefix: z.string(),
  /** Oldest first. */
  points: z.array(keyPrefixHistoryPointSchema),
  /** Older passes exist beyond `limit`. */
  truncated: z.boolean(),
});
export type KeyPrefixHistoryResponse = z.infer<typeof keyPrefixHistoryResponseSchema>;

// --- watches -------------------------------------------------------------------------------------

export const MIN_WATCH_SECONDS = 1;
export const MAX_WATCH_SECONDS = 30 * 24 * 3600;

export const watchIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a watch id is 1-64 letters, digits, '_' or '-'");

const everySecondsSchema = z
  .number({ error: "everySeconds must be a number of seconds" })
  .int("everySeconds must be a whole number of seconds")
  .min(MIN_WATCH_SECONDS, `a watch runs at most every ${MIN_WATCH_SECONDS} s`)
  .max(MAX_WATCH_SECONDS, "a watch runs at least every 30 days");
const keepPassesSchema = z
  .number({ error: "keepPasses must be a number" })
  .int("keepPasses must be a whole number")
  .min(1, "keepPasses must be between 1 and 100000")
  .max(100_000, "keepPasses must be between 1 and 100000");
const keepDaysSchema = z
  .number({ error: "keepDays must be a number" })
  .positive("keepDays must be more than 0")
  .max(36_500, "keepDays must be at most 36500");

const keepMegabytesSchema = z
  .number({ error: "keepMegabytes must be a number" })
  .positive("keepMegabytes must be more than 0")
  .max(10_000_000, "keepMegabytes must be at most 10000000");

/** Kept when a watch names no retention, so that its disk use stays bounded anyway. */
export const DEFAULT_KEEP_PASSES = 100;

export const watchCreateSchema = z
  .object({
    connection: late(() => connectionNameSchema),
    bucket: late(() => bucketNameSchema),
    prefix: late(() => prefixSchema).default(""),
    delimiter: z.string().min(1, "the delimiter must not be empty").max(1024).optional(),
    pageSize: late(() => pageSizeSchema).default(1000),
    /** Cursors each pass lists with (see POST /api/passes). */
    concurrency: concurrencySchema.default(1),
    everySeconds: everySecondsSchema,
    /** Keep the last K passes of the watch. */
    keepPasses: keepPassesSchema.nullable().optional(),
    /** Keep the passes of the last T days. */
    keepDays: keepDaysSchema.nullable().optional(),
    /** Keep the newest passes while the history of what the watch lists takes at most N MB. */
    keepMegabytes: keepMegabytesSchema.nullable().optional(),
    paused: z.boolean().default(false),
  })
  .strict()
  .transform(({ keepPasses, keepDays, keepMegabytes, ...rest }) => ({
    ...rest,
    keepPasses: keepPasses ?? (keepDays == null && keepMegabytes == null ? DEFAULT_KEEP_PASSES : null),
    keepDays: keepDays ?? null,
    keepMegabytes: keepMegabytes ?? null,
  }));
export type WatchCreate = z.infer<typeof watchCreateSchema>;
export type WatchCreateInput = z.input<typeof watchCreateSchema>;

export const watchPatchSchema = z
  .object({
    state: z.enum(["active", "paused"], { error: "state must be active or paused" }).optional(),
    everySeconds: everySecondsSchema.optional(),
    pageSize: late(() => pageSizeSchema).optional(),
    concurrency: concurrencySchema.optional(),
    keepPasses: keepPassesSchema.nullable().optional(),
    keepDays: keepDaysSchema.nullable().optional(),
    keepMegabytes: keepMegabytesSchema.nullable().optional(),
  })
  .strict()
  .refine((p) => Object.values(p).some((v) => v !== undefined), "name at least one of state, everySeconds, pageSize, concurrency, keepPasses, keepDays, keepMegabytes");
export type WatchPatch = z.infer<typeof watchPatchSchema>;

export const watchListQuerySchema = z.object({
  connection: late(() => connectionNameSchema).optional(),
  bucket: late(() => bucketNameSchema).optional(),
  prefix: late(() => prefixSchema).optional(),
});
export type WatchListQuery = z.infer<typeof watchListQuerySchema>;

export const watchSchema = z.object({
  id: z.string(),
  connection: z.string(),
  bucket: z.string(),
  prefix: z.string(),
  delimiter: z.string().nullable(),
  pageSize: z.number(),
  concurrency: z.number(),
  everySeconds: z.number(),
  keepPasses: z.number().nullable(),
  keepDays: z.number().nullable(),
  keepMegabytes: z.number().nullable(),
  /** Disk the history of what the watch lists takes (its series of passes, see GET /api/history). */
  historyBytes: z.number(),
  state: z.enum(["active", "paused"]),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** When the next pass is due (it starts once the running one, if any, has ended); null while paused. */
  nextRunAt: z.string().nullable(),
  runningPassId: z.string().nullable(),
  lastPass: z.object({ id: z.string(), status: late(() => passStatusSchema), createdAt: z.string() }).nullable(),
  /** Passes of this watch still kept. */
  passCount: z.number(),
  /** Why the last attempt to start a pass failed; cleared by the next pass that starts. */
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
});
export type Watch = z.infer<typeof watchSchema>;

export const watchListResponseSchema = z.object({ watches: z.array(watchSchema) });
export type WatchListResponse = z.infer<typeof watchListResponseSchema>;

export const watchDeletedSchema = z.object({ id: z.string(), deleted: z.literal(true), cancelledPassId: z.string().nullable() });
export type WatchDeleted = z.infer<typeof watchDeletedSchema>;
