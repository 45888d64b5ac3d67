import "server-only";
import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, type HeadObjectCommandOutput } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { connections as defaultConnections, toAppError, type Connection, type ConnectionRegistry } from "@/lib/connections";
import { AppError, errorStatus, type ErrorCode } from "@/lib/http";
import {
  AsOfFold,
  asOfPage,
  clockOffset,
  listPages,
  listVersionPages,
  readVersioning,
  versioningWarning,
  type ListedPage,
  type ListedVersionPage,
  type RetryPolicy,
  type ServerClockSample,
} from "@/lib/lister";
import {
  POINT_IN_TIME_LIMITS,
  type BrowseEvent,
  type BrowseQuery,
  type BrowseStartEvent,
  type ObjectDetails,
  type ObjectQuery,
  type PassError,
  type Tie,
} from "@/lib/wire";

export interface BrowseOptions {
  signal: AbortSignal;
  connections?: ConnectionRegistry;
  retry?: Partial<RetryPolicy>;
}

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorStatus, code);
}

function appErrorOf(error: PassError): AppError {
  return new AppError(isErrorCode(error.code) ? error.code : "upstream_error", error.message);
}

type BrowsedPage = ListedPage & { ties?: Tie[]; clock?: ServerClockSample | null };
type AsOfStart = NonNullable<BrowseStartEvent["asOf"]>;

/**
 * One unrecorded walk of ListObjectsV2, as NDJSON events: `start`, a `page` per response, `end`.
 * `start` is yielded only once the first page has answered, so a consumer that primes the generator
 * (ndjsonResponse) answers an unknown bucket or a denied listing with its own status instead of a
 * 200. Listing stops as soon as `signal` aborts. With `asOf`, the same events describe the bucket
 * as of T (browseAsOf).
 */
export async function* browseEvents(query: BrowseQuery, opts: BrowseOptions): AsyncGenerator<BrowseEvent, void, undefined> {
  const conn = await (opts.connections ?? defaultConnections()).get(query.connection);
  if (query.asOf !== undefined) {
    yield* browseAsOf(conn, { ...query, asOf: query.asOf }, opts);
    return;
  }
  const pages = listPages(
    conn.client,
    { connection: conn.name, bucket: query.bucket, prefix: query.prefix, delimiter: query.delimiter ?? null, pageSize: query.pageSize, startAfter: null },
    { signal: opts.signal, retry: opts.retry },
  );
  yield* walk(conn.name, query, Date.now(), pages, opts.signal, null);
}

async function* walk(
  connection: string,
  query: BrowseQuery,
  startedAt: number,
  pages: AsyncGenerator<BrowsedPage, void, undefined>,
  signal: AbortSignal,
  asOfStart: ((first: BrowsedPage) => AsOfStart) | null,
): AsyncGenerator<BrowseEvent, void, undefined> {
  try {
    const first = await pages.next();
    if (first.done) return;
    if (first.value.record.error !== null && !first.value.record.answered) throw appErrorOf(first.value.record.error);

    yield {
      type: "start",
      connection,
      bucket: query.bucket,
      prefix: query.prefix,
      delimiter: query.delimiter ?? null,
      pageSize: query.pageSize,
      startedAt: new Date(startedAt).toISOString(),
      ...(asOfStart !== null ? { asOf: asOfStart(first.value) } : {}),
    };

    const totals = { pages: 0, keys: 0, prefixes: 0, bytes: 0 };
    const asOf = asOfStart !== null ? { versions: 0, deleteMarkers: 0, nullVersions: 0, absentKeys: 0, ties: 0 } : null;
    let error: PassError | null = null;
    let next: IteratorResult<BrowsedPage, void> = first;
    while (!next.done) {
      const { record, entries, commonPrefixes, ties } = next.value;
      if (record.answered) totals.pages++;
      totals.keys += record.entryCount;
      totals.prefixes += record.commonPrefixCount;
      totals.bytes += record.bytes;
      if (asOf !== null && record.versions !== undefined) {
        asOf.versions += record.versions.versions;
        asOf.deleteMarkers += record.versions.deleteMarkers;
        asOf.nullVersions += record.versions.nullVersions;
        asOf.absentKeys += record.versions.absentKeys;
        asOf.ties += record.versions.tieCount;
      }
      yield { type: "page", page: record, entries, commonPrefixes, ...(ties !== undefined ? { ties } : {}) };
      if (record.error !== null) {
        error = record.error;
        break;
      }
      next = await pages.next();
    }
    // An abort ends the lister quietly; the client that asked for this is gone, so there is no end.
    if (signal.aborted) return;
    yield { type: "end", ...totals, durationMs: Date.now() - startedAt, error, ...(asOf !== null ? { asOf } : {}) };
  } finally {
    await pages.return();
  }
}

