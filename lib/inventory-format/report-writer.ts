import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { csvFileSchema, parquetFileSchema, type FieldName, type InventoryRow } from "./fields";
import { manifestJson, md5Hex, reportLayout } from "./manifest";
import { FileSink } from "./sink";
import { DATA_FILE_EXTENSION, dataWriter, type DataFormat, type DataWriter } from "./writers";

// Writes a whole report, S3's layout, from rows that arrive in batches: data files are written to a
// temporary file each (so a file is never held in memory), handed to the output with their size and
// MD5, and removed; symlink.txt, manifest.checksum and, last, manifest.json follow, so a reader that
// finds the manifest finds a finished report.

export interface ReportSpec {
  sourceBucket: string;
  destinationBucket: string;
  /** Destination prefix; "" for none. */
  prefix: string;
  configId: string;
  /** creationTimestamp (epoch ms): names the report's folder and Hive partition. */
  createdAt: number;
  format: DataFormat;
  fields: readonly FieldName[];
}

/** A finished object of the report: a data file on disk, or a small text. */
export type ReportObject = { key: string; size: number; md5: string; contentType: string } & ({ path: string } | { body: Buffer });

export interface ReportOutput {
  put(object: ReportObject): Promise<void>;
}

export interface WriteReportOptions {
  tmpDir: string;
  /** Rows per data file (S3 splits large reports into several files). */
  rowsPerFile?: number;
  /** Rows per Parquet row group. */
  groupRows?: number;
  signal?: AbortSignal;
}

export interface WrittenReport {
  manifestKey: string;
  files: { key: string; size: number; md5: string; rows: number }[];
  rows: number;
  bytes: number;
}

export const DEFAULT_ROWS_PER_FILE = 1_000_000;
export const DEFAULT_GROUP_ROWS = 50_000;
/** CSV has no row groups: rows go to gzip in small batches, so few are held at once. */
const CSV_BATCH_ROWS = 5_000;

export async function writeReport(spec: ReportSpec, batches: AsyncIterable<readonly InventoryRow[]>, out: ReportOutput, opts: WriteReportOptions): Promise<WrittenReport> {
  const rowsPerFile = opts.rowsPerFile ?? DEFAULT_ROWS_PER_FILE;
  const groupRows = Math.min(spec.format === "CSV" ? CSV_BATCH_ROWS : (opts.groupRows ?? DEFAULT_GROUP_ROWS), rowsPerFile);
  const layout = reportLayout(spec.prefix, spec.sourceBucket, spec.configId, spec.createdAt);
  const files: WrittenReport["files"] = [];
  await fs.mkdir(opts.tmpDir, { recursive: true });

  let current: { sink: FileSink; writer: DataWriter; key: string; rows: number } | null = null;
  let pending: InventoryRow[] = [];
  let total = 0;
  let bytes = 0;

  const open = async () => {
    const key = `${layout.dataPrefix}${randomUUID()}${DATA_FILE_EXTENSION[spec.format]}`;
    const sink = await FileSink.create(path.join(opts.tmpDir, `${randomUUID()}${DATA_FILE_EXTENSION[spec.format]}`));
    current = { sink, writer: dataWriter(spec.format, sink, spec.fields), key, rows: 0 };
    return current;
  };
  const flush = async () => {
    if (pending.length === 0) return;
    const file = current ?? (await open());
    await file.writer.write(pending);
    file.rows += pending.length;
    pending = [];
  };
  const close = async () => {
    const file = current;
    if (file === null) return;
    current = null;
    try {
      await file.writer.finish();
      const { size, md5 } = await file.sink.close();
      await out.put({ key: file.key, path: file.sink.path, size, md5, contentType: spec.format === "CSV" ? "application/gzip" : "application/vnd.apache.parquet" });
      files.push({ key: file.key, size, md5, rows: file.rows });
      bytes += size;
    } finally {
      await fs.rm(file.sink.path, { force: true });
    }
  };

  try {
    for await (const batch of batches) {
      opts.signal?.throwIfAborted();
      for (const row of batch) {
        pending.push(row);
        total++;
        const inFile: number = ((current as { rows: number } | null)?.rows ?? 0) + pending.length;
        if (pending.length >= groupRows || inFile >= rowsPerFile) await flush();
        if (inFile >= rowsPerFile) await close();
      }
    }
    await flush();
    await close();
  } catch (err) {
    const file = current as { sink: FileSink } | null;
    if (file !== null) {
      await file.sink.abandon();
      await fs.rm(file.sink.path, { force: true });
    }
    throw err;
  }

  const text = (key: string, body: string, contentType: string): ReportObject => {
    const buf = Buffer.from(body, "utf8");
    return { key, body: buf, size: buf.length, md5: md5Hex(buf), contentType };
  };
  const symlink = files.map((f) => `s3://${spec.destinationBucket}/${f.key}\n`).join("");
  const manifest = manifestJson({
    sourceBucket: spec.sourceBucket,
    destinationBucket: spec.destinationBucket,
    createdAt: spec.createdAt,
    fileFormat: spec.format,
    fileSchema: spec.format === "CSV" ? csvFileSchema(spec.fields) : parquetFileSchema(spec.fields),
    files,
  });
  await out.put(text(layout.symlinkKey, symlink, "text/plain"));
  await out.put(text(layout.checksumKey, md5Hex(manifest), "text/plain"));
  await out.put(text(layout.manifestKey, manifest, "application/json"));
  return { manifestKey: layout.manifestKey, files, rows: total, bytes };
}
