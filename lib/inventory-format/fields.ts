// The columns of an S3 Inventory report: the name CSV manifests use in `fileSchema`, the lower
// snake case name of the Parquet/ORC schema and Athena's DDL, and the value type. Sources: the S3
// user guide ("Amazon S3 Inventory", "Inventory location", "Querying Amazon S3 Inventory with
// Athena") and the SDK's InventoryOptionalField enum.

export type FieldType = "string" | "int64" | "timestamp" | "boolean";

export interface FieldSpec {
  /** As CSV manifests name it in fileSchema. */
  name: string;
  /** As the Parquet and ORC schemas (and Athena's DDL) name it. */
  column: string;
  type: FieldType;
}

const spec = (name: string, column: string, type: FieldType): FieldSpec => ({ name, column, type });

export const FIELDS = [
  spec("Bucket", "bucket", "string"),
  spec("Key", "key", "string"),
  spec("VersionId", "version_id", "string"),
  spec("IsLatest", "is_latest", "boolean"),
  spec("IsDeleteMarker", "is_delete_marker", "boolean"),
  spec("Size", "size", "int64"),
  spec("LastModifiedDate", "last_modified_date", "timestamp"),
  spec("ETag", "e_tag", "string"),
  spec("StorageClass", "storage_class", "string"),
  spec("IsMultipartUploaded", "is_multipart_uploaded", "boolean"),
  spec("ReplicationStatus", "replication_status", "string"),
  spec("EncryptionStatus", "encryption_status", "string"),
  spec("ObjectLockRetainUntilDate", "object_lock_retain_until_date", "timestamp"),
  spec("ObjectLockMode", "object_lock_mode", "string"),
  spec("ObjectLockLegalHoldStatus", "object_lock_legal_hold_status", "string"),
  spec("IntelligentTieringAccessTier", "intelligent_tiering_access_tier", "string"),
  spec("BucketKeyStatus", "bucket_key_status", "string"),
  spec("ChecksumAlgorithm", "checksum_algorithm", "string"),
  spec("ObjectAccessControlList", "object_access_control_list", "string"),
  spec("ObjectOwner", "object_owner", "string"),
  spec("LifecycleExpirationDate", "lifecycle_expiration_date", "timestamp"),
] as const satisfies readonly FieldSpec[];

export type FieldName = (typeof FIELDS)[number]["name"];

const BY_NAME = new Map<string, FieldSpec>(FIELDS.map((f) => [f.name, f]));
const BY_COLUMN = new Map<string, FieldSpec>(FIELDS.map((f) => [f.column, f]));

/** A column as a CSV fileSchema or a Parquet schema names it; undefined when S3 has no such field. */
export function fieldNamed(name: string): FieldSpec | undefined {
  return BY_NAME.get(name) ?? BY_COLUMN.get(name);
}

/** What a pass keeps of a listing: the columns bucketscope writes, in AWS's order. */
export const PASS_FIELDS: readonly FieldName[] = ["Bucket", "Key", "Size", "LastModifiedDate", "ETag", "StorageClass"];
/** A snapshot pass (the bucket as of T, from object versions) also has each key's version. */
export const VERSIONED_PASS_FIELDS: readonly FieldName[] = [
  "Bucket",
  "Key",
  "VersionId",
  "IsLatest",
  "IsDeleteMarker",
  "Size",
  "LastModifiedDate",
  "ETag",
  "StorageClass",
];

/** One row of a report; a field the report does not have is undefined, an empty value null. */
export type InventoryRow = { Bucket: string; Key: string } & Partial<Record<Exclude<FieldName, "Bucket" | "Key">, string | number | boolean | null>>;

/** CSV fileSchema: the AWS names joined by ", ". */
export function csvFileSchema(fields: readonly FieldName[]): string {
  return fields.join(", ");
}

const PARQUET_DECL: Record<FieldType, string> = {
  string: "binary {name} (UTF8)",
  int64: "int64 {name}",
  timestamp: "int64 {name} (TIMESTAMP_MILLIS)",
  boolean: "boolean {name}",
};

function specOf(name: FieldName): FieldSpec {
  return BY_NAME.get(name) as FieldSpec;
}

/** Parquet fileSchema as S3 writes it: `message s3.inventory { required binary bucket (UTF8); … }`. */
export function parquetFileSchema(fields: readonly FieldName[]): string {
  const decls = fields.map((name) => {
    const f = specOf(name);
    const repetition = name === "Bucket" || name === "Key" ? "required" : "optional";
    return `${repetition} ${PARQUET_DECL[f.type].replace("{name}", f.column)};`;
  });
  return `message s3.inventory { ${decls.join(" ")} }`;
}

/**
 * The column names of a manifest's fileSchema: a CSV list ("Bucket, Key, …"), a Parquet message
 * ("message s3.inventory { required binary bucket (UTF8); … }") or an ORC struct ("struct<bucket:string,…>").
 */
export function fileSchemaColumns(fileSchema: string): string[] {
  const s = fileSchema.trim();
  const message = /^message\s+[^{]*\{(.*)\}\s*$/s.exec(s);
  if (message !== null) {
    return (message[1] ?? "")
      .split(";")
      .map((decl) => decl.trim())
      .filter((decl) => decl !== "")
      .map((decl) => /^(?:required|optional|repeated)\s+\S+\s+([^\s(]+)/.exec(decl)?.[1] ?? decl);
  }
  const struct = /^struct<(.*)>$/s.exec(s);
  if (struct !== null) return (struct[1] ?? "").split(",").map((c) => (c.split(":")[0] ?? "").trim());
  return s.split(",").map((c) => c.trim()).filter((c) => c !== "");
}