const RESOLUTION_MS = 1000;

async function* asOfPages(versionPages: AsyncGenerator<ListedVersionPage, void, undefined>, fold: AsOfFold): AsyncGenerator<BrowsedPage, void, undefined> {
  for await (const listed of versionPages) {
    // A failed page ends the walk: the key still open is settled with what was read of it.
    const last = !listed.record.isTruncated || listed.record.error !== null;
    yield { ...asOfPage(fold, listed, last), clock: listed.clock };
  }
}

/**
 * The bucket as of T: GetBucketVersioning first (a never-versioned bucket is refused before any line,
 * so the route answers 409), then ListObjectVersions folded page by page into the keys present at T.
 * S3 rolls every version and delete marker under a common prefix into it, so in folder mode a
 * folder is listed when anything under it has history, present at T or not.
 */
async function* browseAsOf(conn: Connection, query: BrowseQuery & { asOf: string }, opts: BrowseOptions): AsyncGenerator<BrowseEvent, void, undefined> {
  const asOfMs = Date.parse(query.asOf);
  // Our clock: a T still to come has no answer yet (the server clock is a second or so away at most).
  if (asOfMs > Date.now()) {
    throw new AppError("bad_request", `asOf: ${new Date(asOfMs).toISOString()} is in the future; the bucket as of a moment still to come is not known yet.`);
  }
  const startedAt = Date.now();
  const versioning = await readVersioning(conn.client, { connection: conn.name, bucket: query.bucket }, opts.signal);
  const versionPages = listVersionPages(
    conn.client,
    { connection: conn.name, bucket: query.bucket, prefix: query.prefix, delimiter: query.delimiter ?? null, pageSize: query.pageSize },
    { signal: opts.signal, retry: opts.retry },
  );
  yield* walk(conn.name, query, startedAt, asOfPages(versionPages, new AsOfFold(new Date(asOfMs))), opts.signal, (first) => ({
    asOf: new Date(asOfMs).toISOString(),
    versioning,
    clock: first.clock != null ? clockOffset(first.clock) : null,
    resolutionMs: RESOLUTION_MS,
    limits: [...POINT_IN_TIME_LIMITS],
    warnings: [versioningWarning(versioning, "access denied")].filter((w) => w !== null),
  }));
}

const PRESIGN_SECONDS = 15 * 60;

// RFC 6266 / 5987: an ASCII fallback name plus the exact name, so keys with quotes, newlines or
// non-ASCII characters neither break the header nor lose their name.
function attachmentDisposition(key: string): string {
  const base = key.slice(key.lastIndexOf("/") + 1) || "download";
  const fallback = base.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const exact = encodeURIComponent(base).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}

function checksumsOf(head: HeadObjectCommandOutput): Record<string, string> {
  const out: Record<string, string> = {};
  const pairs: [string, string | undefined][] = [
    ["CRC32", head.ChecksumCRC32],
    ["CRC32C", head.ChecksumCRC32C],
    ["CRC64NVME", head.ChecksumCRC64NVME],
    ["SHA1", head.ChecksumSHA1],
    ["SHA256", head.ChecksumSHA256],
  ];
  for (const [name, value] of pairs) if (value !== undefined && value !== "") out[name] = value;
  return out;
}

