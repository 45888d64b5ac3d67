import { z } from "./zod";
import { bucketNameSchema, connectionNameSchema, MAX_PAGE_SIZE } from "./index";
import { clockOffsetSchema, tieSchema } from "./point-in-time";

// The race lab's contract: experiments, their mutation log, pages, verdicts and event stream.
// Keys in this module are relative to the experiment's own prefix (`bucketscope-race/<id>/`).
// Pages are numbered from 0 like page records; people read them as "page index + 1".
// ./index re-exports this module, so what is borrowed from it is read lazily (at parse time).

/** Every experiment writes only under `bucketscope-race/<id>/`, so a pass of such a prefix is a race pass. */
export const RACE_PREFIX = "bucketscope-race/";
const RACE_PASS_PREFIX = /^bucketscope-race\/([0-9a-f]{12})\//;

export function experimentPrefix(id: string): string {
  return `${RACE_PREFIX}${id}/`;
}

/** The experiment whose prefix a pass lists (the pass it recorded, or one of its kept data), or null. */
export function raceExperimentOf(prefix: string): string | null {
  return RACE_PASS_PREFIX.exec(prefix)?.[1] ?? null;
}

export const scenarioSchema = z.enum(["seed", "behind-ahead", "churn", "custom"]);
export type Scenario = z.infer<typeof scenarioSchema>;

export const mutationOpSchema = z.enum(["put", "delete", "overwrite"]);
export type MutationOp = z.infer<typeof mutationOpSchema>;

export const VERDICTS = ["consistent", "missed", "phantom", "seen-new", "gone-early", "stale-version"] as const;
export const verdictSchema = z.enum(VERDICTS);
export type Verdict = z.infer<typeof verdictSchema>;

export const truthMethodSchema = z.enum(["sandbox-snapshot", "versions", "quiescent-listing"]);
export type TruthMethod = z.infer<typeof truthMethodSchema>;

/** How each ground truth is read, and its limits, in one sentence (for the API's readers and the UI). */
export const TRUTH_METHODS: Record<TruthMethod, { label: string; sentence: string }> = {
  "sandbox-snapshot": {
    label: "exact sandbox snapshot",
    sentence: "The sandbox reads the prefix in one transaction just before the first page and just after the last one, so the truth is exact.",
  },
  versions: {
    label: "object versions as of T",
    sentence:
      "Rebuilt from the bucket's object versions as of two instants on the server's clock, each placed in a second with no write of ours since LastModified has 1-second resolution; keys changed within T's own second are reported as ties, and versions deleted permanently or expired by lifecycle rules leave no trace.",
  },
  "quiescent-listing": {
    label: "quiescent listing",
    sentence: "A full listing while no mutation runs, just before the first page and just after the last one: exact as long as nothing else writes under the experiment's prefix meanwhile.",
  },
};

const MAX_KEYS = 20_000;
// Keys go after "bucketscope-race/<id>/" in a URL path. Proxies and some S3-compatible servers
// normalise paths ("/a/../b" → "/b", "//" → "/"), which would write outside the experiment's prefix
// (or to another key), so such keys are refused before anything is written.
const relativeKeySchema = z
  .string()
  .min(1, "a key must not be empty")
  .max(900, "a key must be at most 900 characters (the experiment's prefix takes the rest of S3's 1024 bytes)")
  .refine((k) => !k.startsWith("/"), {
    error: (i) => `${JSON.stringify(i.input)}: a key must not start with "/" (after the experiment's prefix that makes "//", which proxies collapse into another key)`,
  })
  .refine((k) => !k.split("/").some((segment) => segment === "." || segment === ".."), {
    error: (i) => `${JSON.stringify(i.input)}: a key must not contain "." or ".." path segments ("./", "../"): proxies that normalise paths would write outside the experiment's prefix`,
  })
  .refine((k) => !k.slice(1).includes("//"), {
    error: (i) => `${JSON.stringify(i.input)}: a key must not contain "//": proxies that collapse slashes would write another key`,
  });

const keyCountSchema = z.number().int().min(1).max(MAX_KEYS, `an experiment holds at most ${MAX_KEYS} keys`);
const pageSize = (fallback: number) =>
  z.lazy(() => z.number().int().min(1).max(MAX_PAGE_SIZE, `the page size must be between 1 and ${MAX_PAGE_SIZE}`)).default(fallback);
/** Sandbox only: delay added to every listing request of the bucket while the pass runs. */
const latencySchema = z.number().int().min(0).max(10_000).default(0);

/** Cursors of a parallel race pass: few enough that each one's staircase can be told apart on the picture. */
export const MAX_RACE_CONCURRENCY = 8;
const raceConcurrencySchema = z
  .number({ error: "the concurrency must be a number of cursors" })
  .int("the concurrency must be a whole number of cursors")
  .min(1, `the concurrency must be between 1 and ${MAX_RACE_CONCURRENCY} (1: one cursor, the sequential pass)`)
  .max(MAX_RACE_CONCURRENCY, `the concurrency must be between 1 and ${MAX_RACE_CONCURRENCY} (1: one cursor, the sequential pass)`);

