import { storedContentEncoding, type RequestBody } from "../body";
import { checksumHeaderName } from "../checksums";
import { S3Error } from "../errors";
import type { S3Request } from "../request";
import { safeDecode } from "../sigv4";
import type { ObjectMeta, ObjectVersion } from "../store-types";
import { parseStorageClass } from "../validate";

// Object metadata in and out of HTTP headers, conditional requests, copy sources.

/** Node decodes header bytes as latin1; metadata is UTF-8 on the wire. */
function utf8FromHeader(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(value) ? value : Buffer.from(value, "latin1").toString("utf8");
}

function headerFromUtf8(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(value) ? value : Buffer.from(value, "utf8").toString("latin1");
}

export function metaFromHeaders(req: S3Request, checksum: RequestBody["checksum"]): ObjectMeta {
  const userMetadata: Record<string, string> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!name.startsWith("x-amz-meta-")) continue;
    const metaName = name.slice("x-amz-meta-".length);
    const value = utf8FromHeader(raw[i + 1]!.trim());
    userMetadata[metaName] = metaName in userMetadata ? `${userMetadata[metaName]},${value}` : value;
  }
  const optional = (name: string) => {
    const v = req.header(name);
    return v === undefined ? undefined : utf8FromHeader(v);
  };
  const meta: ObjectMeta = {
    // S3's default when the client sends no Content-Type (awscli put-object does not).
    contentType: optional("content-type") ?? "binary/octet-stream",
    userMetadata,
    storageClass: parseStorageClass(req.header("x-amz-storage-class")),
  };
  const contentEncoding = storedContentEncoding(req.header("content-encoding"));
  if (contentEncoding !== undefined) meta.contentEncoding = contentEncoding;
  const disposition = optional("content-disposition");
  if (disposition !== undefined) meta.contentDisposition = disposition;
  const language = optional("content-language");
  if (language !== undefined) meta.contentLanguage = language;
  const cacheControl = optional("cache-control");
  if (cacheControl !== undefined) meta.cacheControl = cacheControl;
  const expires = optional("expires");
  if (expires !== undefined) meta.expires = expires;
  if (checksum !== undefined) meta.checksum = checksum;
  return meta;
}

export function checksumHeaders(v: ObjectVersion): Record<string, string> {
  const checksum = v.meta.checksum;
  if (!checksum) return {};
  return {
    [checksumHeaderName(checksum.algorithm)]: checksum.value,
    "x-amz-checksum-type": checksum.value.includes("-") ? "COMPOSITE" : "FULL_OBJECT",
  };
}

/** Headers of GetObject/HeadObject, before response-* overrides. */
export function objectHeaders(v: ObjectVersion, versioned: boolean, includeChecksum: boolean): Record<string, string> {
  const m = v.meta;
  const h: Record<string, string> = {
    "last-modified": v.lastModified.toUTCString(),
    etag: v.etag,
    "content-type": headerFromUtf8(m.contentType),
    "accept-ranges": "bytes",
  };
  if (m.contentEncoding !== undefined) h["content-encoding"] = headerFromUtf8(m.contentEncoding);
  if (m.contentDisposition !== undefined) h["content-disposition"] = headerFromUtf8(m.contentDisposition);
  if (m.contentLanguage !== undefined) h["content-language"] = headerFromUtf8(m.contentLanguage);
  if (m.cacheControl !== undefined) h["cache-control"] = headerFromUtf8(m.cacheControl);
  if (m.expires !== undefined) h.expires = headerFromUtf8(m.expires);
  if (m.storageClass !== "STANDARD") h["x-amz-storage-class"] = m.storageClass;
  for (const [name, value] of Object.entries(m.userMetadata)) h[`x-amz-meta-${name}`] = headerFromUtf8(value);
  if (versioned) h["x-amz-version-id"] = v.versionId;
  if (includeChecksum) Object.assign(h, checksumHeaders(v));
  return h;
}

function etagListMatches(header: string, etag: string): boolean {
  const bare = etag.replace(/^"|"$/g, "");
  return header.split(",").some((t) => {
    const candidate = t.trim().replace(/^W\//, "").replace(/^"|"$/g, "");
    return candidate === "*" || candidate === bare;
  });
}

function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * RFC 7232 preconditions as S3 applies them. `prefix` is "" for GET/HEAD and "x-amz-copy-source-"
 * for a copy source, where every failure is 412.
 */
export function checkPreconditions(req: S3Request, v: ObjectVersion, prefix = ""): void {
  const lastModifiedS = Math.floor(v.lastModified.getTime() / 1000) * 1000;
  const ifMatch = req.header(`${prefix}if-match`);
  const ifNoneMatch = req.header(`${prefix}if-none-match`);
  const ifModifiedSince = parseHttpDate(req.header(`${prefix}if-modified-since`));
  const ifUnmodifiedSince = parseHttpDate(req.header(`${prefix}if-unmodified-since`));
  const failed = (condition: string) =>
    new S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", { Condition: condition });
  if (ifMatch !== undefined) {
    if (!etagListMatches(ifMatch, v.etag)) throw failed("If-Match");
  } else if (ifUnmodifiedSince !== undefined && lastModifiedS > ifUnmodifiedSince) {
    throw failed("If-Unmodified-Since");
  }
  const notModified =
    prefix === "" ? new S3Error("NotModified", "Not Modified", {}, { etag: v.etag, "last-modified": v.lastModified.toUTCString() }) : undefined;
  if (ifNoneMatch !== undefined) {
    if (etagListMatches(ifNoneMatch, v.etag)) throw notModified ?? failed("If-None-Match");
  } else if (ifModifiedSince !== undefined && lastModifiedS <= ifModifiedSince) {
    throw notModified ?? failed("If-Modified-Since");
  }
}

export interface CopySource {
  bucket: string;
  key: string;
  versionId: string | undefined;
}

/** x-amz-copy-source: "[/]bucket/key[?versionId=v]", percent-encoded (awscli) or raw (JS SDK, §4). */
export function parseCopySource(header: string): CopySource {
  let value = header.trim();
  let versionId: string | undefined;
  const q = value.lastIndexOf("?versionId=");
  if (q !== -1) {
    versionId = safeDecode(value.slice(q + "?versionId=".length));
    value = value.slice(0, q);
  }
  value = safeDecode(value);
  if (value.startsWith("/")) value = value.slice(1);
  const slash = value.indexOf("/");
  if (slash <= 0 || slash === value.length - 1) {
    throw new S3Error("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey", {
      ArgumentName: "x-amz-copy-source",
      ArgumentValue: header,
    });
  }
  return { bucket: value.slice(0, slash), key: value.slice(slash + 1), versionId };
}

export interface ByteRange {
  start: number;
  endInclusive: number;
}

/**
 * Parses "bytes=a-b", "bytes=a-" and "bytes=-n" against the object size. Returns undefined when the
 * header is absent or not a single byte range (S3 then serves the whole object); throws InvalidRange
 * (416) when the range cannot be satisfied.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  const unsatisfiable = () =>
    new S3Error("InvalidRange", "The requested range is not satisfiable", { RangeRequested: header, ActualObjectSize: String(size) });
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - suffix), endInclusive: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== "" && Number(m[2]) < start) return undefined;
  if (start >= size) throw unsatisfiable();
  return { start, endInclusive: end };
}
