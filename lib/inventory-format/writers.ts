import { once } from "node:events";
import zlib from "node:zlib";
import { csvLine } from "./csv";
import type { FieldName, InventoryRow } from "./fields";
import { ParquetDataWriter } from "./parquet";
import type { FileSink } from "./sink";

export type DataFormat = "CSV" | "Parquet";

/** One data file being written: rows in batches, then finish. */
export interface DataWriter {
  write(rows: readonly InventoryRow[]): Promise<void>;
  finish(): Promise<void>;
}

/** CSV rows through one gzip stream (a single gzip member, as any gzip reader expects). */
class CsvDataWriter implements DataWriter {
  private readonly gzip = zlib.createGzip();
  private readonly drained: Promise<void>;

  constructor(
    sink: FileSink,
    private readonly fields: readonly FieldName[],
  ) {
    this.drained = (async () => {
      for await (const chunk of this.gzip as AsyncIterable<Buffer>) await sink.write(chunk);
    })();
    // Surfaced by finish(); without a handler a failed write would be an unhandled rejection first.
    this.drained.catch(() => undefined);
  }

  async write(rows: readonly InventoryRow[]): Promise<void> {
    let text = "";
    for (const row of rows) text += csvLine(row, this.fields);
    if (!this.gzip.write(text)) await Promise.race([once(this.gzip, "drain"), this.drained]);
  }

  async finish(): Promise<void> {
    this.gzip.end();
    await this.drained;
  }
}

export function dataWriter(format: DataFormat, sink: FileSink, fields: readonly FieldName[]): DataWriter {
  return format === "CSV" ? new CsvDataWriter(sink, fields) : new ParquetDataWriter(sink, fields);
}

export const DATA_FILE_EXTENSION: Record<DataFormat, string> = { CSV: ".csv.gz", Parquet: ".parquet" };