const common = {
  connection: z.lazy(() => connectionNameSchema),
  bucket: z.lazy(() => bucketNameSchema),
  /** Leave the experiment's objects in the bucket afterwards. */
  keepData: z.boolean().default(false),
  /** Cursors listing at once: 1 is a sequential pass; more split the prefix into key ranges listed in parallel. */
  concurrency: raceConcurrencySchema.default(1),
};

/** "After page N is received (1 = the first page)" or "t ms after the first page was requested". */
export const customStepSchema = z
  .object({
    afterPage: z.number().int().min(1).optional(),
    atMs: z.number().int().min(0).max(600_000).optional(),
    op: mutationOpSchema,
    key: relativeKeySchema,
  })
  .refine((s) => (s.afterPage === undefined) !== (s.atMs === undefined), "a step needs exactly one of afterPage or atMs");
export type CustomStep = z.infer<typeof customStepSchema>;

export const experimentParamsSchema = z.discriminatedUnion("scenario", [
  z.object({ ...common, scenario: z.literal("seed"), latencyMs: latencySchema }),
  z.object({ ...common, scenario: z.literal("behind-ahead"), latencyMs: latencySchema }),
  z.object({
    ...common,
    scenario: z.literal("churn"),
    keyCount: keyCountSchema.default(1000),
    pageSize: pageSize(100),
    /** Mutations per second, sent one at a time. */
    rate: z.number().min(0.1).max(200).default(20),
    /** Seed of the mutator's random choices; the same seed gives the same choices. */
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    latencyMs: latencySchema,
  }),
  z.object({
    ...common,
    scenario: z.literal("custom"),
    keyCount: keyCountSchema.default(3000),
    pageSize: pageSize(1000),
    steps: z.array(customStepSchema).min(1, "a custom experiment needs at least one step").max(200),
    latencyMs: latencySchema,
  }),
]);
export type ExperimentParams = z.infer<typeof experimentParamsSchema>;
export type ExperimentParamsInput = z.input<typeof experimentParamsSchema>;

export const experimentStatusSchema = z.enum(["running", "complete", "failed", "cancelled", "interrupted"]);
export type ExperimentStatus = z.infer<typeof experimentStatusSchema>;

export const experimentResultSchema = z.object({
  /** The listing held exactly the bucket's keys and ETags as they were just before the first page. */
  equalsStart: z.boolean(),
  equalsEnd: z.boolean(),
  /** One sentence: did this pass equal the bucket at its start? at its end? */
  line: z.string(),
  counts: z.record(verdictSchema, z.number()),
  startKeys: z.number(),
  endKeys: z.number(),
  listedKeys: z.number(),
  pages: z.number(),
  mutations: z.number(),
});
export type ExperimentResult = z.infer<typeof experimentResultSchema>;

export const experimentSummarySchema = z.object({
  id: z.string(),
  scenario: scenarioSchema,
  params: experimentParamsSchema,
  connection: z.string(),
  bucket: z.string(),
  /** Everything the experiment writes lives under this prefix. */
  prefix: z.string(),
  status: experimentStatusSchema,
  /** What the experiment is doing now, in words (seeding, listing, cleaning up). */
  phase: z.string(),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  /** The pass it recorded (also visible under /passes). */
  passId: z.string().nullable(),
  pageSize: z.number(),
  truthMethod: truthMethodSchema,
  /** Why this ground truth and not a better one (e.g. the bucket is not versioned); null when nothing needs saying. */
  truthNote: z.string().nullable(),
  /** true: the prefix was emptied afterwards; false: kept on request or cleanup failed; null: not yet. */
  cleanedUp: z.boolean().nullable(),
  /** What cleanup could not do (e.g. permanent deletion of versions denied), in words; null when nothing. */
  cleanupNote: z.string().nullable(),
  result: experimentResultSchema.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type ExperimentSummary = z.infer<typeof experimentSummarySchema>;

/**
 * The key range of a parallel race pass a page belongs to (the page record's cursor, keys relative to
 * the prefix): the range holds the keys k with after < k <= through, and its cursor lists them in order.
 */
export const experimentCursorSchema = z.object({
  /** Ranges are numbered from 0 in the order they were made; range 0 begins where the pass begins. */
  range: z.number(),
  /** This page's position within its range, from 0. */
  page: z.number(),
  /** Null: the beginning of the prefix. */
  after: z.string().nullable(),
  /** Null: the end of the prefix. The range's end when the page was recorded (a split may move it closer later). */
  through: z.string().nullable(),
  afterPosition: z.number().nullable(),
  throughPosition: z.number().nullable(),
  /** Items of the response past `through`, left out (they belong to the next range): the range ended with this page. */
  beyond: z.number(),
  /** The pass fell back to one cursor and withdrew this page's keys: why. */
  withdrawn: z.string().optional(),
});
export type ExperimentCursor = z.infer<typeof experimentCursorSchema>;

export const experimentPageSchema = z.object({
  index: z.number(),
  requestedAt: z.string(),
  receivedAt: z.string(),
  keyCount: z.number(),
  firstKey: z.string().nullable(),
  lastKey: z.string().nullable(),
  /** Positions in key order of the bucket at the start: a key that was there at index i is at i; a new key sits between its neighbours (i + 0.5). */
  firstPosition: z.number().nullable(),
  lastPosition: z.number().nullable(),
  isTruncated: z.boolean(),
  error: z.string().nullable(),
  /** Parallel passes only: the key range and cursor this page belongs to. */
  cursor: experimentCursorSchema.optional(),
});
export type ExperimentPage = z.infer<typeof experimentPageSchema>;

export const mutationTriggerSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("setup") }),
  z.object({ kind: z.literal("after-page"), page: z.number() }),
  z.object({ kind: z.literal("at"), ms: z.number() }),
  z.object({ kind: z.literal("churn") }),
]);
export type MutationTrigger = z.infer<typeof mutationTriggerSchema>;

