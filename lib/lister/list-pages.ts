import "server-only";
import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from "@aws-sdk/client-s3";
import { checkEmptyEnd, lastListed } from "./end-checks";
import { KeyOrder } from "./key-order";
import { DEFAULT_RETRY, sendWithRetry, type RetryPolicy, type Sent } from "./send";
import { watchThrottling } from "./throttling";
import { compareKeys } from "@/lib/wire";
import type { Entry, PageFlag, PageRecord, PageRequest, PassError } from "@/lib/wire";

export { compareKeys };

export interface ListParams {
  connection: string;
  bucket: string;
  prefix: string;
  delimiter: string | null;
  pageSize: number;
  startAfter: string | null;
}

/** Where the previous page of the pass left off, for anomaly checks that span a resume. */
export interface ListCursor {
  key: string | null;
  keyPage: number;
  prefix: string | null;
  prefixPage: number;
}

export interface ListOptions {
  signal: AbortSignal;
  /** Continue from this token (resume); the token wins over any start-after. */
  startToken?: string;
  /** Begin strictly after this key instead of params.startAfter (resume without a token). */
  startAfter?: string;
  /** When startToken is rejected as invalid, continue strictly after this key instead. */
  fallbackStartAfter?: string;
  firstIndex?: number;
  resumedBy?: PageRecord["resumedBy"];
  previous?: ListCursor;
  retry?: Partial<RetryPolicy>;
  /**
   * Send the next request while the caller handles the current page (default). `false` sends it only
   * when the caller asks for the next page, so whatever the caller does between pages happens
   * strictly before that request (the race lab's "after page N" mutations).
   */
  prefetch?: boolean;
  /**
   * The inclusive end of the key range being listed (read as each page arrives, so it may move
   * closer while the walk runs): items past it are left out of the page and the walk ends there.
   */
  through?: () => string | null;
  /** Called for every answer that asks to slow down (503 SlowDown and kin), the SDK's retries included. */
  onThrottled?: () => void;
  /**
   * MaxKeys of the next request, given the last item listed (default: the page size). A range
   * walk asks for little more than it expects before its end, so it parses fewer keys it must drop.
   */
  nextMaxKeys?: (lastItem: string | null) => number;
}

export interface ListedPage {
  record: PageRecord;
  entries: Entry[];
  commonPrefixes: string[];
  /** Items of the response past `through`, left out (0 without a range end). */
  beyond?: number;
}

const RECENT_TOKENS = 64;

// EncodingType=url is form encoding: "+" is a space (S3 encodes a literal "+" as %2B).
export function formDecode(s: string): string {
  if (!s.includes("%") && !s.includes("+")) return s;
  return decodeURIComponent(s.replace(/\+/g, "%20"));
}

type Fetched = Sent<ListObjectsV2CommandOutput>;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A response that answered but broke the protocol (no token, a repeated token, a bad key). */
export function protocolError(message: string, res: { $metadata: { httpStatusCode?: number; requestId?: string } }): PassError {
  return {
    code: "upstream_error",
    message,
    httpStatus: res.$metadata.httpStatusCode ?? null,
    s3Code: null,
    requestId: res.$metadata.requestId ?? null,
    retryable: false,
  };
}

type RequestFacts = Pick<PageRecord, "index" | "request" | "resumedBy" | "requestedAt" | "receivedAt" | "durationMs" | "attempts">;

/** The record of a page whose request failed for good: no answer, so nothing listed. */
export function unansweredRecord(base: RequestFacts, error: PassError): PageRecord {
  return {
    ...base,
    answered: false,
    httpStatus: error.httpStatus,
    requestId: error.requestId,
    keyCount: null,
    entryCount: 0,
    commonPrefixCount: 0,
    firstKey: null,
    lastKey: null,
    isTruncated: false,
    nextContinuationToken: null,
    bytes: 0,
    anomalies: [],
    anomalyCount: 0,
    error,
  };
}

