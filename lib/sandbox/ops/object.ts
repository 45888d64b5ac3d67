import type { RequestBody } from "../body";
import { emptyResponse, xmlResponse, type S3Response, type SandboxContext } from "../context";
import { S3Error } from "../errors";
import type { S3Request } from "../request";
import type { ObjectMeta, ObjectVersion } from "../store-types";
import { assertValidBucketName, assertValidKey, parseStorageClass } from "../validate";
import { copyObjectResultXml } from "../xml-responses";
import { checkPreconditions, checksumHeaders, metaFromHeaders, objectHeaders, parseCopySource, parseRange } from "./object-meta";

function isVersioned(ctx: SandboxContext, bucket: string): boolean {
  return ctx.store.getBucket(bucket).versioning !== "Unversioned";
}

/** A versionId that names a delete marker: S3 answers 405 with x-amz-delete-marker. */
function rejectDeleteMarker(v: ObjectVersion): void {
  if (!v.isDeleteMarker) return;
  throw new S3Error("MethodNotAllowed", "The specified method is not allowed against this resource.", { Method: "GET", ResourceType: "DeleteMarker" }, {
    "x-amz-delete-marker": "true",
    "x-amz-version-id": v.versionId,
    "last-modified": v.lastModified.toUTCString(),
  });
}

/** Conditional writes: If-None-Match: * (create only) and If-Match: <etag> (replace only that version). */
function checkWritePreconditions(ctx: SandboxContext, req: S3Request): void {
  const ifNoneMatch = req.header("if-none-match");
  const ifMatch = req.header("if-match");
  if (ifNoneMatch === undefined && ifMatch === undefined) return;
  let current: ObjectVersion | undefined;
  try {
    current = ctx.store.headObject(req.bucket, req.key);
  } catch (err) {
    if (!(err instanceof S3Error && err.code === "NoSuchKey")) throw err;
  }
  const failed = (condition: string) =>
    new S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", { Condition: condition });
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() === "*" && current) throw failed("If-None-Match");
  if (ifMatch !== undefined) {
    if (!current) throw new S3Error("NoSuchKey", "The specified key does not exist.", { Key: req.key });
    const bare = current.etag.replace(/^"|"$/g, "");
    if (ifMatch.trim().replace(/^"|"$/g, "") !== bare) throw failed("If-Match");
  }
}

export function putObject(ctx: SandboxContext, req: S3Request, body: RequestBody): S3Response {
  assertValidKey(req.key);
  const versioned = isVersioned(ctx, req.bucket);
  checkWritePreconditions(ctx, req);
  const v = ctx.store.putObject({ bucket: req.bucket, key: req.key, body: body.data, meta: metaFromHeaders(req, body.checksum) });
  const headers: Record<string, string> = { etag: v.etag, ...checksumHeaders(v) };
  if (versioned) headers["x-amz-version-id"] = v.versionId;
  return emptyResponse(200, headers);
}

const RESPONSE_OVERRIDES: readonly [string, string][] = [
  ["response-content-type", "content-type"],
  ["response-content-language", "content-language"],
  ["response-expires", "expires"],
  ["response-cache-control", "cache-control"],
  ["response-content-disposition", "content-disposition"],
  ["response-content-encoding", "content-encoding"],
];

function readObject(ctx: SandboxContext, req: S3Request, withBody: boolean): S3Response {
  assertValidKey(req.key);
  const versioned = isVersioned(ctx, req.bucket);
  const versionId = req.query.get("versionId");
  const head = ctx.store.headObject(req.bucket, req.key, versionId);
  rejectDeleteMarker(head);
  checkPreconditions(req, head);
  const range = parseRange(req.header("range"), head.size);
  const checksumMode = req.header("x-amz-checksum-mode")?.toUpperCase() === "ENABLED";
  // A full-object checksum would not match a partial body (the SDK would reject it), so S3 omits it on 206.
  const headers = objectHeaders(head, versioned, checksumMode && range === undefined);
  for (const [param, header] of RESPONSE_OVERRIDES) {
    const value = req.query.get(param);
    if (value !== undefined) headers[header] = value;
  }
  if (range === undefined) {
    headers["content-length"] = String(head.size);
    const body = withBody && head.size > 0 ? ctx.store.readRange(head, 0, head.size - 1) : undefined;
    return { status: 200, headers, body };
  }
  headers["content-range"] = `bytes ${range.start}-${range.endInclusive}/${head.size}`;
  headers["content-length"] = String(range.endInclusive - range.start + 1);
  const body = withBody ? ctx.store.readRange(head, range.start, range.endInclusive) : undefined;
  return { status: 206, headers, body };
}

export function getObject(ctx: SandboxContext, req: S3Request): S3Response {
  return readObject(ctx, req, true);
}

export function headObject(ctx: SandboxContext, req: S3Request): S3Response {
  return readObject(ctx, req, false);
}

export function deleteObject(ctx: SandboxContext, req: S3Request): S3Response {
  assertValidKey(req.key);
  const versioned = isVersioned(ctx, req.bucket);
  const versionId = req.query.get("versionId");
  const result = ctx.store.deleteObject(req.bucket, req.key, versionId);
  const headers: Record<string, string> = {};
  if (result.deleteMarker) headers["x-amz-delete-marker"] = "true";
  if (result.versionId !== undefined && (versioned || versionId !== undefined)) headers["x-amz-version-id"] = result.versionId;
  return emptyResponse(204, headers);
}

export function copyObject(ctx: SandboxContext, req: S3Request): S3Response {
  assertValidKey(req.key);
  const source = parseCopySource(req.header("x-amz-copy-source") ?? "");
  assertValidBucketName(source.bucket);
  assertValidKey(source.key);
  const dstVersioned = isVersioned(ctx, req.bucket);
  const srcVersioned = isVersioned(ctx, source.bucket);
  const src = ctx.store.headObject(source.bucket, source.key, source.versionId);
  if (src.isDeleteMarker) throw new S3Error("InvalidRequest", "The source of a copy request may not specifically refer to a delete marker by version id.");
  checkPreconditions(req, src, "x-amz-copy-source-");

  const directive = (req.header("x-amz-metadata-directive") ?? "COPY").toUpperCase();
  if (directive !== "COPY" && directive !== "REPLACE") {
    throw new S3Error("InvalidArgument", "Unknown metadata directive.", { ArgumentName: "x-amz-metadata-directive", ArgumentValue: directive });
  }
  const storageClassHeader = req.header("x-amz-storage-class");
  const sameObject = source.bucket === req.bucket && source.key === req.key && source.versionId === undefined;
  if (sameObject && directive === "COPY" && storageClassHeader === undefined) {
    throw new S3Error(
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  let meta: ObjectMeta | "COPY" = "COPY";
  if (directive === "REPLACE") {
    // The data is unchanged, so the source's checksum still describes it.
    meta = metaFromHeaders(req, src.meta.checksum);
  } else if (storageClassHeader !== undefined) {
    meta = { ...src.meta, storageClass: parseStorageClass(storageClassHeader) };
  }
  const v = ctx.store.copyObject({ bucket: source.bucket, key: source.key, versionId: source.versionId }, { bucket: req.bucket, key: req.key }, meta);
  const headers: Record<string, string> = {};
  if (dstVersioned) headers["x-amz-version-id"] = v.versionId;
  if (srcVersioned) headers["x-amz-copy-source-version-id"] = src.versionId;
  return xmlResponse(copyObjectResultXml(v), headers);
}
