import Database from "better-sqlite3";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { checksumOf, createChecksum } from "../checksums";
import { S3Error } from "../errors";
import type {
  BucketInfo,
  ChecksumType,
  DeleteObjectResult,
  ListObjectsV1Params,
  ListObjectsV1Result,
  ListObjectsV2Params,
  ListObjectsV2Result,
  ListVersionsParams,
  ListVersionsResult,
  MultipartUpload,
  ObjectMeta,
  ObjectVersion,
  PutObjectInput,
  SandboxStore,
  SeedObjectsInput,
  UploadedPart,
} from "../store-types";
import { validateBucketName } from "./bucket-names";
import { ContinuationTokens, type TokenScope } from "./continuation-tokens";
import { DeleteMarkerError } from "./delete-marker-error";
import { prefixUpperBound, utf8, validateKey, wellFormed } from "./keys";
import { PageCollector, walkRange, type RowSource } from "./listing";
import { StoredObjectVersion, type FullVersionRow, type MetaSource, type VersionRow } from "./object-version";
import { applySchema } from "./schema";
import { prepareStatements, type BucketRow, type PartRow, type Statements, type UploadRow } from "./statements";
import { NULL_VERSION_ID, VersionIds } from "./version-ids";

export const DATABASE_FILE = "sandbox.db";
/** S3 never returns more than 1000 entries per listing page. */
export const MAX_KEYS_LIMIT = 1000;
/** Every part but the last must be at least 5 MiB. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PART_NUMBER = 10_000;
const BODY_CHUNK_BYTES = 1024 * 1024;
const SEED_BATCH_KEYS = 20_000;

interface NewVersion {
  isDeleteMarker: boolean;
  size: number;
  etag: string;
  lastModified: number;
  meta: ObjectMeta | undefined;
  /** JSON of `meta` when the caller already has it (seeding writes one meta for many keys). */
  metaJson?: string;
  bodyId: number | undefined;
}

const DELETE_MARKER_META: ObjectMeta = Object.freeze({
  contentType: "",
  userMetadata: Object.freeze({}),
  storageClass: "STANDARD",
});

function md5Hex(data: Buffer): string {
  return createHash("md5").update(data).digest("hex");
}

function checksumTypeOf(meta: ObjectMeta | undefined): ChecksumType | null {
  if (!meta?.checksum) return null;
  return meta.checksum.value.includes("-") ? "COMPOSITE" : "FULL_OBJECT";
}

function unquoteEtag(etag: string): string {
  return etag.trim().replace(/^"(.*)"$/, "$1").toLowerCase();
}

function noSuchBucket(name: string): S3Error {
  return new S3Error("NoSuchBucket", "The specified bucket does not exist", { BucketName: name });
}

function noSuchUpload(uploadId: string): S3Error {
  return new S3Error(
    "NoSuchUpload",
    "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    { UploadId: uploadId },
  );
}

function invalidVersionId(argumentName: string, value: string): S3Error {
  return new S3Error("InvalidArgument", "Invalid version id specified", {
    ArgumentName: argumentName,
    ArgumentValue: value,
  });
}

function effectiveMaxKeys(maxKeys: number): number {
  if (!Number.isFinite(maxKeys)) return MAX_KEYS_LIMIT;
  return Math.max(0, Math.min(Math.floor(maxKeys), MAX_KEYS_LIMIT));
}


/** The sandbox's store: one SQLite file, `<dataDir>/sandbox.db`, in WAL mode. */
export class SqliteSandboxStore implements SandboxStore, MetaSource {
  private readonly db: Database.Database;
  private readonly statements: Statements;
  private readonly tokens: ContinuationTokens;
  private readonly versionIds: VersionIds;
  private readonly inTransaction: (work: () => unknown) => unknown;
  private readonly currentObjects: (bucketId: number) => RowSource<VersionRow>;
  private readonly allVersions: (bucketId: number) => RowSource<VersionRow>;
  private fixedNow: number | undefined;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(path.join(dataDir, DATABASE_FILE));
    applySchema(this.db);
    this.statements = prepareStatements(this.db);
    this.inTransaction = this.db.transaction((work: () => unknown) => work());
    const secret = this.persistentSecret("secret");
    this.tokens = new ContinuationTokens(secret);
    this.versionIds = new VersionIds(secret);