/**
 * Pages through ListObjectsV2 once, yielding every page as it arrives. A page whose request failed
 * for good is yielded with `record.error` set, and so is a page that breaks the protocol (truncated
 * without a token, a token seen before); either ends the walk. The next request is sent before the
 * current page is handed over, so recording a page overlaps with the server preparing the next.
 */
export async function* listPages(client: S3Client, params: ListParams, opts: ListOptions): AsyncGenerator<ListedPage, void, undefined> {
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (opts.signal.aborted) return;
  opts.signal.addEventListener("abort", abort, { once: true });
  const signal = controller.signal;
  const ctx = { connection: params.connection, bucket: params.bucket };

  const fetchPage = (req: PageRequest): Promise<Fetched> =>
    sendWithRetry(
      // A fresh input object per request: the SDK (and its paginator) may write into it.
      (abortSignal) =>
        client.send(
          watchThrottling(
            new ListObjectsV2Command({
              Bucket: params.bucket,
              Prefix: req.prefix === "" ? undefined : req.prefix,
              Delimiter: req.delimiter ?? undefined,
              MaxKeys: req.maxKeys,
              ContinuationToken: req.continuationToken ?? undefined,
              StartAfter: req.startAfter === null || req.startAfter === "" ? undefined : req.startAfter,
              EncodingType: "url",
            }),
            opts.onThrottled,
            ctx,
          ),
          { abortSignal },
        ),
      ctx,
      retry,
      signal,
    );

  const order = new KeyOrder(opts.previous);
  const recentTokens: string[] = [];
  let index = opts.firstIndex ?? 0;
  let resumedBy = opts.resumedBy ?? null;
  let req: PageRequest = {
    prefix: params.prefix,
    delimiter: params.delimiter,
    maxKeys: params.pageSize,
    continuationToken: opts.startToken ?? null,
    startAfter: opts.startToken !== undefined ? null : (opts.startAfter ?? params.startAfter),
  };
  let carriedAttempts = 0;
  let inflight: Promise<Fetched> | null = fetchPage(req);

  try {
    while (inflight !== null) {
      const fetched: Fetched = await inflight;
      inflight = null;
      const attempts = fetched.attempts + carriedAttempts;
      carriedAttempts = 0;
      const base = {
        index,
        request: req,
        resumedBy,
        requestedAt: iso(fetched.requestedAt),
        receivedAt: iso(fetched.receivedAt),
        durationMs: fetched.receivedAt - fetched.requestedAt,
        attempts,
      };

      if (!fetched.ok) {
        if (fetched.aborted) return;
        if (fetched.error.code === "invalid_token" && req.continuationToken !== null && index === (opts.firstIndex ?? 0) && opts.fallbackStartAfter !== undefined) {
          req = { ...req, continuationToken: null, startAfter: opts.fallbackStartAfter };
          resumedBy = "start-after";
          carriedAttempts = attempts;
          inflight = fetchPage(req);
          continue;
        }
        yield {
          record: unansweredRecord(base, fetched.error),
          entries: [],
          commonPrefixes: [],
        };
        return;
      }

      const res = fetched.res;
      const decode = res.EncodingType === "url" ? formDecode : (s: string) => s;
      let entries: Entry[];
      let commonPrefixes: string[];
      let error: PassError | null = null;
      try {
        entries = (res.Contents ?? []).map((o) => ({
          key: decode(o.Key ?? ""),
          size: o.Size ?? 0,
          etag: o.ETag ?? null,
          lastModified: o.LastModified?.toISOString() ?? null,
          storageClass: o.StorageClass ?? null,
        }));
        commonPrefixes = (res.CommonPrefixes ?? []).map((p) => decode(p.Prefix ?? ""));
      } catch (err) {
        entries = [];
        commonPrefixes = [];
        error = protocolError(`The server sent a key that is not valid URL encoding: ${err instanceof Error ? err.message : String(err)}`, res);
      }

      order.page();
      let bytes = 0;
      for (const e of entries) {
        order.check(e.key, false, index);
        bytes += e.size;
      }
      for (const p of commonPrefixes) order.check(p, true, index);
      // Order is checked over the whole response; the range's end then cuts it.
      let beyond = 0;
      const through = opts.through?.() ?? null;
      if (through !== null && error === null) {
        const kept = entries.filter((e) => compareKeys(e.key, through) <= 0);
        const keptPrefixes = commonPrefixes.filter((p) => compareKeys(p, through) <= 0);
        beyond = entries.length - kept.length + commonPrefixes.length - keptPrefixes.length;
        if (beyond > 0) {
          bytes = 0;
          for (const e of kept) bytes += e.size;
          entries = kept;
          commonPrefixes = keptPrefixes;
        }
      }

      const isTruncated = res.IsTruncated === true;
      const token = res.NextContinuationToken !== undefined && res.NextContinuationToken !== "" ? res.NextContinuationToken : null;
      if (error === null && isTruncated) {
        if (token === null) {
          error = protocolError("The server said the listing is truncated but sent no continuation token; the pass stops here instead of looping.", res);
        } else if (token === req.continuationToken || recentTokens.includes(token)) {
          error = protocolError("The server sent a continuation token it had already sent; the pass stops here instead of looping.", res);
        }
      }
      if (token !== null) {
        recentTokens.push(token);
        if (recentTokens.length > RECENT_TOKENS) recentTokens.shift();
      }
      const flags: PageFlag[] = [];
      if (error === null && !isTruncated && entries.length === 0 && commonPrefixes.length === 0 && req.continuationToken !== null) {
        const target = { connection: params.connection, bucket: params.bucket, prefix: req.prefix, delimiter: req.delimiter, through: opts.through?.() ?? null };
        const answered = { httpStatus: res.$metadata.httpStatusCode ?? null, requestId: res.$metadata.requestId ?? null };
        const end = await checkEmptyEnd(client, target, lastListed(order.prev) ?? opts.startAfter ?? params.startAfter, "ListObjectsV2", answered, retry, signal);
        if (end === null) return;
        if ("error" in end) error = end.error;
        else flags.push(end.flag);
      }

      const first = entries[0];
      const last = entries[entries.length - 1];
      const page: ListedPage = {
        record: {
          ...base,
          answered: true,
          httpStatus: res.$metadata.httpStatusCode ?? null,
          requestId: res.$metadata.requestId ?? null,
          keyCount: res.KeyCount ?? null,
          entryCount: entries.length,
          commonPrefixCount: commonPrefixes.length,
          firstKey: first?.key ?? null,
          lastKey: last?.key ?? null,
          isTruncated,
          nextContinuationToken: token,
          bytes,
          anomalies: order.anomalies,
          anomalyCount: order.count,
          error,
          ...(flags.length > 0 ? { flags } : {}),
        },
        entries,
        commonPrefixes,
        beyond,
      };

      const lastItem = last?.key !== undefined && (commonPrefixes.length === 0 || compareKeys(last.key, commonPrefixes[commonPrefixes.length - 1] as string) > 0) ? last.key : (commonPrefixes[commonPrefixes.length - 1] ?? null);
      const maxKeys = opts.nextMaxKeys !== undefined ? Math.max(1, Math.min(params.pageSize, Math.round(opts.nextMaxKeys(lastItem)))) : req.maxKeys;
      const next: PageRequest | null =
        error === null && isTruncated && token !== null && beyond === 0 ? { ...req, maxKeys, continuationToken: token, startAfter: null } : null;
      const prefetch = opts.prefetch ?? true;
      if (next !== null && prefetch) inflight = fetchPage(next);
      yield page;
      if (next === null) return;
      if (!prefetch) inflight = fetchPage(next);
      req = next;
      index++;
      resumedBy = null;
    }
  } finally {
    opts.signal.removeEventListener("abort", abort);
    controller.abort();
  }
}
