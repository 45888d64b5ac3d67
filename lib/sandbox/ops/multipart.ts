import type { RequestBody } from "../body";
import { checksumAlgorithmFromName, checksumHeaderName } from "../checksums";
import { emptyResponse, xmlResponse, type S3Response, type SandboxContext } from "../context";
import { S3Error } from "../errors";
import type { S3Request } from "../request";
import type { MultipartUpload } from "../store-types";
import { assertValidBucketName, assertValidKey, parsePartNumber } from "../validate";
import { parseCompleteMultipartUpload } from "../xml-requests";
import { completeMultipartXml, copyPartResultXml, initiateMultipartXml } from "../xml-responses";
import { checkPreconditions, checksumHeaders, metaFromHeaders, parseCopySource } from "./object-meta";

function uploadFor(ctx: SandboxContext, req: S3Request): MultipartUpload {
  const uploadId = req.query.get("uploadId") ?? "";
  const upload = ctx.store.getMultipartUpload(uploadId);
  // An upload id only addresses the bucket and key it was created for.
  if (upload.bucket !== req.bucket || upload.key !== req.key) {
    throw new S3Error("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", {
      UploadId: uploadId,
    });
  }
  return upload;
}

export function createMultipartUpload(ctx: SandboxContext, req: S3Request): S3Response {
  assertValidKey(req.key);
  ctx.store.getBucket(req.bucket);
  const upload = ctx.store.createMultipartUpload(req.bucket, req.key, metaFromHeaders(req, undefined));
  const headers: Record<string, string> = {};
  const algorithmHeader = req.header("x-amz-checksum-algorithm");
  if (algorithmHeader !== undefined) {
    const algorithm = checksumAlgorithmFromName(algorithmHeader);
    if (algorithm === undefined) throw new S3Error("InvalidRequest", "Checksum algorithm provided is unsupported.");
    headers["x-amz-checksum-algorithm"] = algorithm;
    headers["x-amz-checksum-type"] = "COMPOSITE";
  }
  return xmlResponse(initiateMultipartXml(req.bucket, req.key, upload.uploadId), headers);
}

export function uploadPart(ctx: SandboxContext, req: S3Request, body: RequestBody): S3Response {
  const partNumber = parsePartNumber(req.query.get("partNumber"));
  const upload = uploadFor(ctx, req);
  const part = ctx.store.uploadPart(upload.uploadId, partNumber, body.data, body.checksum);
  const headers: Record<string, string> = { etag: part.etag };
  // S3 echoes the part checksum; the SDKs then list it per part in CompleteMultipartUpload.
  if (part.checksum) headers[checksumHeaderName(part.checksum.algorithm)] = part.checksum.value;
  return emptyResponse(200, headers);
}

export function uploadPartCopy(ctx: SandboxContext, req: S3Request): S3Response {
  const partNumber = parsePartNumber(req.query.get("partNumber"));
  const upload = uploadFor(ctx, req);
  const source = parseCopySource(req.header("x-amz-copy-source") ?? "");
  assertValidBucketName(source.bucket);
  assertValidKey(source.key);
  const src = ctx.store.headObject(source.bucket, source.key, source.versionId);
  checkPreconditions(req, src, "x-amz-copy-source-");
  let start = 0;
  let end = src.size - 1;
  const rangeHeader = req.header("x-amz-copy-source-range");
  if (rangeHeader !== undefined) {
    const m = /^bytes=(\d+)-(\d+)$/.exec(rangeHeader.trim());
    if (!m) {
      throw new S3Error("InvalidArgument", "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy", {
        ArgumentName: "x-amz-copy-source-range",
        ArgumentValue: rangeHeader,
      });
    }
    start = Number(m[1]);
    end = Number(m[2]);
    if (start > end || end >= src.size) {
      throw new S3Error("InvalidRange", "The requested range is not satisfiable", { RangeRequested: rangeHeader, ActualObjectSize: String(src.size) });
    }
  }
  const data = src.size === 0 ? Buffer.alloc(0) : ctx.store.readRange(src, start, end);
  const part = ctx.store.uploadPart(upload.uploadId, partNumber, data);
  const headers: Record<string, string> = {};
  if (ctx.store.getBucket(source.bucket).versioning !== "Unversioned") headers["x-amz-copy-source-version-id"] = src.versionId;
  return xmlResponse(copyPartResultXml(part.etag, part.lastModified), headers);
}

export function completeMultipartUpload(ctx: SandboxContext, req: S3Request, body: RequestBody): S3Response {
  const upload = uploadFor(ctx, req);
  const parts = parseCompleteMultipartUpload(body.data);
  const versioned = ctx.store.getBucket(req.bucket).versioning !== "Unversioned";
  const v = ctx.store.completeMultipartUpload(upload.uploadId, parts);
  const headers: Record<string, string> = { ...checksumHeaders(v) };
  if (versioned) headers["x-amz-version-id"] = v.versionId;
  const location = `${ctx.endpoint()}/${encodeURIComponent(req.bucket)}/${req.key.split("/").map(encodeURIComponent).join("/")}`;
  return xmlResponse(completeMultipartXml(location, v), headers);
}

export function abortMultipartUpload(ctx: SandboxContext, req: S3Request): S3Response {
  const upload = uploadFor(ctx, req);
  ctx.store.abortMultipartUpload(upload.uploadId);
  return emptyResponse(204);
}
