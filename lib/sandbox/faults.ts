import { z } from "zod";
import { seededRandom } from "../random";

// Fault and latency injection for list requests (ListObjectsV2, ListObjects, ListObjectVersions), off
// by default. Random faults draw one number per request: [0, errorRate) → 500 InternalError,
// then slowDownRate → 503 SlowDown, then resetRate → the socket is destroyed without a response.
// Scripted faults ("fail the next N list requests with X") are deterministic and take precedence.
//
// Compatibility switches make the sandbox answer like S3-compatible servers that differ from S3:
// listings that end early (OpenStack Swift's s3api was seen answering a truncated ListObjectVersions
// page without NextVersionIdMarker, then an empty, untruncated page), and DeleteObjects refused
// without Content-MD5 (Swift, older Ceph RGW and MinIO releases). `ignoreStartAfter` emulates a
// server that drops ListObjectsV2's start-after parameter (it lists from the beginning instead),
// which key-range splitting must detect.

export const FAULT_KINDS = ["InternalError", "SlowDown", "reset"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * How ListObjectVersions ends early. "null-marker": truncated pages leave out NextVersionIdMarker and
 * every continued request (key-marker set) gets an empty, untruncated page. "untruncated": the first
 * page says it is the last one (IsTruncated false, no next markers) even when more follow.
 */
export const VERSIONS_END_EARLY = ["null-marker", "untruncated"] as const;
export type VersionsEndEarly = (typeof VERSIONS_END_EARLY)[number];

export interface FaultSettings {
  /** Fixed delay before every affected list request is answered. */
  latencyMs: number;
  /** Extra uniform random delay in [0, latencyJitterMs]. */
  latencyJitterMs: number;
  errorRate: number;
  slowDownRate: number;
  resetRate: number;
  /** Limit latency and random faults to one bucket; null = every bucket. */
  bucket: string | null;
  /** Seed for the random draws (reproducible runs); null = Math.random. */
  seed: number | null;
  /** ListObjectsV2 answers every request carrying a continuation token with an empty, untruncated page. */
  listEndEarly: boolean;
  versionsEndEarly: VersionsEndEarly | null;
  /** Truncated ListObjectVersions pages leave out NextVersionIdMarker; continued requests are answered normally. */
  omitNextVersionIdMarker: boolean;
  /** DeleteObjects without a Content-MD5 header gets 400 InvalidRequest (x-amz-checksum-* is not enough). */
  requireContentMd5: boolean;
  /** ListObjectsV2 ignores `start-after` (in `bucket`, or everywhere when it is null). */
  ignoreStartAfter: boolean;
}

export interface ScriptedFault {
  kind: FaultKind;
  remaining: number;
  /** null = the next list requests on any bucket. */
  bucket: string | null;
}

export interface FaultStats {
  listRequests: number;
  delayed: number;
  InternalError: number;
  SlowDown: number;
  reset: number;
  /** Listing answers altered by listEndEarly, versionsEndEarly or omitNextVersionIdMarker. */
  endedEarly: number;
  /** DeleteObjects requests refused for lack of Content-MD5. */
  contentMd5Refused: number;
}

export interface FaultState extends FaultSettings {
  scripted: ScriptedFault[];
  stats: FaultStats;
}

export interface FaultDecision {
  delayMs: number;
  fault: FaultKind | undefined;
}

const rate = z.number().min(0).max(1);
const delay = z.number().int().min(0).max(600_000);

export const faultSettingsPatchSchema = z
  .object({
    latencyMs: delay,
    latencyJitterMs: delay,
    errorRate: rate,
    slowDownRate: rate,
    resetRate: rate,
    bucket: z.string().min(1).nullable(),
    seed: z.number().int().nullable(),
    listEndEarly: z.boolean(),
    versionsEndEarly: z.enum(VERSIONS_END_EARLY).nullable(),
    omitNextVersionIdMarker: z.boolean(),
    requireContentMd5: z.boolean(),
    ignoreStartAfter: z.boolean(),
  })
  .partial()
  .strict();

export const failNextSchema = z
  .object({
    count: z.number().int().min(1).max(1_000_000),
    kind: z.enum(FAULT_KINDS),
    bucket: z.string().min(1).nullable().optional(),
  })
  .strict();

export type FaultSettingsPatch = z.infer<typeof faultSettingsPatchSchema>;

export const NO_FAULTS: Readonly<FaultSettings> = {
  latencyMs: 0,
  latencyJitterMs: 0,
  errorRate: 0,
  slowDownRate: 0,
  resetRate: 0,
  bucket: null,
  seed: null,
  listEndEarly: false,
  versionsEndEarly: null,
  omitNextVersionIdMarker: false,
  requireContentMd5: false,
  ignoreStartAfter: false,
};

/** What a listing answer must be bent into, decided per request. */
export interface ListingQuirks {
  listEndEarly: boolean;
  versionsEndEarly: VersionsEndEarly | null;
  omitNextVersionIdMarker: boolean;
}

function emptyStats(): FaultStats {
  return { listRequests: 0, delayed: 0, InternalError: 0, SlowDown: 0, reset: 0, endedEarly: 0, contentMd5Refused: 0 };
}

export class FaultController {
  private settings: FaultSettings = { ...NO_FAULTS };
  private scripted: ScriptedFault[] = [];
  private stats = emptyStats();
  private random: () => number = Math.random;

  constructor(initial: FaultSettingsPatch = {}) {
    this.configure(initial);
  }

  get state(): FaultState {
    return { ...this.settings, scripted: this.scripted.map((s) => ({ ...s })), stats: { ...this.stats } };
  }

  /** Changes some settings; throws a ZodError (with a readable message) on invalid values. */
  configure(patch: FaultSettingsPatch): FaultState {
    const parsed = faultSettingsPatchSchema.parse(patch);
    const next = { ...this.settings, ...parsed };
    if (next.errorRate + next.slowDownRate + next.resetRate > 1) {
      throw new RangeError("errorRate + slowDownRate + resetRate must not exceed 1");
    }
    this.settings = next;
    if (parsed.seed !== undefined) this.random = next.seed === null ? Math.random : seededRandom(next.seed);
    return this.state;
  }

  /** Deterministic: the next `count` list requests (optionally on one bucket) fail with `kind`. */
  failNext(count: number, kind: FaultKind, options: { bucket?: string | null } = {}): FaultState {
    const parsed = failNextSchema.parse({ count, kind, bucket: options.bucket ?? null });
    this.scripted.push({ kind: parsed.kind, remaining: parsed.count, bucket: parsed.bucket ?? null });
    return this.state;
  }

  /** Back to no faults at all: settings, scripted faults and counters. */
  clear(): FaultState {
    this.settings = { ...NO_FAULTS };
    this.scripted = [];
    this.stats = emptyStats();
    this.random = Math.random;
    return this.state;
  }

  clearScripted(): void {
    this.scripted = [];
  }

  resetStats(): void {
    this.stats = emptyStats();
  }

  /** The compatibility switches for a listing of `bucket` (they obey the `bucket` scope). */
  listingQuirks(bucket: string): ListingQuirks {
    const s = this.settings;
    if (s.bucket !== null && s.bucket !== bucket) return { listEndEarly: false, versionsEndEarly: null, omitNextVersionIdMarker: false };
    return { listEndEarly: s.listEndEarly, versionsEndEarly: s.versionsEndEarly, omitNextVersionIdMarker: s.omitNextVersionIdMarker };
  }

  /** Counts a listing answer a quirk altered. */
  countEndedEarly(): void {
    this.stats.endedEarly++;
  }

  /** For a DeleteObjects without Content-MD5: whether to refuse it (a refusal is counted). */
  refusesWithoutContentMd5(): boolean {
    if (!this.settings.requireContentMd5) return false;
    this.stats.contentMd5Refused++;
    return true;
  }

  /** Whether a list request on `bucket` is answered as if it had no `start-after`. */
  ignoresStartAfter(bucket: string): boolean {
    const s = this.settings;
    return s.ignoreStartAfter && (s.bucket === null || s.bucket === bucket);
  }

  /** Decides the fate of one list request on `bucket`, and counts it. */
  decide(bucket: string): FaultDecision {
    this.stats.listRequests++;
    const s = this.settings;
    const inScope = s.bucket === null || s.bucket === bucket;
    let delayMs = 0;
    if (inScope && (s.latencyMs > 0 || s.latencyJitterMs > 0)) {
      delayMs = s.latencyMs + Math.round(this.random() * s.latencyJitterMs);
      if (delayMs > 0) this.stats.delayed++;
    }
    let fault: FaultKind | undefined;
    const scriptedIndex = this.scripted.findIndex((f) => f.bucket === null || f.bucket === bucket);
    const scripted = this.scripted[scriptedIndex];
    if (scripted) {
      fault = scripted.kind;
      if (--scripted.remaining === 0) this.scripted.splice(scriptedIndex, 1);
    } else if (inScope && s.errorRate + s.slowDownRate + s.resetRate > 0) {
      const r = this.random();
      if (r < s.errorRate) fault = "InternalError";
      else if (r < s.errorRate + s.slowDownRate) fault = "SlowDown";
      else if (r < s.errorRate + s.slowDownRate + s.resetRate) fault = "reset";
    }
    if (fault) this.stats[fault]++;
    return { delayMs, fault };
  }
}
