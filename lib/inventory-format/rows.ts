import { decodeKey } from "./csv";
import { fieldNamed, type FieldName } from "./fields";

// What a reader keeps of a report row: the fields a pass records, plus what decides whether the row
// is a current version. Every other S3 Inventory column is read past.

export interface ReportRow {
  bucket: string;
  key: string;
  versionId: string | null;
  /** null when the report has no IsLatest column (a current-versions report). */
  isLatest: boolean | null;
  isDeleteMarker: boolean | null;
  size: number | null;
  /** ISO 8601 UTC with milliseconds. */
  lastModified: string | null;
  /** As the report has it: S3 Inventory writes ETags without the quotes listings put around them. */
  etag: string | null;
  storageClass: string | null;
}

const KEPT = ["Bucket", "Key", "VersionId", "IsLatest", "IsDeleteMarker", "Size", "LastModifiedDate", "ETag", "StorageClass"] as const;
type KeptField = (typeof KEPT)[number];

/** Where each kept field sits among a data file's columns, and what was said about the others. */
export interface ColumnMap {
  /** The column names as the schema gives them, in order. */
  columns: readonly string[];
  index: Partial<Record<KeptField, number>>;
  /** The fields of S3 Inventory the schema has, by their AWS (CSV) name. */
  fields: FieldName[];
  /** Columns that are no S3 Inventory field: ignored, each with a note. */
  unknown: string[];
}

export class ReportFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReportFormatError";
  }
}

/** Maps a schema's column names (CSV "Key" or Parquet "key" alike) onto the fields a pass keeps. */
export function mapColumns(columns: readonly string[]): ColumnMap {
  const index: Partial<Record<KeptField, number>> = {};
  const fields: FieldName[] = [];
  const unknown: string[] = [];
  columns.forEach((name, i) => {
    const spec = fieldNamed(name);
    if (spec === undefined) {
      unknown.push(name);
      return;
    }
    const field = spec.name;
    if (fields.includes(field)) throw new ReportFormatError(`the schema names the column ${name} twice`);
    fields.push(field);
    if ((KEPT as readonly string[]).includes(field)) index[field as KeptField] = i;
  });
  for (const required of ["Bucket", "Key"] as const) {
    if (index[required] === undefined) throw new ReportFormatError(`the schema has no ${required} column (it has ${columns.join(", ")})`);
  }
  return { columns, index, fields, unknown };
}

export function unknownColumnNotes(map: ColumnMap): string[] {
  return map.unknown.map((c) => `The report's schema has a column "${c}", which is no S3 Inventory field: it was ignored.`);
}

function text(v: string | undefined): string | null {
  return v === undefined || v === "" ? null : v;
}

function flag(v: string | undefined, column: string): boolean | null {
  if (v === undefined || v === "") return null;
  if (v === "true") return true;
  if (v === "false") return false;
  throw new ReportFormatError(`${column} is "${v}", not true or false`);
}

function isoOf(ms: number, raw: unknown): string {
  if (!Number.isFinite(ms)) throw new ReportFormatError(`LastModifiedDate ${JSON.stringify(String(raw))} is not a date`);
  return new Date(ms).toISOString();
}

/** One CSV record as a row; `where` names it in errors ("row 12 of data/….csv.gz"). */
export function rowFromCsv(record: readonly string[], map: ColumnMap, where: () => string): ReportRow {
  if (record.length !== map.columns.length) {
    throw new ReportFormatError(`${where()} has ${record.length} values, but the fileSchema names ${map.columns.length} columns`);
  }
  const ix = map.index;
  const at = (f: KeptField): string | undefined => (ix[f] !== undefined ? record[ix[f]] : undefined);
  try {
    const size = text(at("Size"));
    const sizeNumber = size !== null ? Number(size) : null;
    if (sizeNumber !== null && !(Number.isSafeInteger(sizeNumber) && sizeNumber >= 0)) throw new ReportFormatError(`Size "${size}" is not a byte count`);
    const lastModified = text(at("LastModifiedDate"));
    return {
      bucket: at("Bucket") ?? "",
      key: decodeKey(at("Key") ?? ""),
      versionId: text(at("VersionId")),
      isLatest: flag(at("IsLatest"), "IsLatest"),
      isDeleteMarker: flag(at("IsDeleteMarker"), "IsDeleteMarker"),
      size: sizeNumber,
      lastModified: lastModified !== null ? isoOf(Date.parse(lastModified), lastModified) : null,
      etag: text(at("ETag")),
      storageClass: text(at("StorageClass")),
    };
  } catch (err) {
    if (err instanceof URIError) throw new ReportFormatError(`${where()}: the key ${JSON.stringify(at("Key"))} is not valid URL encoding`);
    if (err instanceof ReportFormatError) throw new ReportFormatError(`${where()}: ${err.message}`);
    throw err;
  }
}

type ParquetValue = string | number | bigint | boolean | Date | null | undefined;

function parquetText(v: ParquetValue): string | null {
  return v === null || v === undefined || v === "" ? null : String(v);
}

function parquetFlag(v: ParquetValue): boolean | null {
  return typeof v === "boolean" ? v : null;
}

/** The Parquet columns a reader asks for, in the order `rowFromParquet` expects them. */
export function parquetColumns(map: ColumnMap): string[] {
  return KEPT.filter((f) => map.index[f] !== undefined).map((f) => map.columns[map.index[f] as number] as string);
}

/** Turns rows as hyparquet returns them for `parquetColumns(map)` into ReportRows (Parquet keys are not URL-encoded). */
export function parquetRowReader(map: ColumnMap): (values: readonly ParquetValue[], where: () => string) => ReportRow {
  const present = KEPT.filter((f) => map.index[f] !== undefined);
  const pos = (f: KeptField): number => present.indexOf(f);
  const [iBucket, iKey, iVersion, iLatest, iMarker, iSize, iModified, iEtag, iClass] = KEPT.map(pos);
  const at = (values: readonly ParquetValue[], i: number | undefined): ParquetValue => (i === undefined || i === -1 ? undefined : values[i]);
  return (values, where) => {
    const size = at(values, iSize);
    const lastModified = at(values, iModified);
    const sizeNumber = size === null || size === undefined ? null : Number(size);
    if (sizeNumber !== null && !(Number.isSafeInteger(sizeNumber) && sizeNumber >= 0)) {
      throw new ReportFormatError(`${where()}: size ${String(size)} is not a byte count`);
    }
    let modified: string | null = null;
    if (lastModified instanceof Date) modified = isoOf(lastModified.getTime(), lastModified);
    else if (typeof lastModified === "bigint" || typeof lastModified === "number") modified = isoOf(Number(lastModified), lastModified);
    else if (typeof lastModified === "string") modified = isoOf(Date.parse(lastModified), lastModified);
    const key = at(values, iKey);
    if (typeof key !== "string" || key === "") throw new ReportFormatError(`${where()}: the row has no key`);
    return {
      bucket: parquetText(at(values, iBucket)) ?? "",
      key,
      versionId: parquetText(at(values, iVersion)),
      isLatest: parquetFlag(at(values, iLatest)),
      isDeleteMarker: parquetFlag(at(values, iMarker)),
      size: sizeNumber,
      lastModified: modified,
      etag: parquetText(at(values, iEtag)),
      storageClass: parquetText(at(values, iClass)),
    };
  };
}
