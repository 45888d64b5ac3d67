import type { S3Error } from "./errors";
import type {
  BucketInfo,
  ListObjectsV1Result,
  ListObjectsV2Result,
  ListVersionsResult,
  ObjectVersion,
  VersioningStatus,
} from "./store-types";
import { ByteWriter, element, escapeXml, isoSeconds, keyText, S3_XMLNS, XML_DECLARATION } from "./xml";

// Response documents, built by string concatenation (a 1000-key page must render in well under 1 ms).

export interface Owner {
  id: string;
  displayName: string;
}

function ownerXml(owner: Owner): string {
  return `<Owner><ID>${escapeXml(owner.id)}</ID><DisplayName>${escapeXml(owner.displayName)}</DisplayName></Owner>`;
}

// Listing entries read storageClass/checksumAlgorithm/checksumType, never `meta`: on listed entries
// meta is loaded lazily, one store lookup per key (store-types.ts).
function checksumElements(v: ObjectVersion): string {
  if (v.checksumAlgorithm === undefined) return "";
  return `<ChecksumAlgorithm>${v.checksumAlgorithm}</ChecksumAlgorithm><ChecksumType>${v.checksumType ?? "FULL_OBJECT"}</ChecksumType>`;
}

function contentsXml(v: ObjectVersion, urlEncoded: boolean, owner: string): string {
  return (
    `<Contents><Key>${keyText(v.key, urlEncoded)}</Key><LastModified>${isoSeconds(v.lastModified)}</LastModified>` +
    `<ETag>${escapeXml(v.etag)}</ETag>${checksumElements(v)}<Size>${v.size}</Size>` +
    `${owner}<StorageClass>${escapeXml(v.storageClass)}</StorageClass></Contents>`
  );
}

function writeCommonPrefixes(out: ByteWriter, prefixes: readonly string[], urlEncoded: boolean): void {
  for (const p of prefixes) out.write(`<CommonPrefixes><Prefix>${keyText(p, urlEncoded)}</Prefix></CommonPrefixes>`);
}

/** Room for a page: ~300 bytes per entry avoids regrowing the buffer for typical keys. */
function pageWriter(entries: number, prefixes: number): ByteWriter {
  return new ByteWriter(1024 + entries * 320 + prefixes * 80);
}

export interface ListRequestEcho {
  bucket: string;
  prefix: string;
  delimiter: string;
  maxKeys: number;
  urlEncoded: boolean;
}

export function listObjectsV2Xml(
  echo: ListRequestEcho & { startAfter: string; continuationToken: string | undefined },
  result: ListObjectsV2Result,
  owner: Owner | undefined,
): Buffer {
  const u = echo.urlEncoded;
  const out = pageWriter(result.contents.length, result.commonPrefixes.length);
  let head = `${XML_DECLARATION}<ListBucketResult xmlns="${S3_XMLNS}"><Name>${escapeXml(echo.bucket)}</Name><Prefix>${keyText(echo.prefix, u)}</Prefix>`;
  // When a token is sent it wins and StartAfter is not echoed (s3-listing-facts.md).
  if (echo.continuationToken !== undefined) head += element("ContinuationToken", echo.continuationToken);
  else if (echo.startAfter !== "") head += `<StartAfter>${keyText(echo.startAfter, u)}</StartAfter>`;
  if (result.nextContinuationToken !== undefined) head += element("NextContinuationToken", result.nextContinuationToken);
  head += `<KeyCount>${result.keyCount}</KeyCount><MaxKeys>${echo.maxKeys}</MaxKeys>`;
  if (echo.delimiter !== "") head += `<Delimiter>${keyText(echo.delimiter, u)}</Delimiter>`;
  if (u) head += "<EncodingType>url</EncodingType>";
  out.write(`${head}<IsTruncated>${result.isTruncated}</IsTruncated>`);
  const ownerText = owner ? ownerXml(owner) : "";
  for (const v of result.contents) out.write(contentsXml(v, u, ownerText));
  writeCommonPrefixes(out, result.commonPrefixes, u);
  out.write("</ListBucketResult>");
  return out.toBuffer();
}

