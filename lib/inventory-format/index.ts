// S3 Inventory's file format, shared by the app (import and export of passes) and the sandbox (which
// writes reports as S3 does): manifest, columns, CSV and Parquet data files. No S3 calls here.

export {
  FIELDS,
  PASS_FIELDS,
  VERSIONED_PASS_FIELDS,
  fieldNamed,
  csvFileSchema,
  parquetFileSchema,
  fileSchemaColumns,
  type FieldName,
  type FieldSpec,
  type InventoryRow,
} from "./fields";
export { CsvRecords, encodeKey, decodeKey, csvLine } from "./csv";
export { mapColumns, unknownColumnNotes, rowFromCsv, ReportFormatError, type ColumnMap, type ReportRow } from "./rows";
export { parquetBatches, parquetFileColumns, readParquetMetadata, ParquetDataWriter, type AsyncBuffer } from "./parquet";
export { FileSink } from "./sink";
export { dataWriter, DATA_FILE_EXTENSION, type DataFormat, type DataWriter } from "./writers";
export {
  parseManifest,
  manifestJson,
  md5Hex,
  reportTimestamp,
  hiveDate,
  configRoot,
  reportLayout,
  parseManifestKey,
  checksumKeyOf,
  MANIFEST_VERSION,
  type Manifest,
  type ReportLayout,
} from "./manifest";
export {
  writeReport,
  DEFAULT_ROWS_PER_FILE,
  DEFAULT_GROUP_ROWS,
  type ReportSpec,
  type ReportObject,
  type ReportOutput,
  type WriteReportOptions,
  type WrittenReport,
} from "./report-writer";