export const mutationSchema = z.object({
  seq: z.number(),
  op: mutationOpSchema,
  key: z.string(),
  position: z.number(),
  trigger: mutationTriggerSchema,
  sentAt: z.string(),
  ackedAt: z.string(),
  ok: z.boolean(),
  /** ETag of the object written (put, overwrite); null for a delete or a failure. */
  etag: z.string().nullable(),
  error: z.string().nullable(),
});
export type Mutation = z.infer<typeof mutationSchema>;

export const keyStateSchema = z.object({ etag: z.string().nullable() }).nullable();

export const keyVerdictSchema = z.object({
  key: z.string(),
  position: z.number(),
  verdict: verdictSchema,
  /** The object at the start, at the end, and as listed (null: absent / not listed). */
  start: keyStateSchema,
  end: keyStateSchema,
  listed: z.object({ etag: z.string().nullable(), page: z.number() }).nullable(),
  /** The page whose key range holds this key: the one request that decided what the pass saw of it. */
  page: z.number().nullable(),
  /** seq of every logged mutation of this key. */
  mutations: z.array(z.number()),
});
export type KeyVerdict = z.infer<typeof keyVerdictSchema>;

export const truthSnapshotSchema = z.object({
  which: z.enum(["start", "end"]),
  takenAt: z.string(),
  method: truthMethodSchema,
  count: z.number(),
  /** versions: the measured offset of the server's clock from ours, used to place T (takenAt, server clock). */
  clock: clockOffsetSchema.nullable().optional(),
  /** versions: keys (relative) whose state at T depends on a change in T's own second; at most 20 listed. */
  ties: z.array(tieSchema).optional(),
  tieCount: z.number().optional(),
});
export type TruthSnapshot = z.infer<typeof truthSnapshotSchema>;

export const experimentDetailSchema = z.object({
  experiment: experimentSummarySchema,
  truth: z.array(truthSnapshotSchema),
  pages: z.array(experimentPageSchema),
  mutations: z.array(mutationSchema),
  /** Every key, in key order; empty until the experiment has finished. */
  verdicts: z.array(keyVerdictSchema),
});
export type ExperimentDetail = z.infer<typeof experimentDetailSchema>;

export const experimentListResponseSchema = z.object({ experiments: z.array(experimentSummarySchema) });
export type ExperimentListResponse = z.infer<typeof experimentListResponseSchema>;

export const experimentCreatedSchema = z.object({ id: z.string() });
export type ExperimentCreated = z.infer<typeof experimentCreatedSchema>;

/** GET /api/experiments/{id}/events: NDJSON, pages and mutations in the order they happened. */
export const experimentEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("experiment"), experiment: experimentSummarySchema }),
  z.object({ type: z.literal("phase"), phase: z.string(), at: z.string() }),
  /** Setup progress: keys written under the prefix so far, a few times a second while seeding. */
  z.object({ type: z.literal("setup"), written: z.number(), total: z.number(), at: z.string() }),
  /** Page `index` has been requested and is not answered yet (its `page` line follows when it is). */
  z.object({ type: z.literal("request"), index: z.number(), requestedAt: z.string() }),
  z.object({ type: z.literal("truth"), truth: truthSnapshotSchema }),
  z.object({ type: z.literal("page"), page: experimentPageSchema }),
  z.object({ type: z.literal("mutation"), mutation: mutationSchema }),
  z.object({ type: z.literal("end"), experiment: experimentSummarySchema }),
  z.object({ type: z.literal("error"), error: z.object({ code: z.string(), message: z.string(), id: z.string().optional() }) }),
]);
export type ExperimentEvent = z.infer<typeof experimentEventSchema>;