export function listObjectsV1Xml(echo: ListRequestEcho & { marker: string }, result: ListObjectsV1Result, owner: Owner): Buffer {
  const u = echo.urlEncoded;
  const out = pageWriter(result.contents.length, result.commonPrefixes.length);
  let head =
    `${XML_DECLARATION}<ListBucketResult xmlns="${S3_XMLNS}"><Name>${escapeXml(echo.bucket)}</Name>` +
    `<Prefix>${keyText(echo.prefix, u)}</Prefix><Marker>${keyText(echo.marker, u)}</Marker>`;
  if (result.nextMarker !== undefined) head += `<NextMarker>${keyText(result.nextMarker, u)}</NextMarker>`;
  head += `<MaxKeys>${echo.maxKeys}</MaxKeys>`;
  if (echo.delimiter !== "") head += `<Delimiter>${keyText(echo.delimiter, u)}</Delimiter>`;
  if (u) head += "<EncodingType>url</EncodingType>";
  out.write(`${head}<IsTruncated>${result.isTruncated}</IsTruncated>`);
  const ownerText = ownerXml(owner);
  for (const v of result.contents) out.write(contentsXml(v, u, ownerText));
  writeCommonPrefixes(out, result.commonPrefixes, u);
  out.write("</ListBucketResult>");
  return out.toBuffer();
}

export function listVersionsXml(
  echo: ListRequestEcho & { keyMarker: string; versionIdMarker: string },
  result: ListVersionsResult,
  owner: Owner,
): Buffer {
  const u = echo.urlEncoded;
  const ownerText = ownerXml(owner);
  const out = pageWriter(result.entries.length, result.commonPrefixes.length);
  let head =
    `${XML_DECLARATION}<ListVersionsResult xmlns="${S3_XMLNS}"><Name>${escapeXml(echo.bucket)}</Name>` +
    `<Prefix>${keyText(echo.prefix, u)}</Prefix><KeyMarker>${keyText(echo.keyMarker, u)}</KeyMarker>` +
    element("VersionIdMarker", echo.versionIdMarker);
  if (result.nextKeyMarker !== undefined) head += `<NextKeyMarker>${keyText(result.nextKeyMarker, u)}</NextKeyMarker>`;
  if (result.nextVersionIdMarker !== undefined) head += element("NextVersionIdMarker", result.nextVersionIdMarker);
  head += `<MaxKeys>${echo.maxKeys}</MaxKeys>`;
  if (echo.delimiter !== "") head += `<Delimiter>${keyText(echo.delimiter, u)}</Delimiter>`;
  if (u) head += "<EncodingType>url</EncodingType>";
  out.write(`${head}<IsTruncated>${result.isTruncated}</IsTruncated>`);
  for (const v of result.entries) {
    const common =
      `<Key>${keyText(v.key, u)}</Key><VersionId>${escapeXml(v.versionId)}</VersionId>` +
      `<IsLatest>${v.isLatest}</IsLatest><LastModified>${isoSeconds(v.lastModified)}</LastModified>`;
    if (v.isDeleteMarker) {
      out.write(`<DeleteMarker>${common}${ownerText}</DeleteMarker>`);
    } else {
      out.write(
        `<Version>${common}<ETag>${escapeXml(v.etag)}</ETag>${checksumElements(v)}<Size>${v.size}</Size>` +
          `<StorageClass>${escapeXml(v.storageClass)}</StorageClass>${ownerText}</Version>`,
      );
    }
  }
  writeCommonPrefixes(out, result.commonPrefixes, u);
  out.write("</ListVersionsResult>");
  return out.toBuffer();
}

export function listBucketsXml(buckets: readonly BucketInfo[], owner: Owner, region: string): string {
  let out = `${XML_DECLARATION}<ListAllMyBucketsResult xmlns="${S3_XMLNS}">${ownerXml(owner)}<Buckets>`;
  for (const b of buckets) {
    out += `<Bucket><Name>${escapeXml(b.name)}</Name><CreationDate>${b.createdAt.toISOString()}</CreationDate><BucketRegion>${escapeXml(region)}</BucketRegion></Bucket>`;
  }
  return out + "</Buckets></ListAllMyBucketsResult>";
}

