import "server-only";
import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, type HeadObjectCommandOutput } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { connections as defaultConnections, toAppError, type ConnectionRegistry } from "@/lib/connections";
import { AppError, errorStatus, type ErrorCode } from "@/lib/http";
import { listPages, type ListedPage, type RetryPolicy } from "@/lib/lister";
import type { BrowseEvent, BrowseQuery, ObjectDetails, ObjectQuery, PassError } from "@/lib/wire";

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

/**
 * One unrecorded walk of ListObjectsV2, as NDJSON events: `start`, a `page` per response, `end`.
 * `start` is yielded only once the first page has answered, so a consumer that primes the generator
 * (ndjsonResponse) answers an unknown bucket or a denied listing with its own status instead of a
 * 200. Listing stops as soon as `signal` aborts.
 */
export async function* browseEvents(query: BrowseQuery, opts: BrowseOptions): AsyncGenerator<BrowseEvent, void, undefined> {
  const conn = await (opts.connections ?? defaultConnections()).get(query.connection);
  const startedAt = Date.now();
  const pages = listPages(
    conn.client,
    {
      connection: conn.name,
      bucket: query.bucket,
      prefix: query.prefix,
      delimiter: query.delimiter ?? null,
      pageSize: query.pageSize,
      startAfter: null,
    },
    { signal: opts.signal, retry: opts.retry },
  );
  try {
    const first = await pages.next();
    if (first.done) return;
    if (first.value.record.error !== null && !first.value.record.answered) throw appErrorOf(first.value.record.error);

    yield {
      type: "start",
      connection: conn.name,
      bucket: query.bucket,
      prefix: query.prefix,
      delimiter: query.delimiter ?? null,
      pageSize: query.pageSize,
      startedAt: new Date(startedAt).toISOString(),
    };

    const totals = { pages: 0, keys: 0, prefixes: 0, bytes: 0 };
    let error: PassError | null = null;
    let next: IteratorResult<ListedPage, void> = first;
    while (!next.done) {
      const { record, entries, commonPrefixes } = next.value;
      if (record.answered) totals.pages++;
      totals.keys += record.entryCount;
      totals.prefixes += record.commonPrefixCount;
      totals.bytes += record.bytes;
      yield { type: "page", page: record, entries, commonPrefixes };
      if (record.error !== null) {
        error = record.error;
        break;
      }
      next = await pages.next();
    }
    // An abort ends listPages quietly; the client that asked for this is gone, so there is no end.
    if (opts.signal.aborted) return;
    yield { type: "end", ...totals, durationMs: Date.now() - startedAt, error };
  } finally {
    await pages.return();
  }
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

function isNotFound(err: unknown): boolean {
  if (err === null || typeof err !== "object") return false;
  const name = "name" in err ? err.name : undefined;
  const meta = "$metadata" in err ? err.$metadata : undefined;
  const status = meta !== null && typeof meta === "object" && "httpStatusCode" in meta ? meta.httpStatusCode : undefined;
  return name === "NotFound" || name === "NoSuchKey" || status === 404;
}

/** HEAD of one object plus a presigned GET made here, so the browser never holds credentials. */
export async function objectDetails(query: ObjectQuery, opts: { connections?: ConnectionRegistry } = {}): Promise<ObjectDetails> {
  const conn = await (opts.connections ?? defaultConnections()).get(query.connection);
  const ctx = { connection: conn.name, bucket: query.bucket };
  let head: HeadObjectCommandOutput;
  try {
    head = await conn.client.send(new HeadObjectCommand({ Bucket: query.bucket, Key: query.key, ChecksumMode: "ENABLED" }));
  } catch (err) {
    if (!isNotFound(err)) throw toAppError(err, ctx);
    // A HEAD 404 has no body, so a missing key and a missing bucket look alike: ask the bucket.
    try {
      await conn.client.send(new HeadBucketCommand({ Bucket: query.bucket }));
    } catch (bucketErr) {
      throw toAppError(bucketErr, ctx);
    }
    throw new AppError("not_found", `There is no object with this key in bucket "${query.bucket}".`);
  }
  const signedAt = Date.now();
  const url = await getSignedUrl(
    conn.client,
    new GetObjectCommand({ Bucket: query.bucket, Key: query.key, ResponseContentDisposition: attachmentDisposition(query.key) }),
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