function httpStatusOf(err: unknown): unknown {
  if (err === null || typeof err !== "object") return undefined;
  const meta = "$metadata" in err ? err.$metadata : undefined;
  return meta !== null && typeof meta === "object" && "httpStatusCode" in meta ? meta.httpStatusCode : undefined;
}

function isNotFound(err: unknown): boolean {
  if (err === null || typeof err !== "object") return false;
  const name = "name" in err ? err.name : undefined;
  return name === "NotFound" || name === "NoSuchKey" || name === "NoSuchVersion" || httpStatusOf(err) === 404;
}

/** HEAD of one object plus a presigned GET made here, so the browser never holds credentials. */
export async function objectDetails(query: ObjectQuery, opts: { connections?: ConnectionRegistry } = {}): Promise<ObjectDetails> {
  const conn = await (opts.connections ?? defaultConnections()).get(query.connection);
  const ctx = { connection: conn.name, bucket: query.bucket };
  let head: HeadObjectCommandOutput;
  try {
    head = await conn.client.send(new HeadObjectCommand({ Bucket: query.bucket, Key: query.key, VersionId: query.versionId, ChecksumMode: "ENABLED" }));
  } catch (err) {
    if (query.versionId !== undefined && httpStatusOf(err) === 405) {
      throw new AppError("bad_request", `Version ${query.versionId} of this key is a delete marker: it has no content to show or download.`);
    }
    // A HEAD error has no body: a 400 for a version is S3's "Invalid version id specified".
    if (query.versionId !== undefined && httpStatusOf(err) === 400) {
      throw new AppError("bad_request", `S3 does not accept "${query.versionId}" as a version id of this key.`);
    }
    if (!isNotFound(err)) throw toAppError(err, ctx);
    // A HEAD 404 has no body, so a missing key and a missing bucket look alike: ask the bucket.
    try {
      await conn.client.send(new HeadBucketCommand({ Bucket: query.bucket }));
    } catch (bucketErr) {
      throw toAppError(bucketErr, ctx);
    }
    throw new AppError(
      "not_found",
      query.versionId !== undefined
        ? `This key has no version ${query.versionId} in bucket "${query.bucket}" (it may have been deleted permanently since).`
        : `There is no object with this key in bucket "${query.bucket}".`,
    );
  }
  const signedAt = Date.now();
  const url = await getSignedUrl(
    conn.client,
    new GetObjectCommand({ Bucket: query.bucket, Key: query.key, VersionId: query.versionId, ResponseContentDisposition: attachmentDisposition(query.key) }),
    { expiresIn: PRESIGN_SECONDS },
  );
  return {
    connection: conn.name,
    bucket: query.bucket,
    key: query.key,
    size: head.ContentLength ?? 0,
    etag: head.ETag ?? null,
    lastModified: head.LastModified?.toISOString() ?? null,
    // S3 sends x-amz-storage-class for every class but STANDARD.
    storageClass: head.StorageClass ?? "STANDARD",
    contentType: head.ContentType ?? null,
    contentEncoding: head.ContentEncoding ?? null,
    contentLanguage: head.ContentLanguage ?? null,
    contentDisposition: head.ContentDisposition ?? null,
    cacheControl: head.CacheControl ?? null,
    versionId: head.VersionId ?? null,
    serverSideEncryption: head.ServerSideEncryption ?? null,
    checksums: checksumsOf(head),
    metadata: { ...head.Metadata },
    download: { url, expiresAt: new Date(signedAt + PRESIGN_SECONDS * 1000).toISOString() },
  };
}

export { bucketHistory } from "./bucket-history";