    const s = this.statements;
    this.currentObjects = (bucketId) => ({
      range: (lower, inclusive, upper, limit) =>
        (inclusive ? s.currentFrom : s.currentAfter).all(bucketId, lower, upper, limit),
      following: (row, upper, limit) => s.currentAfter.all(bucketId, utf8(row[0]), upper, limit),
    });
    this.allVersions = (bucketId) => ({
      range: (lower, inclusive, upper, limit) =>
        (inclusive ? s.versionsFrom : s.versionsAfter).all(bucketId, lower, upper, limit),
      following: (row, upper, limit) => {
        const keyBytes = utf8(row[0]);
        const olderOfSameKey = s.versionsOfKeyOlderThan.all(bucketId, keyBytes, row[1], limit);
        if (olderOfSameKey.length >= limit) return olderOfSameKey;
        return olderOfSameKey.concat(s.versionsAfter.all(bucketId, keyBytes, upper, limit - olderOfSameKey.length));
      },
    });
  }

  // ---- buckets -------------------------------------------------------------------------------

  listBuckets(): BucketInfo[] {
    return this.statements.allBuckets.all().map(toBucketInfo);
  }

  getBucket(name: string): BucketInfo {
    return toBucketInfo(this.requireBucket(name));
  }

  createBucket(name: string): BucketInfo {
    validateBucketName(name);
    return this.transaction(() => {
      if (this.statements.bucketByName.get(name)) {
        throw new S3Error(
          "BucketAlreadyOwnedByYou",
          "Your previous request to create the named bucket succeeded and you already own it.",
          { BucketName: name },
        );
      }
      this.statements.insertBucket.run(name, this.now(), "Unversioned");
      return toBucketInfo(this.requireBucket(name));
    });
  }

  deleteBucket(name: string): void {
    this.transaction(() => {
      const bucket = this.requireBucket(name);
      if (this.statements.anyVersionInBucket.get(bucket.id) || this.statements.anyUploadInBucket.get(bucket.id)) {
        throw new S3Error("BucketNotEmpty", "The bucket you tried to delete is not empty", { BucketName: name });
      }
      this.statements.deleteBucket.run(bucket.id);
    });
  }

  setVersioning(bucket: string, status: "Enabled" | "Suspended"): void {
    this.transaction(() => {
      this.statements.setVersioning.run(status, this.requireBucket(bucket).id);
    });
  }

  // ---- objects -------------------------------------------------------------------------------

  putObject(input: PutObjectInput): ObjectVersion {
    const keyBytes = validateKey(input.key);
    const etag = `"${md5Hex(input.body)}"`;
    return this.transaction(() => {
      const bucket = this.requireBucket(input.bucket);
      const bodyId = this.insertBody(input.body);
      return this.writeVersion(bucket, input.key, keyBytes, {
        isDeleteMarker: false,
        size: input.body.length,
        etag,
        lastModified: this.now(),
        meta: input.meta,
        bodyId,
      });
    });
  }

  headObject(bucket: string, key: string, versionId?: string): ObjectVersion {
    const { version } = this.resolveReadable(bucket, key, versionId);
    return version;
  }

  getObject(bucket: string, key: string, versionId?: string): { version: ObjectVersion; body: Buffer } {
    return this.transaction(() => {
      const { version, bodyId } = this.resolveReadable(bucket, key, versionId);
      return { version, body: this.readBody(bodyId, 0, version.size - 1) };
    });
  }

  readRange(version: ObjectVersion, start: number, endInclusive: number): Buffer {
    return this.transaction(() => {
      const seq = StoredObjectVersion.sequenceOf(version);
      const bodyId =
        seq !== undefined
          ? this.statements.bodyIdBySeq.get(seq)
          : this.resolveReadable(version.bucket, version.key, version.versionId).bodyId;
      if (bodyId === undefined || bodyId === null) {
        throw new S3Error("NoSuchVersion", "The specified version does not exist.", {
          Key: version.key,
          VersionId: version.versionId,
        });
      }
      return this.readBody(bodyId, start, endInclusive);
    });
  }

  deleteObject(bucketName: string, key: string, versionId?: string): DeleteObjectResult {
    const keyBytes = validateKey(key);
    return this.transaction(() => {
      const bucket = this.requireBucket(bucketName);
      if (versionId !== undefined) {
        const row = this.findVersion(bucket.id, keyBytes, versionId, "versionId");
        // Deleting a version that does not exist succeeds, as on S3.
        if (row) this.removeVersion(bucket.id, keyBytes, row);
        return { deleteMarker: row !== undefined && row[4] === 1, versionId };
      }
      if (bucket.versioning === "Unversioned") {
        const row = this.statements.nullVersionOfKey.get(bucket.id, keyBytes);
        if (row) this.removeVersion(bucket.id, keyBytes, row);
        return { deleteMarker: false, versionId: undefined };
      }
      // Enabled: a new delete marker; Suspended: a delete marker that replaces the null version.
      const marker = this.writeVersion(bucket, key, keyBytes, {
        isDeleteMarker: true,
        size: 0,
        etag: "",
        lastModified: this.now(),
        meta: undefined,
        bodyId: undefined,
      });
      return { deleteMarker: true, versionId: marker.versionId };
    });
  }

  copyObject(
    src: { bucket: string; key: string; versionId?: string },
    dst: { bucket: string; key: string },
    meta: ObjectMeta | "COPY",
  ): ObjectVersion {
    const dstKeyBytes = validateKey(dst.key);
    return this.transaction(() => {
      const dstBucket = this.requireBucket(dst.bucket);
      const { version: source, bodyId } = this.resolveReadable(src.bucket, src.key, src.versionId, "copy");
      if (meta === "COPY" && src.bucket === dst.bucket && src.key === dst.key && source.isLatest) {
        throw new S3Error(
          "InvalidRequest",
          "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        );
      }
      let newMeta: ObjectMeta = meta === "COPY" ? source.meta : meta;
      // The copy is a single-part object: a multipart ETag or composite checksum does not carry over.
      let etag = source.etag;
      if (etag.includes("-")) etag = `"${md5Hex(this.readBody(bodyId, 0, source.size - 1))}"`;
      if (newMeta.checksum?.value.includes("-")) {
        const { checksum: _composite, ...rest } = newMeta;
        newMeta = rest;
      }
      return this.writeVersion(dstBucket, dst.key, dstKeyBytes, {
        isDeleteMarker: false,
        size: source.size,
        etag,
        lastModified: this.now(),
        meta: newMeta,
        bodyId,
      });
    });
  }

  // ---- multipart uploads ---------------------------------------------------------------------

  createMultipartUpload(bucket: string, key: string, meta: ObjectMeta): MultipartUpload {
    const keyBytes = validateKey(key);
    return this.transaction(() => {
      const bucketRow = this.requireBucket(bucket);
      const uploadId = randomBytes(24).toString("base64url");
      const initiated = this.now();
      this.statements.insertUpload.run(uploadId, bucketRow.id, keyBytes, initiated, JSON.stringify(meta));
      return { uploadId, bucket: bucketRow.name, key, initiated: new Date(initiated), meta };
    });
  }

  uploadPart(
    uploadId: string,
    partNumber: number,
    body: Buffer,
    checksum?: UploadedPart["checksum"],
  ): UploadedPart {
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
      throw new S3Error("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", {
        ArgumentName: "partNumber",
        ArgumentValue: String(partNumber),
      });
    }
    const etag = `"${md5Hex(body)}"`;
    return this.transaction(() => {
      this.requireUpload(uploadId);
      const lastModified = this.now();
      this.statements.upsertPart.run(
        uploadId,
        partNumber,
        etag,
        body.length,
        lastModified,
        checksum?.algorithm ?? null,
        checksum?.value ?? null,
        body,
      );
      return { partNumber, etag, size: body.length, lastModified: new Date(lastModified), checksum };
    });
  }

  completeMultipartUpload(uploadId: string, parts: { partNumber: number; etag: string }[]): ObjectVersion {
    return this.transaction(() => {
      const upload = this.requireUpload(uploadId);
      if (parts.length === 0) {
        throw new S3Error(
          "MalformedXML",
          "The XML you provided was not well-formed or did not validate against our published schema",
        );
      }
      const stored: PartRow[] = [];
      for (const [index, part] of parts.entries()) {
        const previous = parts[index - 1];
        if (previous && part.partNumber <= previous.partNumber) {
          throw new S3Error(
            "InvalidPartOrder",
            "The list of parts was not in ascending order. Parts must be ordered by part number.",
            { UploadId: uploadId },
          );
        }
        const row = this.statements.partOfUpload.get(uploadId, part.partNumber);
        if (!row || unquoteEtag(row.etag) !== unquoteEtag(part.etag)) {
          throw new S3Error(
            "InvalidPart",
            "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
            { UploadId: uploadId, PartNumber: String(part.partNumber), ETag: part.etag },
          );
        }
        stored.push(row);
      }
      for (const row of stored.slice(0, -1)) {
        if (row.size < MIN_PART_BYTES) {
          throw new S3Error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.", {
            ProposedSize: String(row.size),
            MinSizeAllowed: String(MIN_PART_BYTES),
            PartNumber: String(row.part_number),
            ETag: row.etag,
          });
        }
      }
      const body = Buffer.concat(
        stored.map((row) => this.statements.partData.get(uploadId, row.part_number) ?? Buffer.alloc(0)),
      );
      // ETag of a multipart object: MD5 of the concatenated binary part MD5s, then "-<part count>".
      const partDigests = Buffer.concat(stored.map((row) => Buffer.from(unquoteEtag(row.etag), "hex")));
      const etag = `"${md5Hex(partDigests)}-${stored.length}"`;
      const uploadMeta = JSON.parse(upload.meta) as ObjectMeta;
      const checksum = multipartChecksum(stored, body);
      const meta: ObjectMeta = checksum ? { ...uploadMeta, checksum } : uploadMeta;
      const bucket = this.statements.bucketById.get(upload.bucket_id);
      if (!bucket) throw noSuchUpload(uploadId);
      const keyBytes = utf8(upload.key);
      const version = this.writeVersion(bucket, upload.key, keyBytes, {
        isDeleteMarker: false,
        size: body.length,
        etag,
        // LastModified of a multipart object is when its upload was initiated.
        lastModified: upload.initiated_ms,
        meta,
        bodyId: this.insertBody(body),
      });
      this.statements.deleteParts.run(uploadId);
      this.statements.deleteUpload.run(uploadId);
      return version;
    });
  }

  abortMultipartUpload(uploadId: string): void {
    this.transaction(() => {
      this.requireUpload(uploadId);
      this.statements.deleteParts.run(uploadId);
      this.statements.deleteUpload.run(uploadId);
    });
  }

  getMultipartUpload(uploadId: string): MultipartUpload {
    const upload = this.requireUpload(uploadId);
    const bucket = this.statements.bucketById.get(upload.bucket_id);
    return {
      uploadId,
      bucket: bucket?.name ?? "",
      key: upload.key,
      initiated: new Date(upload.initiated_ms),
      meta: JSON.parse(upload.meta) as ObjectMeta,
    };
  }

  // ---- listings ------------------------------------------------------------------------------

  listObjectsV2(bucketName: string, params: ListObjectsV2Params): ListObjectsV2Result {
    const bucket = this.requireBucket(bucketName);
    const prefix = wellFormed(params.prefix);
    const delimiter = wellFormed(params.delimiter);
    const scope: TokenScope = { bucket: bucket.name, bucketId: bucket.id, prefix, delimiter };
    // A continuation token wins over StartAfter.
    const after =
      params.continuationToken !== undefined
        ? this.tokens.open(scope, params.continuationToken)
        : params.startAfter === ""
          ? undefined
          : wellFormed(params.startAfter);
    const maxKeys = effectiveMaxKeys(params.maxKeys);
    if (maxKeys === 0) {
      return { contents: [], commonPrefixes: [], isTruncated: false, nextContinuationToken: undefined, keyCount: 0 };
    }
    const page = new PageCollector<VersionRow>(maxKeys);
    this.readPage(() => walkRange(this.currentObjects(bucket.id), page, { prefix, delimiter, after }));
    const isTruncated = page.finish();
    const contents = this.toVersions(bucket.name, page.rows);
    return {
      contents,
      commonPrefixes: page.prefixes,
      isTruncated,
      nextContinuationToken: isTruncated ? this.tokens.issue(scope, resumePosition(page)) : undefined,
      keyCount: contents.length + page.prefixes.length,
    };
  }

  listObjectsV1(bucketName: string, params: ListObjectsV1Params): ListObjectsV1Result {
    const bucket = this.requireBucket(bucketName);
    const prefix = wellFormed(params.prefix);
    const delimiter = wellFormed(params.delimiter);
    const maxKeys = effectiveMaxKeys(params.maxKeys);
    if (maxKeys === 0) return { contents: [], commonPrefixes: [], isTruncated: false, nextMarker: undefined };
    const page = new PageCollector<VersionRow>(maxKeys);
    const after = params.marker === "" ? undefined : wellFormed(params.marker);
    this.readPage(() => walkRange(this.currentObjects(bucket.id), page, { prefix, delimiter, after }));
    const isTruncated = page.finish();
    return {
      contents: this.toVersions(bucket.name, page.rows),
      commonPrefixes: page.prefixes,
      isTruncated,
      // S3 sends NextMarker only with a delimiter; without one the client resumes from the last key.
      nextMarker: isTruncated && delimiter !== "" ? resumePosition(page) : undefined,
    };
  }

  listObjectVersions(bucketName: string, params: ListVersionsParams): ListVersionsResult {
    const bucket = this.requireBucket(bucketName);
    const prefix = wellFormed(params.prefix);
    const delimiter = wellFormed(params.delimiter);
    const keyMarker = wellFormed(params.keyMarker);
    const { versionIdMarker } = params;
    if (versionIdMarker !== "" && keyMarker === "") {
      throw new S3Error("InvalidArgument", "A version-id marker cannot be specified without a key marker.", {
        ArgumentName: "version-id-marker",
        ArgumentValue: versionIdMarker,
      });
    }
    const keyMarkerBytes = utf8(keyMarker);
    // The version-id-marker names a place in the key's newest-first history; it is located by write
    // sequence, so it still works after that version has been deleted.
    let olderThanSeq: number | undefined;
    if (versionIdMarker === NULL_VERSION_ID) {
      olderThanSeq = this.statements.nullVersionOfKey.get(bucket.id, keyMarkerBytes)?.[1];
    } else if (versionIdMarker !== "") {
      olderThanSeq = this.versionIds.parse(versionIdMarker);
      if (olderThanSeq === undefined) throw invalidVersionId("version-id-marker", versionIdMarker);
    }
    const maxKeys = effectiveMaxKeys(params.maxKeys);
    const empty = { entries: [], commonPrefixes: [], isTruncated: false, nextKeyMarker: undefined, nextVersionIdMarker: undefined };
    if (maxKeys === 0) return empty;

    const page = new PageCollector<VersionRow>(maxKeys);
    const markerKeyIsListed =
      keyMarker.startsWith(prefix) && (delimiter === "" || !keyMarker.includes(delimiter, prefix.length));
    this.readPage(() => {
      if (olderThanSeq !== undefined && markerKeyIsListed) {
        const rest = this.statements.versionsOfKeyOlderThan.all(bucket.id, keyMarkerBytes, olderThanSeq, page.remaining);
        for (const row of rest) page.addRow(row);
      }
      walkRange(this.allVersions(bucket.id), page, { prefix, delimiter, after: keyMarker === "" ? undefined : keyMarker });
    });
    const isTruncated = page.finish();
    const last = isTruncated ? page.lastItem() : undefined;
    return {
      entries: this.toVersions(bucket.name, page.rows),
      commonPrefixes: page.prefixes,
      isTruncated,
      nextKeyMarker: last === undefined ? undefined : last.kind === "row" ? last.row[0] : last.prefix,
      nextVersionIdMarker: last?.kind === "row" ? this.versionIdOf(last.row) : undefined,
    };
  }

  snapshotPrefix(bucketName: string, prefix: string): ObjectVersion[] {
    return this.transaction(() => {
      const bucket = this.requireBucket(bucketName);
      const prefixBytes = utf8(wellFormed(prefix));
      const rows = this.statements.currentFrom.all(bucket.id, prefixBytes, prefixUpperBound(prefixBytes), -1);
      return this.toVersions(bucket.name, rows);
    });
  }

  // ---- seeding -------------------------------------------------------------------------------

  writeAt<T>(at: Date, write: () => T): T {
    const previous = this.fixedNow;
    this.fixedNow = at.getTime();
    try {
      return this.transaction(write);
    } finally {
      this.fixedNow = previous;
    }
  }

  seedObjects(input: SeedObjectsInput): number {
    const etag = `"${md5Hex(input.body)}"`;
    const metaJson = JSON.stringify(input.meta);
    const bodyId = this.transaction(() => {
      this.requireBucket(input.bucket);
      return this.insertBody(input.body);
    });
    let written = 0;
    let batch: string[] = [];
    const flush = () => {
      const keys = batch;
      batch = [];
      this.transaction(() => {
        const bucket = this.requireBucket(input.bucket);
        for (const key of keys) {
          this.writeVersion(bucket, key, validateKey(key), {
            isDeleteMarker: false,
            size: input.body.length,
            etag,
            lastModified: this.now(),
            meta: input.meta,
            metaJson,
            bodyId,
          });
        }
      });
      written += keys.length;
    };
    for (const key of input.keys) {
      batch.push(key);
      if (batch.length >= SEED_BATCH_KEYS) flush();
    }
    if (batch.length > 0) flush();
    this.transaction(() => this.releaseBody(bodyId));
    return written;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** MetaSource: full metadata of one version, loaded when a listed entry's `meta` is first read. */
  loadMeta(seq: number): ObjectMeta {
    const row = this.statements.metaBySeq.get(seq);
    return row?.meta ? (JSON.parse(row.meta) as ObjectMeta) : DELETE_MARKER_META;
  }

  // ---- internals -----------------------------------------------------------------------------

  private transaction<T>(work: () => T): T {
    return this.inTransaction(work) as T;
  }

  /** A page may take several range reads (one per rolled-up prefix): one read transaction makes it one moment. */
  private readPage(read: () => void): void {
    this.transaction(read);
  }

  private now(): number {
    return this.fixedNow ?? Date.now();
  }

  private persistentSecret(name: string): Buffer {
    this.statements.insertSetting.run(name, randomBytes(32));
    const secret = this.statements.setting.get(name);
    if (!secret) throw new Error(`settings row ${name} is missing`);
    return secret;
  }

  private requireBucket(name: string): BucketRow {
    const bucket = this.statements.bucketByName.get(name);
    if (!bucket) throw noSuchBucket(name);
    return bucket;
  }

  private requireUpload(uploadId: string): UploadRow {
    const upload = this.statements.uploadById.get(uploadId);
    if (!upload) throw noSuchUpload(uploadId);
    return upload;
  }

  private versionIdOf(row: VersionRow): string {
    return row[2] === 1 ? NULL_VERSION_ID : this.versionIds.format(row[1]);
  }

  private toVersions(bucket: string, rows: readonly VersionRow[]): StoredObjectVersion[] {
    const versions = new Array<StoredObjectVersion>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as VersionRow;
      versions[i] = new StoredObjectVersion(bucket, row, this.versionIdOf(row), this);
    }
    return versions;
  }

  private toVersion(bucket: string, row: FullVersionRow): StoredObjectVersion {
    const metaJson = row[11];
    const meta = metaJson ? (JSON.parse(metaJson) as ObjectMeta) : DELETE_MARKER_META;
    return new StoredObjectVersion(bucket, row, this.versionIdOf(row), this, meta);
  }

  /** A version by id ("null" included); undefined when well-formed but absent. */
  private findVersion(
    bucketId: number,
    keyBytes: Buffer,
    versionId: string,
    argumentName: string,
  ): FullVersionRow | undefined {
    if (versionId === NULL_VERSION_ID) return this.statements.nullVersionOfKey.get(bucketId, keyBytes);
    const seq = this.versionIds.parse(versionId);
    if (seq === undefined) throw invalidVersionId(argumentName, versionId);
    return this.statements.versionBySeq.get(seq, bucketId, keyBytes);
  }

  /** The version a GET/HEAD (or a copy's source) reads, with S3's errors for what it cannot read. */
  private resolveReadable(
    bucketName: string,
    key: string,
    versionId: string | undefined,
    purpose: "read" | "copy" = "read",
  ): { version: StoredObjectVersion; bodyId: number } {
    const bucket = this.requireBucket(bucketName);
    const keyBytes = validateKey(key);
    const row =
      versionId === undefined
        ? this.statements.latestOfKey.get(bucket.id, keyBytes)
        : this.findVersion(bucket.id, keyBytes, versionId, "versionId");
    if (!row) {
      if (versionId === undefined) throw new S3Error("NoSuchKey", "The specified key does not exist.", { Key: key });
      throw new S3Error("NoSuchVersion", "The specified version does not exist.", { Key: key, VersionId: versionId });
    }
    const version = this.toVersion(bucket.name, row);
    if (version.isDeleteMarker) {
      if (purpose === "copy" && versionId !== undefined) {
        throw new S3Error(
          "InvalidRequest",
          "The source of a copy request may not specifically refer to a delete marker by version id.",
        );
      }
      throw new DeleteMarkerError(versionId === undefined ? "latest" : "named", key, version.versionId);
    }
    const bodyId = row[12];
    if (bodyId === null) throw new S3Error("InternalError", "We encountered an internal error. Please try again.");
    return { version, bodyId };
  }

  /**
   * Writes a new latest version. Unless versioning is Enabled the new version is the "null" version
   * and replaces any previous null version; other versions are kept either way.
   */
  private writeVersion(bucket: BucketRow, key: string, keyBytes: Buffer, version: NewVersion): StoredObjectVersion {
    const s = this.statements;
    const isNullVersion = bucket.versioning !== "Enabled";
    if (isNullVersion) {
      const previousNull = s.nullVersionOfKey.get(bucket.id, keyBytes);
      if (previousNull) {
        s.deleteVersion.run(previousNull[1]);
        this.releaseBody(previousNull[12]);
      }
    }
    s.demoteLatest.run(bucket.id, keyBytes);
    const meta = version.meta;
    const storageClass = meta?.storageClass ?? "STANDARD";
    const checksumAlgorithm = meta?.checksum?.algorithm ?? null;
    const checksumType = checksumTypeOf(meta);
    const inserted = s.insertVersion.run(
      bucket.id,
      keyBytes,
      isNullVersion ? 1 : 0,
      version.isDeleteMarker ? 1 : 0,
      version.size,
      version.etag,
      version.lastModified,
      storageClass,
      checksumAlgorithm,
      checksumType,
      version.metaJson ?? (meta ? JSON.stringify(meta) : null),
      version.bodyId ?? null,
    );
    const row: VersionRow = [
      key,
      Number(inserted.lastInsertRowid),
      isNullVersion ? 1 : 0,
      1,
      version.isDeleteMarker ? 1 : 0,
      version.size,
      version.etag,
      version.lastModified,
      storageClass,
      checksumAlgorithm,
      checksumType,
    ];
    return new StoredObjectVersion(bucket.name, row, this.versionIdOf(row), this, meta ?? DELETE_MARKER_META);
  }

  /** Permanently deletes one version; when it was the latest, the newest remaining one takes over. */
  private removeVersion(bucketId: number, keyBytes: Buffer, row: FullVersionRow): void {
    const s = this.statements;
    s.deleteVersion.run(row[1]);
    this.releaseBody(row[12]);
    if (row[3] === 1) {
      const next = s.newestOfKey.get(bucketId, keyBytes);
      if (next !== undefined) s.promote.run(next);
    }
  }

  private insertBody(data: Buffer): number {
    const bodyId = Number(this.statements.insertBody.run(data.length).lastInsertRowid);
    for (let offset = 0, index = 0; offset < data.length; offset += BODY_CHUNK_BYTES, index++) {
      this.statements.insertChunk.run(bodyId, index, data.subarray(offset, offset + BODY_CHUNK_BYTES));
    }
    return bodyId;
  }

  /** Bodies are shared by copies and seeded keys: drop one only when no version refers to it. */
  private releaseBody(bodyId: number | null): void {
    if (bodyId === null || this.statements.bodyInUse.get(bodyId)) return;
    this.statements.deleteChunks.run(bodyId);
    this.statements.deleteBody.run(bodyId);
  }

  /** Bytes [start, endInclusive] of a body, clamped to its size; reads only the chunks they span. */
  private readBody(bodyId: number, start: number, endInclusive: number): Buffer {
    const size = this.statements.bodySize.get(bodyId) ?? 0;
    const first = Math.max(0, start);
    const last = Math.min(endInclusive, size - 1);
    if (last < first) return Buffer.alloc(0);
    const firstChunk = Math.floor(first / BODY_CHUNK_BYTES);
    const lastChunk = Math.floor(last / BODY_CHUNK_BYTES);
    const chunks = this.statements.chunksOfBody.all(bodyId, firstChunk, lastChunk);
    const joined = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    const offset = first - firstChunk * BODY_CHUNK_BYTES;
    return joined.subarray(offset, offset + (last - first + 1));
  }
}

