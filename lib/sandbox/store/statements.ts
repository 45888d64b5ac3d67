import type Database from "better-sqlite3";
import type { ChecksumAlgorithm, ChecksumType, VersioningStatus } from "../store-types";
import { CURRENT_ROW_COLUMNS, VERSION_ROW_COLUMNS, type FullVersionRow, type VersionRow } from "./object-version";

// Every SQL statement of the store, prepared once per connection.

export interface BucketRow {
  id: number;
  name: string;
  created_ms: number;
  versioning: VersioningStatus;
}

export interface UploadRow {
  upload_id: string;
  bucket_id: number;
  key: string;
  initiated_ms: number;
  meta: string;
}

export interface PartRow {
  part_number: number;
  etag: string;
  size: number;
  last_modified: number;
  checksum_algorithm: ChecksumAlgorithm | null;
  checksum_value: string | null;
}

export function prepareStatements(db: Database.Database) {
  return {
    bucketByName: db.prepare<[string], BucketRow>(
      `SELECT id, name, created_ms, versioning FROM buckets WHERE name = ?`,
    ),
    bucketById: db.prepare<[number], BucketRow>(`SELECT id, name, created_ms, versioning FROM buckets WHERE id = ?`),
    allBuckets: db.prepare<[], BucketRow>(`SELECT id, name, created_ms, versioning FROM buckets ORDER BY name`),
    insertBucket: db.prepare<[string, number, VersioningStatus]>(
      `INSERT INTO buckets (name, created_ms, versioning) VALUES (?, ?, ?)`,
    ),
    deleteBucket: db.prepare<[number]>(`DELETE FROM buckets WHERE id = ?`),
    setVersioning: db.prepare<[VersioningStatus, number]>(`UPDATE buckets SET versioning = ? WHERE id = ?`),
    anyVersionInBucket: db.prepare<[number], number>(`SELECT 1 FROM versions WHERE bucket_id = ? LIMIT 1`).pluck(),
    anyUploadInBucket: db.prepare<[number], number>(`SELECT 1 FROM uploads WHERE bucket_id = ? LIMIT 1`).pluck(),

    latestOfKey: db
      .prepare<[number, Buffer], FullVersionRow>(
        `SELECT ${VERSION_ROW_COLUMNS}, meta, body_id FROM versions
         WHERE bucket_id = ? AND key = ? AND is_latest = 1`,
      )
      .raw(true),
    versionBySeq: db
      .prepare<[number, number, Buffer], FullVersionRow>(
        `SELECT ${VERSION_ROW_COLUMNS}, meta, body_id FROM versions WHERE seq = ? AND bucket_id = ? AND key = ?`,
      )
      .raw(true),
    nullVersionOfKey: db
      .prepare<[number, Buffer], FullVersionRow>(
        `SELECT ${VERSION_ROW_COLUMNS}, meta, body_id FROM versions
         WHERE bucket_id = ? AND key = ? AND is_null_version = 1`,
      )
      .raw(true),
    newestOfKey: db
      .prepare<[number, Buffer], number>(
        `SELECT seq FROM versions WHERE bucket_id = ? AND key = ? ORDER BY seq DESC LIMIT 1`,
      )
      .pluck(),
    metaBySeq: db.prepare<[number], { meta: string | null }>(`SELECT meta FROM versions WHERE seq = ?`),
    bodyIdBySeq: db.prepare<[number], number | null>(`SELECT body_id FROM versions WHERE seq = ?`).pluck(),
    demoteLatest: db.prepare<[number, Buffer]>(
      `UPDATE versions SET is_latest = 0 WHERE bucket_id = ? AND key = ? AND is_latest = 1`,
    ),
    promote: db.prepare<[number]>(`UPDATE versions SET is_latest = 1 WHERE seq = ?`),
    insertVersion: db.prepare<
      [
        number,
        Buffer,
        number,
        number,
        number,
        string,
        number,
        string,
        ChecksumAlgorithm | null,
        ChecksumType | null,
        string | null,
        number | null,
      ]
    >(
      `INSERT INTO versions (bucket_id, key, is_null_version, is_latest, is_delete_marker, size, etag,
         last_modified, storage_class, checksum_algorithm, checksum_type, meta, body_id)
       VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    deleteVersion: db.prepare<[number]>(`DELETE FROM versions WHERE seq = ?`),

    // Listing reads: bounded range scans of one index, never from the start of the bucket.
    currentAfter: db
      .prepare<[number, Buffer, Buffer, number], VersionRow>(
        `SELECT ${CURRENT_ROW_COLUMNS} FROM versions INDEXED BY current_objects
         WHERE bucket_id = ? AND is_latest = 1 AND is_delete_marker = 0 AND key > ? AND key < ?
         ORDER BY key LIMIT ?`,
      )
      .raw(true),
    currentFrom: db
      .prepare<[number, Buffer, Buffer, number], VersionRow>(
        `SELECT ${CURRENT_ROW_COLUMNS} FROM versions INDEXED BY current_objects
         WHERE bucket_id = ? AND is_latest = 1 AND is_delete_marker = 0 AND key >= ? AND key < ?
         ORDER BY key LIMIT ?`,
      )
      .raw(true),
    versionsAfter: db
      .prepare<[number, Buffer, Buffer, number], VersionRow>(
        `SELECT ${VERSION_ROW_COLUMNS} FROM versions INDEXED BY versions_by_key
         WHERE bucket_id = ? AND key > ? AND key < ? ORDER BY key, seq DESC LIMIT ?`,
      )
      .raw(true),
    versionsFrom: db
      .prepare<[number, Buffer, Buffer, number], VersionRow>(
        `SELECT ${VERSION_ROW_COLUMNS} FROM versions INDEXED BY versions_by_key
         WHERE bucket_id = ? AND key >= ? AND key < ? ORDER BY key, seq DESC LIMIT ?`,
      )
      .raw(true),
    versionsOfKeyOlderThan: db
      .prepare<[number, Buffer, number, number], VersionRow>(
        `SELECT ${VERSION_ROW_COLUMNS} FROM versions INDEXED BY versions_by_key
         WHERE bucket_id = ? AND key = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
      )
      .raw(true),

    insertBody: db.prepare<[number]>(`INSERT INTO bodies (size) VALUES (?)`),
    insertChunk: db.prepare<[number, number, Buffer]>(
      `INSERT INTO body_chunks (body_id, chunk_index, data) VALUES (?, ?, ?)`,
    ),
    bodySize: db.prepare<[number], number>(`SELECT size FROM bodies WHERE id = ?`).pluck(),
    chunksOfBody: db
      .prepare<[number, number, number], Buffer>(
        `SELECT data FROM body_chunks WHERE body_id = ? AND chunk_index BETWEEN ? AND ? ORDER BY chunk_index`,
      )
      .pluck(),
    bodyInUse: db.prepare<[number], number>(`SELECT 1 FROM versions WHERE body_id = ? LIMIT 1`).pluck(),
    deleteChunks: db.prepare<[number]>(`DELETE FROM body_chunks WHERE body_id = ?`),
    deleteBody: db.prepare<[number]>(`DELETE FROM bodies WHERE id = ?`),

    insertUpload: db.prepare<[string, number, Buffer, number, string]>(
      `INSERT INTO uploads (upload_id, bucket_id, key, initiated_ms, meta) VALUES (?, ?, ?, ?, ?)`,
    ),
    uploadById: db.prepare<[string], UploadRow>(
      `SELECT upload_id, bucket_id, CAST(key AS TEXT) AS key, initiated_ms, meta FROM uploads WHERE upload_id = ?`,
    ),
    deleteUpload: db.prepare<[string]>(`DELETE FROM uploads WHERE upload_id = ?`),
    upsertPart: db.prepare<[string, number, string, number, number, string | null, string | null, Buffer]>(
      `INSERT OR REPLACE INTO parts
         (upload_id, part_number, etag, size, last_modified, checksum_algorithm, checksum_value, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    partOfUpload: db.prepare<[string, number], PartRow>(
      `SELECT part_number, etag, size, last_modified, checksum_algorithm, checksum_value
       FROM parts WHERE upload_id = ? AND part_number = ?`,
    ),
    partData: db
      .prepare<[string, number], Buffer>(`SELECT data FROM parts WHERE upload_id = ? AND part_number = ?`)
      .pluck(),
    deleteParts: db.prepare<[string]>(`DELETE FROM parts WHERE upload_id = ?`),

    setting: db.prepare<[string], Buffer>(`SELECT value FROM settings WHERE name = ?`).pluck(),
    insertSetting: db.prepare<[string, Buffer]>(`INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)`),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