export function locationXml(region: string): string {
  // us-east-1 buckets report an empty LocationConstraint.
  const value = region === "us-east-1" ? "" : escapeXml(region);
  return `${XML_DECLARATION}<LocationConstraint xmlns="${S3_XMLNS}">${value}</LocationConstraint>`;
}

export function versioningXml(status: VersioningStatus): string {
  if (status === "Unversioned") return `${XML_DECLARATION}<VersioningConfiguration xmlns="${S3_XMLNS}"/>`;
  return `${XML_DECLARATION}<VersioningConfiguration xmlns="${S3_XMLNS}"><Status>${status}</Status></VersioningConfiguration>`;
}

function checksumResultElements(v: ObjectVersion): string {
  const checksum = v.meta.checksum;
  if (!checksum) return "";
  const name = `Checksum${checksum.algorithm}`;
  return element(name, checksum.value);
}

export function copyObjectResultXml(v: ObjectVersion): string {
  return (
    `${XML_DECLARATION}<CopyObjectResult xmlns="${S3_XMLNS}"><LastModified>${v.lastModified.toISOString()}</LastModified>` +
    `<ETag>${escapeXml(v.etag)}</ETag>${checksumResultElements(v)}</CopyObjectResult>`
  );
}

export function copyPartResultXml(etag: string, lastModified: Date): string {
  return `${XML_DECLARATION}<CopyPartResult xmlns="${S3_XMLNS}"><LastModified>${lastModified.toISOString()}</LastModified><ETag>${escapeXml(etag)}</ETag></CopyPartResult>`;
}

export function initiateMultipartXml(bucket: string, key: string, uploadId: string): string {
  return (
    `${XML_DECLARATION}<InitiateMultipartUploadResult xmlns="${S3_XMLNS}">` +
    `${element("Bucket", bucket)}${element("Key", key)}${element("UploadId", uploadId)}</InitiateMultipartUploadResult>`
  );
}

export function completeMultipartXml(location: string, v: ObjectVersion): string {
  return (
    `${XML_DECLARATION}<CompleteMultipartUploadResult xmlns="${S3_XMLNS}">${element("Location", location)}` +
    `${element("Bucket", v.bucket)}${element("Key", v.key)}<ETag>${escapeXml(v.etag)}</ETag>${checksumResultElements(v)}` +
    `</CompleteMultipartUploadResult>`
  );
}

export type DeleteOutcome =
  | { key: string; versionId: string | undefined; deleteMarker: boolean; deleteMarkerVersionId: string | undefined }
  | { key: string; versionId: string | undefined; error: S3Error };

export function deleteResultXml(outcomes: readonly DeleteOutcome[], quiet: boolean): string {
  const parts: string[] = [`${XML_DECLARATION}<DeleteResult xmlns="${S3_XMLNS}">`];
  for (const o of outcomes) {
    const version = o.versionId !== undefined ? element("VersionId", o.versionId) : "";
    if ("error" in o) {
      parts.push(`<Error>${element("Key", o.key)}${version}${element("Code", o.error.code)}${element("Message", o.error.message)}</Error>`);
    } else if (!quiet) {
      const marker = o.deleteMarker ? "<DeleteMarker>true</DeleteMarker>" : "";
      const markerVersion = o.deleteMarkerVersionId !== undefined ? element("DeleteMarkerVersionId", o.deleteMarkerVersionId) : "";
      parts.push(`<Deleted>${element("Key", o.key)}${version}${marker}${markerVersion}</Deleted>`);
    }
  }
  parts.push("</DeleteResult>");
  return parts.join("");
}

export function errorXml(error: S3Error, requestId: string, hostId: string): string {
  let details = "";
  for (const [name, value] of Object.entries(error.details)) details += element(name, value);
  return (
    `${XML_DECLARATION}<Error><Code>${error.code}</Code>${element("Message", error.message)}${details}` +
    `<RequestId>${requestId}</RequestId><HostId>${escapeXml(hostId)}</HostId></Error>`
  );
}
