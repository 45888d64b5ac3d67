import type { RequestBody } from "./body";
import type { S3Response, SandboxContext } from "./context";
import { S3Error } from "./errors";
import * as bucketOps from "./ops/bucket";
import * as listOps from "./ops/list";
import * as multipartOps from "./ops/multipart";
import * as objectOps from "./ops/object";
import type { S3Request } from "./request";

// Picks the S3 operation from method, path shape (service / bucket / object) and subresource query
// flags. Flags may come as "versions" or "versions=" (both parse to ""); unknown parameters such as the
// JS SDK's x-id are ignored. A known subresource this sandbox does not implement is 501 NotImplemented.

export interface Operation {
  name: string;
  /** List requests are the ones fault injection applies to. */
  isList: boolean;
  run(ctx: SandboxContext, req: S3Request, body: RequestBody): S3Response;
}

/** Query names S3 treats as subresources (they select an operation rather than parameterize one). */
const SUBRESOURCES = new Set([
  "abac",
  "accelerate",
  "acl",
  "analytics",
  "attributes",
  "cors",
  "delete",
  "encryption",
  "intelligent-tiering",
  "inventory",
  "legal-hold",
  "lifecycle",
  "location",
  "logging",
  "metadataConfiguration",
  "metadataTable",
  "metrics",
  "notification",
  "object-lock",
  "ownershipControls",
  "partNumber",
  "policy",
  "policyStatus",
  "publicAccessBlock",
  "renameObject",
  "replication",
  "requestPayment",
  "restore",
  "retention",
  "select",
  "session",
  "tagging",
  "torrent",
  "uploadId",
  "uploads",
  "versioning",
  "versions",
  "website",
]);

function op(name: string, run: Operation["run"], isList = false): Operation {
  return { name, isList, run };
}

function notImplemented(what: string): S3Error {
  return new S3Error("NotImplemented", `A header or query you provided implies functionality that is not implemented (${what}).`);
}

/** The subresources present, as a sorted "+"-joined signature, e.g. "partNumber+uploadId". */
function subresourceSignature(req: S3Request): string {
  const present: string[] = [];
  for (const name of req.query.keys()) if (SUBRESOURCES.has(name)) present.push(name);
  return present.sort().join("+");
}

function serviceOperation(req: S3Request, sub: string): Operation {
  if (req.method === "GET" && sub === "") return op("ListBuckets", bucketOps.listBuckets);
  throw notImplemented(`${req.method} / ${sub}`.trim());
}

function bucketOperation(req: S3Request, sub: string): Operation {
  switch (`${req.method} ${sub}`) {
    case "GET ":
      return req.query.has("list-type") ? op("ListObjectsV2", listOps.listObjectsV2, true) : op("ListObjects", listOps.listObjectsV1, true);
    case "GET versions":
      return op("ListObjectVersions", listOps.listObjectVersions, true);
    case "GET location":
      return op("GetBucketLocation", bucketOps.getBucketLocation);
    case "GET versioning":
      return op("GetBucketVersioning", bucketOps.getBucketVersioning);
    case "PUT versioning":
      return op("PutBucketVersioning", bucketOps.putBucketVersioning);
    case "HEAD ":
      return op("HeadBucket", bucketOps.headBucket);
    case "PUT ":
      return op("CreateBucket", bucketOps.createBucket);
    case "DELETE ":
      return op("DeleteBucket", bucketOps.deleteBucket);
    case "POST delete":
      return op("DeleteObjects", bucketOps.deleteObjects);
    default:
      throw notImplemented(`${req.method} bucket ${sub}`.trim());
  }
}

function objectOperation(req: S3Request, sub: string): Operation {
  const copy = req.header("x-amz-copy-source") !== undefined;
  switch (`${req.method} ${sub}`) {
    case "GET ":
      return op("GetObject", objectOps.getObject);
    case "HEAD ":
      return op("HeadObject", objectOps.headObject);
    case "PUT ":
      return copy ? op("CopyObject", objectOps.copyObject) : op("PutObject", objectOps.putObject);
    case "DELETE ":
      return op("DeleteObject", objectOps.deleteObject);
    case "POST uploads":
      return op("CreateMultipartUpload", multipartOps.createMultipartUpload);
    case "PUT partNumber+uploadId":
      return copy ? op("UploadPartCopy", multipartOps.uploadPartCopy) : op("UploadPart", multipartOps.uploadPart);
    case "POST uploadId":
      return op("CompleteMultipartUpload", multipartOps.completeMultipartUpload);
    case "DELETE uploadId":
      return op("AbortMultipartUpload", multipartOps.abortMultipartUpload);
    default:
      throw notImplemented(`${req.method} object ${sub}`.trim());
  }
}

export function routeRequest(req: S3Request): Operation {
  const sub = subresourceSignature(req);
  if (req.bucket === "") return serviceOperation(req, sub);
  if (req.key === "") return bucketOperation(req, sub);
  return objectOperation(req, sub);
}
