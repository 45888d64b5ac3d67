import { z } from "./zod";

// Parallel passes: the key space split into ranges, each listed by its own cursor. index.ts imports
// from here, so this module imports nothing from index (no cycle).

export const MAX_CONCURRENCY = 64;

export const concurrencySchema = z
  .number({ error: "the concurrency must be a number" })
  .int("the concurrency must be a whole number")
  .min(1, `the concurrency must be between 1 and ${MAX_CONCURRENCY}`)
  .max(MAX_CONCURRENCY, `the concurrency must be between 1 and ${MAX_CONCURRENCY}`);

/**
 * Which key range a page of a parallel pass belongs to. A range holds the keys (and common prefixes)
 * k with `after` < k <= `through` in UTF-8 byte order, so every key belongs to exactly one range;
 * its cursor starts with StartAfter = `after` and stops at the first item past `through`.
 */
export const pageCursorSchema = z.object({
  /** Ranges are numbered from 0 in the order they were made; range 0 begins where the pass begins. */
  range: z.number(),
  /** Null: where the pass begins (its start-after, or the first key). */
  after: z.string().nullable(),
  /** The range's end when the page was recorded (a split may have moved it closer since); null: the end. */
  through: z.string().nullable(),
  /** This page's position within its range, from 0. */
  page: z.number(),
  /** Items of the response past `through`, left out: they belong to the next range. */
  beyond: z.number(),
  /** Set when the page's entries were withdrawn because the pass fell back to one cursor: why. */
  withdrawn: z.string().optional(),
  /** Recording this page withdrew the pages of these ranges (the fallback took effect here). */
  withdrew: z.array(z.number()).optional(),
});
export type PageCursor = z.infer<typeof pageCursorSchema>;

export const rangeStateSchema = z.enum(["pending", "listing", "done", "withdrawn"]);
export type RangeState = z.infer<typeof rangeStateSchema>;

/** One key range of a parallel pass as it stands (the pass's ranges record). */
export const keyRangeSchema = z.object({
  id: z.number(),
  after: z.string().nullable(),
  through: z.string().nullable(),
  state: rangeStateSchema,
  /** The greatest key or common prefix listed in this range so far. */
  position: z.string().nullable(),
  pages: z.number(),
  keys: z.number(),
  prefixes: z.number(),
  /** The range this one was split off from. */
  parent: z.number().nullable(),
});
export type KeyRange = z.infer<typeof keyRangeSchema>;

export const parallelNoteKindSchema = z.enum(["capped", "backoff", "recovered", "fallback"]);
export type ParallelNoteKind = z.infer<typeof parallelNoteKindSchema>;

export const parallelNoteSchema = z.object({ at: z.string(), kind: parallelNoteKindSchema, message: z.string() });
export type ParallelNote = z.infer<typeof parallelNoteSchema>;

export const fallbackReasonSchema = z.enum(["ignores-start-after", "out-of-order"]);
export type FallbackReason = z.infer<typeof fallbackReasonSchema>;

/** How a pass with concurrency > 1 ran: its cursors, back-offs and why it fell back to one, if it did. */
export const parallelInfoSchema = z.object({
  requested: z.number(),
  /** The connection's maxConcurrency, when it is below the request. */
  cap: z.number().nullable(),
  /** Cursors allowed now: halved when S3 answers 503 SlowDown, one more per round of pages without one. */
  current: z.number(),
  /** The fewest cursors allowed at any time. */
  lowest: z.number(),
  /** 503 SlowDown (and other throttling) answers seen, SDK retries included. */
  throttled: z.number(),
  ranges: z.object({ total: z.number(), pending: z.number(), listing: z.number(), done: z.number(), withdrawn: z.number() }),
  /** The pass went on with one cursor because key ranges could not be trusted on this server. */
  fallback: z.object({ reason: fallbackReasonSchema, message: z.string(), at: z.string() }).nullable(),
  /** What happened, in words, oldest first (the last 50). */
  notes: z.array(parallelNoteSchema),
});
export type ParallelInfo = z.infer<typeof parallelInfoSchema>;

