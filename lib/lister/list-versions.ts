import "server-only";
import {
  GetBucketVersioningCommand,
  ListObjectVersionsCommand,
  type DeleteMarkerEntry,
  type ListObjectVersionsCommandInput,
  type ListObjectVersionsCommandOutput,
  type ObjectVersion,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { DeserializeMiddleware } from "@smithy/types";
import { toAppError } from "@/lib/connections";
import { AppError } from "@/lib/http";
import { listingParser, versionOrderOf } from "@/lib/listing-parser";
import type { Anomaly, BucketVersioning, ClockOffset, PageFlag, PageRecord, PageRequest, PassError, VersionRow } from "@/lib/wire";
import { checkEmptyEnd, versionMarkersAfter } from "./end-checks";
import { compareKeys, formDecode, iso, protocolError, unansweredRecord, type ListCursor } from "./list-pages";
import { DEFAULT_RETRY, sendWithRetry, type RetryPolicy, type Sent } from "./send";

export interface VersionListParams {
  connection: string;
  bucket: string;
  prefix: string;
  delimiter: string | null;
  pageSize: number;
}

export interface VersionListOptions {
  signal: AbortSignal;
  /** Begin with the keys strictly after this one (a key-marker without a version-id-marker). */
  startAfter?: string | null;
  firstIndex?: number;
  resumedBy?: PageRecord["resumedBy"];
  previous?: ListCursor;
  retry?: Partial<RetryPolicy>;
}

/** When the answer was produced, by the server's Date header and by our clock around the request. */
export interface ServerClockSample {
  serverDateMs: number;
  sentAt: number;
  receivedAt: number;
}

export interface ListedVersionPage {
  /** `record.versions` carries the markers and counts; entryCount is the number of rows. */
  record: PageRecord;
  /** Versions and delete markers in S3's order: by key, then newest first. */
  rows: VersionRow[];
  commonPrefixes: string[];
  clock: ServerClockSample | null;
}

const MAX_RECORDED_ANOMALIES = 20;
const NULL_VERSION = "null";

interface Captured {
  clock: ServerClockSample | null;
}

interface RawResponse {
  headers?: Record<string, string | undefined>;
}

/** Notes the response's Date header and our clock around the request, for the server clock offset. */
function captureServerClock(command: ListObjectVersionsCommand, into: Captured): void {
  const middleware: DeserializeMiddleware<ListObjectVersionsCommandInput, ListObjectVersionsCommandOutput> = (next) => async (args) => {
    const sentAt = Date.now();
    const out = await next(args);
    const receivedAt = Date.now();
    const response = out.response as RawResponse;
    const date = response.headers?.date ?? response.headers?.Date;
    const serverDateMs = date !== undefined ? Date.parse(date) : NaN;
    into.clock = Number.isFinite(serverDateMs) ? { serverDateMs, sentAt, receivedAt } : null;
    return out;
  };
  command.middlewareStack.addRelativeTo(middleware, { relation: "after", toMiddleware: "deserializerMiddleware", name: "bucketscopeServerClock", override: true });
}

function toRow(v: ObjectVersion | DeleteMarkerEntry, deleteMarker: boolean, decode: (s: string) => string): VersionRow {
  const version = deleteMarker ? null : (v as ObjectVersion);
  return {
    key: decode(v.Key ?? ""),
    versionId: v.VersionId ?? NULL_VERSION,
    isLatest: v.IsLatest === true,
    deleteMarker,
    lastModified: v.LastModified?.toISOString() ?? null,
    size: version?.Size ?? 0,
    etag: version?.ETag ?? null,
    storageClass: version?.StorageClass ?? null,
  };
}

function lmOf(r: VersionRow): number {
  return r.lastModified === null ? -Infinity : Date.parse(r.lastModified);
}

/**
 * Versions and delete markers back in one sequence. With the document's element order this is exact;
 * without it they are merged by key, then newest LastModified, then IsLatest first (two entries of a
 * key in the same second are then in an order the response no longer says).
 */
export function mergeVersionRows(versions: VersionRow[], markers: VersionRow[], order: string[] | null): VersionRow[] {
  if (order !== null && order.length === versions.length + markers.length) {
    let v = 0;
    let d = 0;
    const out: VersionRow[] = [];
    for (const o of order) {
      const row = o === "v" ? versions[v++] : markers[d++];
      if (row === undefined) break;
      out.push(row);
    }
    if (out.length === order.length) return out;
  }
  const before = (a: VersionRow, b: VersionRow): boolean => {
    const k = compareKeys(a.key, b.key);
    if (k !== 0) return k < 0;
    const t = lmOf(b) - lmOf(a);
    if (t !== 0) return t < 0;
    return a.isLatest && !b.isLatest;
  };
  const out: VersionRow[] = [];
  let v = 0;
  let d = 0;
  while (v < versions.length || d < markers.length) {
    const a = versions[v];
    const b = markers[d];
    if (b === undefined || (a !== undefined && !before(b, a))) {
      out.push(a as VersionRow);
      v++;
    } else {
      out.push(b);
      d++;
    }
  }
  return out;
}

/** The offset of the server's clock from ours, from one Date header (whole seconds) and the round trip. */
export function clockOffset(sample: ServerClockSample): ClockOffset {
  const low = sample.serverDateMs - sample.receivedAt;
  const high = sample.serverDateMs + 1000 - sample.sentAt;
  return { offsetMs: Math.round((low + high) / 2), uncertaintyMs: Math.round((high - low) / 2), measuredAt: new Date(sample.receivedAt).toISOString() };
}

/**
 * GetBucketVersioning. A bucket that never had versioning enabled has no history to rebuild, and the
 * answer is refused with `not_versioned`; a denied read is "unknown" (the listing itself may still work).
 */
export async function readVersioning(client: S3Client, ctx: { connection: string; bucket: string }, signal?: AbortSignal): Promise<BucketVersioning> {
  let status: string | undefined;
  try {
    const res = await client.send(new GetBucketVersioningCommand({ Bucket: ctx.bucket }), { abortSignal: signal });
    status = res.Status;
  } catch (err) {
    const appErr = toAppError(err, ctx);
    if (appErr.code === "access_denied") return "unknown";
    throw appErr;
  }
  if (status === "Enabled" || status === "Suspended") return status;
  throw new AppError(
    "not_versioned",
    `Bucket "${ctx.bucket}" has never had versioning enabled, so S3 keeps only the current version of each key: there is no history to rebuild an earlier moment from. Browse it live, or record a pass now and compare passes over time.`,
  );
}

/** What a suspended or unreadable versioning status means for an answer rebuilt from versions. */
export function versioningWarning(versioning: BucketVersioning, note: string | null = null): string | null {
  if (versioning === "Suspended") {
    return "Versioning is suspended on this bucket: each write since then replaced the key's null version instead of adding one, so changes made while it was suspended may be missing.";
  }
  if (versioning === "unknown") {
    return `The bucket's versioning status could not be read${note !== null ? ` (${note})` : ""}: if versioning was never enabled, this is only each key's current state.`;
  }
  return null;
}

interface VersionRequest {
  keyMarker: string | null;
  versionIdMarker: string | null;
}

/**
 * Pages through ListObjectVersions once (key-marker + version-id-marker), yielding each page with its
 * versions and delete markers re-merged in S3's order. Like listPages, a failed or protocol-breaking
 * page is yielded with `record.error` and ends the walk; the next request is sent ahead.
 */
export async function* listVersionPages(
  client: S3Client,
  params: VersionListParams,
  opts: VersionListOptions,
): AsyncGenerator<ListedVersionPage, void, undefined> {
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (opts.signal.aborted) return;
  opts.signal.addEventListener("abort", abort, { once: true });
  const signal = controller.signal;
  const ctx = { connection: params.connection, bucket: params.bucket };

  type Fetched = Sent<{ res: ListObjectVersionsCommandOutput; captured: Captured }>;
  const fetchPage = (req: VersionRequest): Promise<Fetched> =>
    sendWithRetry(
      async (abortSignal) => {
        const command = new ListObjectVersionsCommand({
          Bucket: params.bucket,
          Prefix: params.prefix === "" ? undefined : params.prefix,
          Delimiter: params.delimiter ?? undefined,
          MaxKeys: params.pageSize,
          KeyMarker: req.keyMarker ?? undefined,
          VersionIdMarker: req.versionIdMarker ?? undefined,
          EncodingType: "url",
        });
        const captured: Captured = { clock: null };
        captureServerClock(command, captured);
        // Its reading gives the <Version>/<DeleteMarker> order the SDK's two arrays lose, on any client.
        command.middlewareStack.use(listingParser());
        const res = await client.send(command, { abortSignal });
        return Object.assign({ res, captured }, { $metadata: res.$metadata });
      },
      ctx,
      retry,
      signal,
    );

  const prev: ListCursor = opts.previous ? { ...opts.previous } : { key: null, keyPage: -1, prefix: null, prefixPage: -1 };
  let prevVersionId: string | null = null;
  const seenMarkers = new Set<string>();
  let index = opts.firstIndex ?? 0;
  let resumedBy = opts.resumedBy ?? null;
  let req: VersionRequest = { keyMarker: opts.startAfter === undefined || opts.startAfter === "" ? null : opts.startAfter, versionIdMarker: null };
  let inflight: Promise<Fetched> | null = fetchPage(req);

  try {
    while (inflight !== null) {
      const fetched: Fetched = await inflight;
      inflight = null;
      const request: PageRequest = {
        prefix: params.prefix,
        delimiter: params.delimiter,
        maxKeys: params.pageSize,
        continuationToken: null,
        startAfter: null,
      };
      const base = {
        index,
        request,
        resumedBy,
        requestedAt: iso(fetched.requestedAt),
        receivedAt: iso(fetched.receivedAt),
        durationMs: fetched.receivedAt - fetched.requestedAt,
        attempts: fetched.attempts,
      };
      const markers = {
        keyMarker: req.keyMarker,
        versionIdMarker: req.versionIdMarker,
        nextKeyMarker: null,
        nextVersionIdMarker: null,
        versions: 0,
        deleteMarkers: 0,
        nullVersions: 0,
        absentKeys: 0,
        ties: [],
        tieCount: 0,
        serverDate: null,
      };

      if (!fetched.ok) {
        if (fetched.aborted) return;
        yield {
          record: { ...unansweredRecord(base, fetched.error), versions: markers },
          rows: [],
          commonPrefixes: [],
          clock: null,
        };
        return;
      }

      const { res, captured } = fetched.res;
      const decode = res.EncodingType === "url" ? formDecode : (s: string) => s;
      let rows: VersionRow[];
      let commonPrefixes: string[];
      let nextKeyMarker: string | null = null;
      let error: PassError | null = null;
      try {
        rows = mergeVersionRows(
          (res.Versions ?? []).map((v) => toRow(v, false, decode)),
          (res.DeleteMarkers ?? []).map((v) => toRow(v, true, decode)),
          versionOrderOf(res),
        );
        commonPrefixes = (res.CommonPrefixes ?? []).map((p) => decode(p.Prefix ?? ""));
        nextKeyMarker = res.NextKeyMarker !== undefined && res.NextKeyMarker !== "" ? decode(res.NextKeyMarker) : null;
      } catch (err) {
        rows = [];
        commonPrefixes = [];
        error = protocolError(`The server sent a key that is not valid URL encoding: ${err instanceof Error ? err.message : String(err)}`, res);
      }
      const nextVersionIdMarker = res.NextVersionIdMarker !== undefined && res.NextVersionIdMarker !== "" ? res.NextVersionIdMarker : null;

      // Keys never go backwards; within a key, a version id never repeats.
      const anomalies: Anomaly[] = [];
      let anomalyCount = 0;
      const flag = (a: Anomaly) => {
        anomalyCount++;
        if (anomalies.length < MAX_RECORDED_ANOMALIES) anomalies.push(a);
      };
      let bytes = 0;
      let versions = 0;
      let deleteMarkers = 0;
      let nullVersions = 0;
      for (const r of rows) {
        if (r.deleteMarker) deleteMarkers++;
        else {
          versions++;
          bytes += r.size;
        }
        if (r.versionId === NULL_VERSION) nullVersions++;
        if (prev.key !== null) {
          const cmp = compareKeys(r.key, prev.key);
          if (cmp < 0) flag({ kind: "out_of_order", key: r.key, previousKey: prev.key, previousPage: prev.keyPage });
          else if (cmp === 0 && r.versionId === prevVersionId) flag({ kind: "repeated_key", key: r.key, previousKey: prev.key, previousPage: prev.keyPage });
        }
        prev.key = r.key;
        prev.keyPage = index;
        prevVersionId = r.versionId;
      }
      for (const p of commonPrefixes) {
        if (prev.prefix !== null && compareKeys(p, prev.prefix) <= 0) {
          flag({ kind: compareKeys(p, prev.prefix) === 0 ? "repeated_prefix" : "prefix_out_of_order", key: p, previousKey: prev.prefix, previousPage: prev.prefixPage });
        }
        prev.prefix = p;
        prev.prefixPage = index;
      }

      const isTruncated = res.IsTruncated === true;
      const flags: PageFlag[] = [];
      let following: VersionRequest | null = null;
      if (error === null && isTruncated) {
        const own = versionMarkersAfter(rows, commonPrefixes, nextKeyMarker, nextVersionIdMarker);
        if (own?.flag) flags.push(own.flag);
        following = own !== null ? own : nextKeyMarker !== null ? { keyMarker: nextKeyMarker, versionIdMarker: nextVersionIdMarker } : null;
        const markerId = following !== null ? `${following.keyMarker ?? ""}\u0000${following.versionIdMarker ?? ""}` : "";
        if (following === null) {
          error = protocolError("The server said the listing is truncated but sent no next key marker; the pass stops here instead of looping.", res);
        } else if (seenMarkers.has(markerId) || (following.keyMarker === req.keyMarker && following.versionIdMarker === req.versionIdMarker)) {
          error = protocolError("The server sent markers it had already sent; the pass stops here instead of looping.", res);
        }
        seenMarkers.add(markerId);
      }
      if (error === null && !isTruncated && rows.length === 0 && commonPrefixes.length === 0 && req.keyMarker !== null) {
        const target = { connection: params.connection, bucket: params.bucket, prefix: params.prefix, delimiter: params.delimiter };
        const answered = { httpStatus: res.$metadata.httpStatusCode ?? null, requestId: res.$metadata.requestId ?? null };
        const end = await checkEmptyEnd(client, target, req.keyMarker, "ListObjectVersions", answered, retry, signal);
        if (end === null) return;
        if ("error" in end) error = end.error;
        else flags.push(end.flag);
      }

      const first = rows[0];
      const last = rows[rows.length - 1];
      const page: ListedVersionPage = {
        record: {
          ...base,
          answered: true,
          httpStatus: res.$metadata.httpStatusCode ?? null,
          requestId: res.$metadata.requestId ?? null,
          keyCount: rows.length + commonPrefixes.length,
          entryCount: rows.length,
          commonPrefixCount: commonPrefixes.length,
          firstKey: first?.key ?? null,
          lastKey: last?.key ?? null,
          isTruncated,
          nextContinuationToken: null,
          bytes,
          anomalies,
          anomalyCount,
          error,
          ...(flags.length > 0 ? { flags } : {}),
          versions: {
            ...markers,
            nextKeyMarker,
            nextVersionIdMarker,
            versions,
            deleteMarkers,
            nullVersions,
            serverDate: captured.clock !== null ? iso(captured.clock.serverDateMs) : null,
          },
        },
        rows,
        commonPrefixes,
        clock: captured.clock,
      };

      const next: VersionRequest | null = error === null && following !== null ? { keyMarker: following.keyMarker, versionIdMarker: following.versionIdMarker } : null;
      if (next !== null) inflight = fetchPage(next);
      yield page;
      if (next === null) return;
      req = next;
      index++;
      resumedBy = null;
    }
  } finally {
    opts.signal.removeEventListener("abort", abort);
    controller.abort();
  }
}
