import { parquetMetadataAsync, parquetRead, type AsyncBuffer, type FileMetaData } from "hyparquet";
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import { fieldNamed, type FieldName, type FieldSpec, type InventoryRow } from "./fields";
import { parquetColumns, parquetRowReader, type ColumnMap, type ReportRow } from "./rows";
import type { FileSink } from "./sink";

// Parquet data files as S3 writes them: Snappy, `bucket` and `key` required UTF8, `size` int64,
// `last_modified_date` int64 TIMESTAMP_MILLIS, flags boolean, everything else UTF8.

export type { AsyncBuffer };

/** The top-level column names of a Parquet file. */
export function parquetFileColumns(metadata: FileMetaData): string[] {
  const names: string[] = [];
  const schema = metadata.schema;
  // schema[0] is the root; a nested column's children follow it and are skipped.
  let i = 1;
  const skip = (): void => {
    const el = schema[i++];
    for (let c = 0; c < (el?.num_children ?? 0); c++) skip();
  };
  while (i < schema.length) {
    names.push(schema[i]?.name ?? "");
    skip();
  }
  return names;
}

export async function readParquetMetadata(file: AsyncBuffer): Promise<FileMetaData> {
  return parquetMetadataAsync(file);
}

/**
 * The rows of a Parquet data file in batches of at most `sliceRows`, one row group slice at a time,
 * so a file larger than memory is read in bounded pieces (offset indexes, when the file has them,
 * let a slice read only its own pages).
 */
export async function* parquetBatches(
  file: AsyncBuffer,
  metadata: FileMetaData,
  map: ColumnMap,
  sliceRows: number,
  where: (row: number) => string,
): AsyncGenerator<ReportRow[], void, undefined> {
  const columns = parquetColumns(map);
  const toRow = parquetRowReader(map);
  let start = 0;
  for (const group of metadata.row_groups) {
    const groupEnd = start + Number(group.num_rows);
    for (let from = start; from < groupEnd; from += sliceRows) {
      const to = Math.min(groupEnd, from + sliceRows);
      let values: unknown[][] = [];
      await parquetRead({ file, metadata, columns, rowStart: from, rowEnd: to, useOffsetIndex: true, onComplete: (rows: unknown[][]) => (values = rows) });
      const batch: ReportRow[] = new Array<ReportRow>(values.length);
      for (let i = 0; i < values.length; i++) batch[i] = toRow(values[i] as Parameters<typeof toRow>[0], () => where(from + i + 1));
      yield batch;
    }
    start = groupEnd;
  }
}

function schemaElement(spec: FieldSpec) {
  const repetition_type = spec.name === "Bucket" || spec.name === "Key" ? ("REQUIRED" as const) : ("OPTIONAL" as const);
  switch (spec.type) {
    case "string":
      return { name: spec.column, type: "BYTE_ARRAY" as const, converted_type: "UTF8" as const, repetition_type };
    case "int64":
      return { name: spec.column, type: "INT64" as const, repetition_type };
    case "timestamp":
      return { name: spec.column, type: "INT64" as const, converted_type: "TIMESTAMP_MILLIS" as const, repetition_type };
    case "boolean":
      return { name: spec.column, type: "BOOLEAN" as const, repetition_type };
  }
}

/** A ByteWriter that hands what it holds to the sink after each row group instead of growing. */
function sinkWriter(sink: FileSink): ByteWriter {
  const writer = new ByteWriter(1 << 20);
  const flush = (): Promise<void> => {
    const bytes = new Uint8Array(writer.buffer.slice(0, writer.index));
    writer.index = 0;
    return sink.write(bytes);
  };
  return Object.assign(writer, { flush, finish: flush });
}

/** Writes rows into one Parquet data file, one row group per `write`. */
export class ParquetDataWriter {
  private readonly writer: ParquetWriter;
  private readonly specs: FieldSpec[];

  constructor(sink: FileSink, readonly fields: readonly FieldName[]) {
    this.specs = fields.map((f) => fieldNamed(f) as FieldSpec);
    this.writer = new ParquetWriter({
      writer: sinkWriter(sink),
      schema: [{ name: "s3", num_children: this.specs.length }, ...this.specs.map(schemaElement)],
      codec: "SNAPPY",
      createdBy: "bucketscope",
    });
  }

  async write(rows: readonly InventoryRow[]): Promise<void> {
    if (rows.length === 0) return;
    const columnData = this.specs.map((spec) => {
      const name = spec.name;
      const data = new Array<unknown>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const v = (rows[i] as InventoryRow)[name];
        if (v === null || v === undefined) data[i] = null;
        else if (spec.type === "int64") data[i] = BigInt(v);
        else if (spec.type === "timestamp") data[i] = BigInt(typeof v === "number" ? v : Date.parse(String(v)));
        else data[i] = v;
      }
      return { name: spec.column, data };
    });
    await this.writer.write({ columnData, rowGroupSize: rows.length });
  }

  async finish(): Promise<void> {
    await this.writer.finish();
  }
}
