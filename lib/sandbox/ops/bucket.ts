import type { RequestBody } from "../body";
import { emptyResponse, xmlResponse, type S3Response, type SandboxContext } from "../context";
import { S3Error } from "../errors";
import type { S3Request } from "../request";
import { assertValidKey } from "../validate";
import { parseCreateBucketConfiguration, parseDeleteRequest, parseVersioningConfiguration } from "../xml-requests";
import { deleteResultXml, listBucketsXml, locationXml, versioningXml, type DeleteOutcome } from "../xml-responses";

export function listBuckets(ctx: SandboxContext, req: S3Request): S3Response {
  const prefix = req.query.get("prefix") ?? "";
  const buckets = ctx.store
    .listBuckets()
    .filter((b) => b.name.startsWith(prefix))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return xmlResponse(listBucketsXml(buckets, ctx.owner, ctx.region));
}

export function createBucket(ctx: SandboxContext, req: S3Request, body: RequestBody): S3Response {
  const location = parseCreateBucketConfiguration(body.data);
  // us-east-1 is the empty constraint; naming the sandbox's own region explicitly is accepted too.
  if (location !== "" && location !== ctx.region) {
    throw new S3Error("InvalidLocationConstraint", "The specified location-constraint is not valid", { LocationConstraint: location });
  }
  try {
    ctx.store.createBucket(req.bucket);
  } catch (err) {
    // "For legacy compatibility, if you re-create an existing bucket that you already own in the North
    // Virginia Region, Amazon S3 returns 200 OK" (CreateBucket, BucketAlreadyOwnedByYou).
    if (!(err instanceof S3Error && err.code === "BucketAlreadyOwnedByYou" && ctx.region === "us-east-1")) throw err;
  }
  return emptyResponse(200, { location: `/${req.bucket}` });
}

export function deleteBucket(ctx: SandboxContext, req: S3Request): S3Response {
  ctx.store.deleteBucket(req.bucket);
  return emptyResponse(204);
}

export function headBucket(ctx: SandboxContext, req: S3Request): S3Response {
  ctx.store.getBucket(req.bucket);
  return emptyResponse(200, { "x-amz-bucket-region": ctx.region, "x-amz-access-point-alias": "false" });
}

export function getBucketLocation(ctx: SandboxContext, req: S3Request): S3Response {
  ctx.store.getBucket(req.bucket);
  return xmlResponse(locationXml(ctx.region));
}

export function getBucketVersioning(ctx: SandboxContext, req: S3Request): S3Response {
  return xmlResponse(versioningXml(ctx.store.getBucket(req.bucket).versioning));
}

export function putBucketVersioning(ctx: SandboxContext, req: S3Request, body: RequestBody): S3Response {
  ctx.store.getBucket(req.bucket);
  const status = parseVersioningConfiguration(body.data);
  if (status !== undefined) ctx.store.setVersioning(req.bucket, status);
  return emptyResponse(200);
}

export function deleteObjects(ctx: SandboxContext, req: S3Request, body: RequestBody): S3Response {
  // S3 requires an integrity check on DeleteObjects: Content-MD5 or any x-amz-checksum-* (header or
  // trailer). body.ts has already verified whichever was sent. Servers that predate the flexible
  // checksums accept only Content-MD5, in OpenStack Swift's words below.
  if (req.header("content-md5") === undefined) {
    if (ctx.faults.refusesWithoutContentMd5()) throw new S3Error("InvalidRequest", "Missing required header for this request: Content-MD5");
    if (body.checksum === undefined) throw new S3Error("InvalidRequest", "Missing required header for this request: Content-MD5 OR x-amz-checksum-*");
  }
  const request = parseDeleteRequest(body.data);
  ctx.store.getBucket(req.bucket);
  const outcomes: DeleteOutcome[] = request.objects.map(({ key, versionId }) => {
    try {
      assertValidKey(key);
      const result = ctx.store.deleteObject(req.bucket, key, versionId);
      return {
        key,
        versionId,
        deleteMarker: result.deleteMarker,
        // Without a versionId, a delete that created a marker reports the marker's version.
        deleteMarkerVersionId: result.deleteMarker ? result.versionId : undefined,
      };
    } catch (err) {
      if (err instanceof S3Error) return { key, versionId, error: err };
      throw err;
    }
  });
  return xmlResponse(deleteResultXml(outcomes, request.quiet));
}
