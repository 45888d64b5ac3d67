// The contract between the sandbox's protocol layer (HTTP, SigV4, bodies, XML) and its store
// (SQLite objects, versions, listings, continuation tokens). Keys are JS strings here; the store
// orders them by their UTF-8 bytes, exactly as S3 does.

export type VersioningStatus = "Unversioned" | "Enabled" | "Suspended";
export type ChecksumAlgorithm = "CRC32" | "CRC32C" | "SHA1" | "SHA256" | "CRC64NVME";

export interface BucketInfo {
  name: string;
  createdAt: Date;
  versioning: VersioningStatus;
}

export interface ObjectMeta {
  contentType: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  /** x-amz-meta-* without the prefix, names lower-cased. */
  userMetadata: Record<string, string>;
  storageClass: string;
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

export interface ObjectVersion {
  bucket: string;
  key: string;
  /** "null" for objects written while versioning was never enabled or suspended. */
  versionId: string;
  isLatest: boolean;
  isDeleteMarker: boolean;
  size: number;
  /** Quoted, as S3 sends it: "\"<md5 hex>\"" or "\"<hex>-<parts>\"" for multipart. */
  etag: string;
  /** Millisecond precision is stored; listings render whole seconds. */
  lastModified: Date;
  /**
   * Full metadata. On entries returned by listings and snapshotPrefix it is loaded on first access
   * (one lookup per entry): listing renderers should read the three fields below instead.
   */
  meta: ObjectMeta;
  /** Same as meta.storageClass, available without loading meta. */
  storageClass: string;
  /** Same as meta.checksum?.algorithm, available without loading meta. */
  checksumAlgorithm: ChecksumAlgorithm | undefined;
  /** "COMPOSITE" for multipart checksums ("<base64>-<parts>"), else "FULL_OBJECT"; undefined without a checksum. */
  checksumType: ChecksumType | undefined;
}

export type ChecksumType = "FULL_OBJECT" | "COMPOSITE";

export interface ListObjectsV2Params {
  prefix: string;
  delimiter: string;
  /** Already validated to be an integer >= 0; the store caps it at 1000. */
  maxKeys: number;
  startAfter: string;
  continuationToken: string | undefined;
}

export interface ListObjectsV2Result {
  contents: ObjectVersion[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextContinuationToken: string | undefined;
  /** Contents + CommonPrefixes. */
  keyCount: number;
}

export interface ListObjectsV1Params {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  marker: string;
}

export interface ListObjectsV1Result {
  contents: ObjectVersion[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** Only when a delimiter was given and the page is truncated, as S3 does. */
  nextMarker: string | undefined;
}

export interface ListVersionsParams {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  keyMarker: string;
  versionIdMarker: string;
}

export interface ListVersionsResult {
  /** Versions and delete markers interleaved: by key (byte order), then newest first. */
  entries: ObjectVersion[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker: string | undefined;
  nextVersionIdMarker: string | undefined;
}

export interface PutObjectInput {
  bucket: string;
  key: string;
  body: Buffer;
  meta: ObjectMeta;
}

export interface SeedObjectsInput {
  bucket: string;
  keys: Iterable<string>;
  /** Stored once and referenced by every key. */
  body: Buffer;
  meta: ObjectMeta;
}

export interface DeleteObjectResult {
  /** True when the delete created a delete marker, or when the deleted version was one. */
  deleteMarker: boolean;
  versionId: string | undefined;
}

export interface MultipartUpload {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: Date;
  meta: ObjectMeta;
}

export interface UploadedPart {
  partNumber: number;
  etag: string;
  size: number;
  lastModified: Date;
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

export interface SandboxStore {
  listBuckets(): BucketInfo[];
  /** Throws S3Error NoSuchBucket. */
  getBucket(name: string): BucketInfo;
  /** Throws InvalidBucketName, BucketAlreadyOwnedByYou. */
  createBucket(name: string): BucketInfo;
  /** Throws NoSuchBucket, BucketNotEmpty (any version or upload left). */
  deleteBucket(name: string): void;
  setVersioning(bucket: string, status: "Enabled" | "Suspended"): void;

  /** Throws NoSuchBucket, KeyTooLongError. */
  putObject(input: PutObjectInput): ObjectVersion;
  /** Without versionId: the latest version; NoSuchKey if none or a delete marker. */
  headObject(bucket: string, key: string, versionId?: string): ObjectVersion;
  getObject(bucket: string, key: string, versionId?: string): { version: ObjectVersion; body: Buffer };
  /** Bytes [start, endInclusive] of a version's body without loading the rest. */
  readRange(version: ObjectVersion, start: number, endInclusive: number): Buffer;
  deleteObject(bucket: string, key: string, versionId?: string): DeleteObjectResult;
  copyObject(
    src: { bucket: string; key: string; versionId?: string },
    dst: { bucket: string; key: string },
    meta: ObjectMeta | "COPY",
  ): ObjectVersion;

  createMultipartUpload(bucket: string, key: string, meta: ObjectMeta): MultipartUpload;
  /** Throws NoSuchUpload. */
  uploadPart(uploadId: string, partNumber: number, body: Buffer, checksum?: UploadedPart["checksum"]): UploadedPart;
  /** Throws InvalidPart, InvalidPartOrder, EntityTooSmall, NoSuchUpload. */
  completeMultipartUpload(uploadId: string, parts: { partNumber: number; etag: string }[]): ObjectVersion;
  abortMultipartUpload(uploadId: string): void;
  getMultipartUpload(uploadId: string): MultipartUpload;

  /** Throws NoSuchBucket; InvalidArgument "The continuation token provided is incorrect". */
  listObjectsV2(bucket: string, params: ListObjectsV2Params): ListObjectsV2Result;
  listObjectsV1(bucket: string, params: ListObjectsV1Params): ListObjectsV1Result;
  listObjectVersions(bucket: string, params: ListVersionsParams): ListVersionsResult;

  /** Every latest, non-deleted object under a prefix, read in one transaction (ground truth for experiments). */
  snapshotPrefix(bucket: string, prefix: string): ObjectVersion[];

  /**
   * Seeding and tests only (the HTTP layer never calls it): runs `write` in one transaction with the
   * store's clock fixed at `at`, so everything it writes gets that LastModified. Nests.
   */
  writeAt<T>(at: Date, write: () => T): T;
  /** Seeding and benchmarks only: puts every key with one shared stored body, in batched transactions. */
  seedObjects(input: SeedObjectsInput): number;

  close(): void;
}
