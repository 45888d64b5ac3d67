import { z } from "zod";
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
  }),
  /** One line per ListObjectsV2 page, in order, with the same record a pass keeps. */
  z.object({
    type: z.literal("page"),
    page: late(() => pageRecordSchema),
    entries: z.array(late(() => entrySchema)),
    commonPrefixes: z.array(z.string()),
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
