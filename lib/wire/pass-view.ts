import { z } from "./zod";
import { entriesQuerySchema, pagedEntrySchema } from "./index";

// The pass view's endpoints: whole-pass entries by row index (sorted, searched), the prefix summary
// and the export. Shared by the API (validation) and the browser (response parsing).
// ./index re-exports this module, so the schemas borrowed from it are read lazily: at this module's
// evaluation they are not initialised yet.

/**
 * A page number as people read and type it (`?page=` in the dashboard's URLs): counted from 1.
 * Page records and entries count from 0 (`index`, `page`); the number of a page is its index + 1.
 */
export const pageNumberSchema = z
  .string()
  .regex(/^\d{1,9}$/, "page must be a page number (1, 2, 3, …)")
  .transform(Number)
  .refine((n) => n >= 1, "page numbers count from 1");

export const entrySortSchema = z.enum(["key", "size", "lastModified"], {
  error: "sort must be one of key, size, lastModified",
});
export type EntrySort = z.infer<typeof entrySortSchema>;

export const sortOrderSchema = z.enum(["asc", "desc"], { error: "order must be asc or desc" });
export type SortOrder = z.infer<typeof sortOrderSchema>;

/** `GET /api/passes/{id}/entries?offset=` : random access by row index into one ordering of the pass. */
export const entriesWindowQuerySchema = z.object({
  offset: z.coerce
    .number({ error: "offset must be a number" })
    .int("offset must be a whole number")
    .min(0, "offset must not be negative")
    .default(0),
  limit: z.lazy(() => entriesQuerySchema.shape.limit),
  sort: entrySortSchema.default("key"),
  order: sortOrderSchema.default("asc"),
  /** Case-sensitive substring of the key. */
  q: z.lazy(() => entriesQuerySchema.shape.q),
  /** Only keys that begin with this (a prefix filter: the Prefixes tab's counts). */
  prefix: z.lazy(() => entriesQuerySchema.shape.prefix),
});
export type EntriesWindowQuery = z.infer<typeof entriesWindowQuerySchema>;

export const entriesWindowSchema = z.object({
  offset: z.number(),
  /** Rows in this ordering (matching `q` and `prefix` when given) at the time of the answer. */
  total: z.number(),
  /**
   * The rows are in the order the pages delivered them, which is key order because the pass has no
   * out-of-order or repeated keys: page bands can be drawn from the page records.
   */
  listingOrder: z.boolean(),
  entries: z.array(z.lazy(() => pagedEntrySchema)),
});
export type EntriesWindow = z.infer<typeof entriesWindowSchema>;

const oneCharacter = z
  .string()
  .refine((s) => [...s].length === 1, "the delimiter must be exactly one character");

export const prefixSummaryQuerySchema = z.object({
  depth: z.coerce
    .number({ error: "depth must be a number" })
    .int("depth must be a whole number")
    .min(1, "depth must be between 1 and 64")
    .max(64, "depth must be between 1 and 64")
    .default(1),
  delimiter: oneCharacter.default("/"),
  /** Largest groups returned (by bytes); the rest are summed in `others`. */
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});
export type PrefixSummaryQuery = z.infer<typeof prefixSummaryQuerySchema>;

export const prefixGroupSchema = z.object({
  /** The pass's prefix plus up to `depth` delimited segments, ending with the delimiter. */
  prefix: z.string(),
  /** Keys that sit directly in `prefix`: they have fewer than `depth` delimiters after the pass's prefix. */
  direct: z.boolean(),
  keys: z.number(),
  bytes: z.number(),
});
export type PrefixGroup = z.infer<typeof prefixGroupSchema>;

export const prefixSummarySchema = z.object({
  passPrefix: z.string(),
  delimiter: z.string(),
  depth: z.number(),
  /** The deepest level at which some key still has a delimiter (1 when the keys are flat). */
  maxDepth: z.number(),
  totalKeys: z.number(),
  totalBytes: z.number(),
  groupCount: z.number(),
  /** Largest first (bytes, then keys, then prefix). */
  groups: z.array(prefixGroupSchema),
  others: z.object({ groups: z.number(), keys: z.number(), bytes: z.number() }),
});
export type PrefixSummary = z.infer<typeof prefixSummarySchema>;

export const exportFormatSchema = z.enum(["csv", "ndjson"], { error: "format must be csv or ndjson" });
export type ExportFormat = z.infer<typeof exportFormatSchema>;

export const exportQuerySchema = z.object({ format: exportFormatSchema.default("csv") });
