import type { ChecksumAlgorithm, ChecksumType, ObjectMeta, ObjectVersion } from "../store-types";

/**
 * Column order shared by every version query:
 * key (text), seq, is_null_version, is_latest, is_delete_marker, size, etag, last_modified,
 * storage_class, checksum_algorithm, checksum_type.
 */
type VersionColumns = [
  key: string,
  seq: number,
  isNullVersion: number,
  isLatest: number,
  isDeleteMarker: number,
  size: number,
  etag: string,
  lastModified: number,
  storageClass: string,
  checksumAlgorithm: ChecksumAlgorithm | null,
  checksumType: ChecksumType | null,
];

/** A row starting with the version columns; queries may append more. */
export type VersionRow = readonly [...VersionColumns, ...unknown[]];

/** The version columns followed by meta (JSON) and body_id. */
export type FullVersionRow = readonly [...VersionColumns, meta: string | null, bodyId: number | null];

export const VERSION_ROW_COLUMNS =
  "CAST(key AS TEXT), seq, is_null_version, is_latest, is_delete_marker, size, etag, last_modified, storage_class, checksum_algorithm, checksum_type";

/** The listing index implies is_latest = 1 and is_delete_marker = 0; selecting constants keeps it covering. */
export const CURRENT_ROW_COLUMNS =
  "CAST(key AS TEXT), seq, is_null_version, 1, 0, size, etag, last_modified, storage_class, checksum_algorithm, checksum_type";

export interface MetaSource {
  loadMeta(seq: number): ObjectMeta;
}

/**
 * An ObjectVersion read from the store. Plain enumerable data fields; `meta` is an accessor that
 * loads on first use, so a listing page never parses metadata it does not render.
 */
export class StoredObjectVersion implements ObjectVersion {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string;
  readonly isLatest: boolean;
  readonly isDeleteMarker: boolean;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date;
  readonly storageClass: string;
  readonly checksumAlgorithm: ChecksumAlgorithm | undefined;
  readonly checksumType: ChecksumType | undefined;
  readonly #seq: number;
  #meta: ObjectMeta | undefined;
  readonly #metaSource: MetaSource;

  constructor(bucket: string, row: VersionRow, versionId: string, metaSource: MetaSource, meta?: ObjectMeta) {
    this.bucket = bucket;
    this.key = row[0];
    this.versionId = versionId;
    this.isLatest = row[3] === 1;
    this.isDeleteMarker = row[4] === 1;
    this.size = row[5];
    this.etag = row[6];
    this.lastModified = new Date(row[7]);
    this.storageClass = row[8];
    this.checksumAlgorithm = row[9] ?? undefined;
    this.checksumType = row[10] ?? undefined;
    this.#seq = row[1];
    this.#metaSource = metaSource;
    this.#meta = meta;
  }

  get meta(): ObjectMeta {
    this.#meta ??= this.#metaSource.loadMeta(this.#seq);
    return this.#meta;
  }

  set meta(meta: ObjectMeta) {
    this.#meta = meta;
  }

  /** The write sequence, for store-internal lookups (readRange) without another key lookup. */
  static sequenceOf(version: ObjectVersion): number | undefined {
    return version instanceof StoredObjectVersion ? version.#seq : undefined;
  }

  /** Includes `meta`, which JSON.stringify would otherwise skip (it is an accessor). */
  toJSON(): ObjectVersion {
    return {
      bucket: this.bucket,
      key: this.key,
      versionId: this.versionId,
      isLatest: this.isLatest,
      isDeleteMarker: this.isDeleteMarker,
      size: this.size,
      etag: this.etag,
      lastModified: this.lastModified,
      meta: this.meta,
      storageClass: this.storageClass,
      checksumAlgorithm: this.checksumAlgorithm,
      checksumType: this.checksumType,
    };
  }
}
