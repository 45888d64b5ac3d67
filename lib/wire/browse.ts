import { z } from "./zod";
import {
  bucketNameSchema,
  connectionNameSchema,
  entrySchema,
  errorBodySchema,
  MAX_KEY_BYTES,
  MAX_PAGE_SIZE,
  pageRecordSchema,
  pageSizeSchema,
  passErrorSchema,
  prefixSchema,
} from "./index";
import { bucketVersioningSchema, clockOffsetSchema, instantSchema, tieSchema } from "./point-in-time";

// The bucket browser's endpoints: an unrecorded listing streamed page by page, and one object's
// HEAD metadata with a presigned download link.
//
// index.ts re-exports this module, so when index is evaluated first its bindings are not yet
// initialised here: everything taken from it is read lazily, at parse time.

const late = <T extends z.ZodType>(get: () => T) => z.lazy(get);
const utf8Bytes = (s: string): number => new TextEncoder().encode(s).length;
const keyLike = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .refine((s) => utf8Bytes(s) <= MAX_KEY_BYTES, { error: () => `${what} must be at most ${MAX_KEY_BYTES} bytes of UTF-8` });

export const objectKeySchema = keyLike("the key").refine((s) => s.length > 0, "the key must not be empty");

export const browseQuerySchema = z.object({
  connection: late(() => connectionNameSchema),
  bucket: late(() => bucketNameSchema),
  prefix: late(() => prefixSchema).default(""),
  /** Absent: a flat listing of every key under the prefix. */
  delimiter: keyLike("the delimiter")
    .refine((s) => s.length > 0, "the delimiter must not be empty")
    .optional(),
  pageSize: late(() => pageSizeSchema).default(() => MAX_PAGE_SIZE),
  /** Set: the bucket as of this instant (server clock), rebuilt from ListObjectVersions. */
  asOf: instantSchema.optional(),
});
export type BrowseQuery = z.infer<typeof browseQuerySchema>;

export const browseEventSchema = z.discriminatedUnion("type", [
  /** First line, sent once the first page has answered (so a missing bucket is a 4xx, not a 200). */
  z.object({
    type: z.literal("start"),
    connection: z.string(),
    bucket: z.string(),
    prefix: z.string(),
    delimiter: z.string().nullable(),
    pageSize: z.number(),
    startedAt: z.string(),
    /** Present in as-of mode: what T is and how far the answer can be trusted. */
    asOf: z
      .object({
        /** T, compared with the server's LastModified as-is. */
        asOf: z.string(),
        versioning: bucketVersioningSchema,
        /** Server clock minus ours, from the first page's Date header. */
        clock: clockOffsetSchema.nullable(),
        /** LastModified resolution assumed (S3: whole seconds). */
        resolutionMs: z.number(),
        limits: z.array(z.string()),
        warnings: z.array(z.string()),
      })
      .optional(),
  }),
  /** One line per ListObjectsV2 page, in order, with the same record a pass keeps. */
  z.object({
    type: z.literal("page"),
    page: late(() => pageRecordSchema),
    entries: z.array(late(() => entrySchema)),
    commonPrefixes: z.array(z.string()),
    /**
     * As-of mode: every tie settled on this page (the page record keeps only the first 20). A tie's
     * key is among `entries` only when it existed at T.
     */
    ties: z.array(tieSchema).optional(),
  }),
  /** Last line: the listing reached its end, or a page failed for good (`error`). */
  z.object({
    type: z.literal("end"),
    pages: z.number(),
    keys: z.number(),
    prefixes: z.number(),
    bytes: z.number(),
    durationMs: z.number(),
    error: late(() => passErrorSchema).nullable(),
    /** As-of mode: what the versions listing held. `keys` counts only the keys present at T. */
    asOf: z
      .object({
        versions: z.number(),
        deleteMarkers: z.number(),
        nullVersions: z.number(),
        /** Keys with history that did not exist at T. */
        absentKeys: z.number(),
        ties: z.number(),
      })
      .optional(),
  }),
  /** The stream itself broke after it started. */
  z.object({ type: z.literal("error"), error: late(() => errorBodySchema.shape.error) }),
]);
export type BrowseEvent = z.infer<typeof browseEventSchema>;
export type BrowseStartEvent = Extract<BrowseEvent, { type: "start" }>;
export type BrowsePageEvent = Extract<BrowseEvent, { type: "page" }>;
export type BrowseEndEvent = Extract<BrowseEvent, { type: "end" }>;

export const objectQuerySchema = z.object({
  connection: late(() => connectionNameSchema),
  bucket: late(() => bucketNameSchema),
  key: objectKeySchema,
  /** One version of the key (as-of mode: the version current at T); absent: the current one. */
  versionId: z
    .string({ error: "the version id must be a string" })
    .min(1, "the version id must not be empty")
    .max(1024, "the version id must be at most 1024 characters")
    .optional(),
});
export type ObjectQuery = z.infer<typeof objectQuerySchema>;

export const objectDetailsSchema = z.object({
  connection: z.string(),
  bucket: z.string(),
  key: z.string(),
  size: z.number(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  storageClass: z.string().nullable(),
  contentType: z.string().nullable(),
  contentEncoding: z.string().nullable(),
  contentLanguage: z.string().nullable(),
  contentDisposition: z.string().nullable(),
  cacheControl: z.string().nullable(),
  versionId: z.string().nullable(),
  serverSideEncryption: z.string().nullable(),
  /** x-amz-checksum-* values by algorithm (CRC32, SHA256, ...), when the server sent them. */
  checksums: z.record(z.string(), z.string()),
  /** User metadata (x-amz-meta-*), names lower-cased. */
  metadata: z.record(z.string(), z.string()),
  download: z.object({
    /** A presigned GET of the object, made on the server; it carries no long-lived secret. */
    url: z.string(),
    expiresAt: z.string(),
  }),
});
export type ObjectDetails = z.infer<typeof objectDetailsSchema>;
