import { z } from "./zod";

// Point in time: the bucket as of T, rebuilt from ListObjectVersions. index.ts imports from here,
// so this module imports nothing from index (no cycle).

/** An ISO 8601 instant with an explicit zone ("Z" or ±hh:mm); a time without a zone is ambiguous. */
export const instantSchema = z
  .string({ error: "the time must be a string" })
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && Number.isFinite(Date.parse(s)),
    "the time must be an ISO 8601 instant with a zone, e.g. 2024-03-01T12:00:00Z",
  )
  .transform((s) => new Date(Date.parse(s)).toISOString());

/** One entry of ListObjectVersions: a version, or a delete marker (no size, no ETag). */
export const versionRowSchema = z.object({
  key: z.string(),
  /** "null" for an object written while versioning was off (or suspended). */
  versionId: z.string(),
  isLatest: z.boolean(),
  deleteMarker: z.boolean(),
  lastModified: z.string().nullable(),
  size: z.number(),
  etag: z.string().nullable(),
  storageClass: z.string().nullable(),
});
export type VersionRow = z.infer<typeof versionRowSchema>;

export const versionRefSchema = z.object({
  versionId: z.string(),
  deleteMarker: z.boolean(),
  lastModified: z.string().nullable(),
});
export type VersionRef = z.infer<typeof versionRefSchema>;

/**
 * A key whose state at T depends on a change stamped in T's own second: LastModified has 1-second
 * resolution, so whether that change came before or after T is unknowable. `atT` (what is recorded)
 * counts it as before T; `beforeT` is the state if it came after. Null means the key is absent.
 */
export const tieSchema = z.object({
  key: z.string(),
  atT: versionRefSchema.nullable(),
  beforeT: versionRefSchema.nullable(),
});
export type Tie = z.infer<typeof tieSchema>;

export const MAX_RECORDED_TIES = 20;

/** What a ListObjectVersions page adds to an ordinary page record. */
export const versionsPageSchema = z.object({
  keyMarker: z.string().nullable(),
  versionIdMarker: z.string().nullable(),
  nextKeyMarker: z.string().nullable(),
  nextVersionIdMarker: z.string().nullable(),
  versions: z.number(),
  deleteMarkers: z.number(),
  nullVersions: z.number(),
  /** Keys settled on this page that have history but did not exist at T. */
  absentKeys: z.number(),
  /** At most the first 20 ties settled on this page; tieCount has them all. */
  ties: z.array(tieSchema),
  tieCount: z.number(),
  /** The response's Date header (the server's clock, whole seconds). */
  serverDate: z.string().nullable(),
});
export type VersionsPage = z.infer<typeof versionsPageSchema>;

/** Server clock minus ours, from the Date header: offsetMs ± uncertaintyMs. */
export const clockOffsetSchema = z.object({
  offsetMs: z.number(),
  uncertaintyMs: z.number(),
  measuredAt: z.string(),
});
export type ClockOffset = z.infer<typeof clockOffsetSchema>;

export const bucketVersioningSchema = z.enum(["Enabled", "Suspended", "unknown"]);
export type BucketVersioning = z.infer<typeof bucketVersioningSchema>;

/**
 * Whether going back in time can work on a bucket, known before anyone asks: "never" (never
 * versioned: nothing to rebuild T from), Enabled, Suspended, "unknown" (reading it was denied: T may
 * still work, with a warning) or "unchecked" (the endpoint did not answer in time).
 */
export type BucketHistory = BucketVersioning | "never" | "unchecked";

/** What a snapshot pass (or an as-of listing) knows about the moment it rebuilt. */
export const snapshotInfoSchema = z.object({
  /** T, on the server's clock: the instant compared with LastModified. */
  asOf: z.string(),
  /** "start": T is when the pass began (our clock, moved to the server's by the measured offset). */
  asOfSource: z.enum(["start", "chosen"]),
  /** LastModified resolution assumed (S3: whole seconds). */
  resolutionMs: z.number(),
  clock: clockOffsetSchema.nullable(),
  versioning: bucketVersioningSchema,
  versions: z.number(),
  deleteMarkers: z.number(),
  nullVersions: z.number(),
  absentKeys: z.number(),
  ties: z.number(),
  /** The oldest LastModified of a non-null version seen: versioning was on by then at the latest. */
  earliestVersionedAt: z.string().nullable(),
  warnings: z.array(z.string()),
  /**
   * Set when the walk reached its end: ListObjectsV2 of the same prefix, read afterwards, against the
   * versions listing. `missing` counts its keys that existed before the walk ended yet are not in the
   * versions listing (any makes the pass fail `short_listing`); absent on passes from before the check.
   */
  crossCheck: z
    .object({
      checkedAt: z.string(),
      /** Keys ListObjectsV2 returned. */
      listed: z.number(),
      missing: z.number(),
      /** The first few missing keys. */
      examples: z.array(z.string()),
    })
    .nullable()
    .optional(),
});
export type SnapshotInfo = z.infer<typeof snapshotInfoSchema>;

/** The limits of any as-of answer, stated once for the API and the UI. */
export const POINT_IN_TIME_LIMITS: readonly string[] = [
  "LastModified has 1-second resolution: a change stamped in T's own second may have happened just after T. Such keys are reported as ties (recorded as before T), never silently decided.",
  "A multipart upload's LastModified is when the upload started, not when it completed: it can appear before it existed.",
  "T is compared with the server's clock. The measured offset between its clock and ours (from the Date header) is shown.",
  "Versions deleted permanently and versions removed by lifecycle expiration leave no trace: those keys look as if they never had them.",
  "Objects written before versioning was enabled (or while it was suspended) have the version id null, and only their last write is kept: before that point the bucket cannot be rebuilt.",
];
