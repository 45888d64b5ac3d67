import { xmlResponse, type S3Response, type SandboxContext } from "../context";
import { S3Error } from "../errors";
import type { S3Request } from "../request";
import { parseEncodingType, parseMaxKeys } from "../validate";
import type { ListObjectsV2Result, ListVersionsResult } from "../store-types";
import { listObjectsV1Xml, listObjectsV2Xml, listVersionsXml } from "../xml-responses";

// ListObjectsV2, ListObjects (v1) and ListObjectVersions. Every call reads the store afresh: each page
// reflects the bucket at the moment it is requested, as on S3.

function commonParams(req: S3Request) {
  return {
    bucket: req.bucket,
    prefix: req.query.get("prefix") ?? "",
    delimiter: req.query.get("delimiter") ?? "",
    maxKeys: parseMaxKeys(req.query.get("max-keys")),
    urlEncoded: parseEncodingType(req.query.get("encoding-type")),
  };
}

export function listObjectsV2(ctx: SandboxContext, req: S3Request): S3Response {
  const listType = req.query.get("list-type");
  if (listType !== "2") {
    throw new S3Error("InvalidArgument", "Invalid List Type specified in Request", { ArgumentName: "list-type", ArgumentValue: listType ?? "" });
  }
  const echo = commonParams(req);
  const continuationToken = req.query.get("continuation-token");
  if (continuationToken === "") {
    throw new S3Error("InvalidArgument", "The continuation token provided is incorrect", { ArgumentName: "continuation-token" });
  }
  const startAfter = req.query.get("start-after") ?? "";
  const quirks = ctx.faults.listingQuirks(req.bucket);
  let result: ListObjectsV2Result;
  if (quirks.listEndEarly && continuationToken !== undefined) {
    // Like a server that loses its place: the token is not even read, the listing just stops.
    ctx.store.getBucket(req.bucket);
    result = { contents: [], commonPrefixes: [], isTruncated: false, nextContinuationToken: undefined, keyCount: 0 };
    ctx.faults.countEndedEarly();
  } else {
    result = ctx.store.listObjectsV2(req.bucket, {
      prefix: echo.prefix,
      delimiter: echo.delimiter,
      maxKeys: echo.maxKeys,
      startAfter,
      continuationToken,
    });
  }
  const fetchOwner = req.query.get("fetch-owner") === "true";
  return xmlResponse(listObjectsV2Xml({ ...echo, startAfter, continuationToken }, result, fetchOwner ? ctx.owner : undefined));
}

export function listObjectsV1(ctx: SandboxContext, req: S3Request): S3Response {
  const echo = commonParams(req);
  const marker = req.query.get("marker") ?? "";
  const result = ctx.store.listObjectsV1(req.bucket, { prefix: echo.prefix, delimiter: echo.delimiter, maxKeys: echo.maxKeys, marker });
  return xmlResponse(listObjectsV1Xml({ ...echo, marker }, result, ctx.owner));
}

export function listObjectVersions(ctx: SandboxContext, req: S3Request): S3Response {
  const echo = commonParams(req);
  const keyMarker = req.query.get("key-marker") ?? "";
  const versionIdMarker = req.query.get("version-id-marker") ?? "";
  if (versionIdMarker !== "" && keyMarker === "") {
    throw new S3Error("InvalidArgument", "A version-id marker cannot be specified without a key marker.", {
      ArgumentName: "version-id-marker",
      ArgumentValue: versionIdMarker,
    });
  }
  const quirks = ctx.faults.listingQuirks(req.bucket);
  let result: ListVersionsResult;
  if (quirks.versionsEndEarly === "null-marker" && keyMarker !== "") {
    ctx.store.getBucket(req.bucket);
    result = { entries: [], commonPrefixes: [], isTruncated: false, nextKeyMarker: undefined, nextVersionIdMarker: undefined };
    ctx.faults.countEndedEarly();
  } else {
    result = ctx.store.listObjectVersions(req.bucket, {
      prefix: echo.prefix,
      delimiter: echo.delimiter,
      maxKeys: echo.maxKeys,
      keyMarker,
      versionIdMarker,
    });
    if (result.isTruncated && quirks.versionsEndEarly === "untruncated") {
      result = { ...result, isTruncated: false, nextKeyMarker: undefined, nextVersionIdMarker: undefined };
      ctx.faults.countEndedEarly();
    } else if (result.isTruncated && result.nextVersionIdMarker !== undefined && (quirks.versionsEndEarly === "null-marker" || quirks.omitNextVersionIdMarker)) {
      result = { ...result, nextVersionIdMarker: undefined };
      ctx.faults.countEndedEarly();
    }
  }
  return xmlResponse(listVersionsXml({ ...echo, keyMarker, versionIdMarker }, result, ctx.owner));
}
