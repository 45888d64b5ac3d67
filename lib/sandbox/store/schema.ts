import type Database from "better-sqlite3";

export const SCHEMA_VERSION = 1;

// Keys are BLOBs of UTF-8 so that SQLite's memcmp order is S3's byte order. `versions` holds every
// version and delete marker; `current_objects` is a partial covering index over the latest live
// versions, the listing index, and holds exactly the columns a listing renders. Bodies live apart in
// 1 MiB chunks so neither listing nor range reads drag whole bodies through the page cache.
const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID`,
  // AUTOINCREMENT: a re-created bucket never reuses an id, so old continuation tokens stay invalid.
  `CREATE TABLE IF NOT EXISTS buckets (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL UNIQUE,
     created_ms INTEGER NOT NULL,
     versioning TEXT NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS versions (
     seq INTEGER PRIMARY KEY,
     bucket_id INTEGER NOT NULL,
     key BLOB NOT NULL,
     is_null_version INTEGER NOT NULL,
     is_latest INTEGER NOT NULL,
     is_delete_marker INTEGER NOT NULL,
     size INTEGER NOT NULL,
     etag TEXT NOT NULL,
     last_modified INTEGER NOT NULL,
     storage_class TEXT NOT NULL,
     checksum_algorithm TEXT,
     checksum_type TEXT,
     meta TEXT,
     body_id INTEGER
   )`,
  `CREATE INDEX IF NOT EXISTS versions_by_key ON versions (bucket_id, key, seq DESC)`,
  `CREATE INDEX IF NOT EXISTS current_objects
     ON versions (bucket_id, key, is_null_version, size, etag, last_modified, storage_class, checksum_algorithm, checksum_type)
     WHERE is_latest = 1 AND is_delete_marker = 0`,
  `CREATE INDEX IF NOT EXISTS versions_by_body ON versions (body_id) WHERE body_id IS NOT NULL`,
  `CREATE TABLE IF NOT EXISTS bodies (id INTEGER PRIMARY KEY, size INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS body_chunks (
     id INTEGER PRIMARY KEY,
     body_id INTEGER NOT NULL,
     chunk_index INTEGER NOT NULL,
     data BLOB NOT NULL,
     UNIQUE (body_id, chunk_index)
   )`,
  `CREATE TABLE IF NOT EXISTS uploads (
     upload_id TEXT PRIMARY KEY,
     bucket_id INTEGER NOT NULL,
     key BLOB NOT NULL,
     initiated_ms INTEGER NOT NULL,
     meta TEXT NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS uploads_by_bucket ON uploads (bucket_id, key)`,
  `CREATE TABLE IF NOT EXISTS parts (
     upload_id TEXT NOT NULL,
     part_number INTEGER NOT NULL,
     etag TEXT NOT NULL,
     size INTEGER NOT NULL,
     last_modified INTEGER NOT NULL,
     checksum_algorithm TEXT,
     checksum_value TEXT,
     data BLOB NOT NULL,
     PRIMARY KEY (upload_id, part_number)
   )`,
];

export function applySchema(db: Database.Database): void {
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("cache_size = -65536");
  db.transaction(() => {
    for (const statement of STATEMENTS) db.exec(statement);
    db.prepare(`INSERT OR IGNORE INTO settings (name, value) VALUES ('schema-version', ?)`).run(
      Buffer.from(String(SCHEMA_VERSION)),
    );
  })();
}