function toBucketInfo(row: BucketRow): BucketInfo {
  return { name: row.name, createdAt: new Date(row.created_ms), versioning: row.versioning };
}

/** The last key or common prefix a truncated page returned. */
function resumePosition(page: PageCollector<VersionRow>): string {
  const last = page.lastItem();
  if (last === undefined) throw new Error("a truncated page holds at least one item");
  return last.kind === "row" ? last.row[0] : last.prefix;
}

/**
 * S3's checksum of a multipart object, when every part carried one of the same algorithm: CRC64NVME
 * is always a full-object checksum; the others are composite, the checksum of the concatenated part
 * checksums followed by "-<part count>".
 */
function multipartChecksum(parts: readonly PartRow[], body: Buffer): ObjectMeta["checksum"] {
  const algorithm = parts[0]?.checksum_algorithm;
  if (!algorithm || parts.some((p) => p.checksum_algorithm !== algorithm || p.checksum_value === null)) {
    return undefined;
  }
  if (algorithm === "CRC64NVME") return { algorithm, value: checksumOf(algorithm, body) };
  const composite = createChecksum(algorithm);
  for (const part of parts) composite.update(Buffer.from(part.checksum_value ?? "", "base64"));
  return { algorithm, value: `${composite.digestBase64()}-${parts.length}` };
}
