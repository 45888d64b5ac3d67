import "server-only";
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { createGunzip } from "node:zlib";
import { GetObjectCommand, HeadObjectCommand, type GetObjectCommandOutput } from "@aws-sdk/client-s3";
import { asyncBufferFromFile } from "hyparquet";
import { describeS3Error, toAppError, type Connection } from "@/lib/connections";
import { AppError } from "@/lib/http";
import {
  checksumKeyOf,
  CsvRecords,
  fileSchemaColumns,
  FileSink,
  mapColumns,
  parquetBatches,
  parquetFileColumns,
  parseManifest,
  parseManifestKey,
  readParquetMetadata,
  ReportFormatError,
  rowFromCsv,
  unknownColumnNotes,
  type ColumnMap,
  type Manifest,
  type ReportRow,
} from "@/lib/inventory-format";
import { DEFAULT_RETRY, iso, KeyOrder, sendWithRetry, unansweredRecord, type ListedPage, type RetryPolicy } from "@/lib/lister";
import type { Entry, InventoryFormat, InventoryInfo, InventoryProgress, PassError } from "@/lib/wire";

// Reading an S3 Inventory report as the pages of a pass. The manifest is checked against
// manifest.checksum and every data file is found (HEAD, size as listed) before a pass exists. Each
// data file is then downloaded to a temporary file while its MD5 is computed, compared with the
// manifest's MD5checksum, and only then parsed: rows are streamed off disk (gunzip + CSV, or Parquet
// a row-group slice at a time) into page records of at most `pageRows` entries, so neither a file
// nor the report is ever held in memory. A data file of millions of rows becomes consecutive pages
// (inventory.part 0, 1, …) of one file.

const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
const HEAD_CONCURRENCY = 8;
export const INVENTORY_PAGE_ROWS = 1000;
/** Parquet rows decoded at once (a row group may hold millions). */
const PARQUET_SLICE_ROWS = 50_000;

export interface OpenedReport {
  connection: string;
  bucket: string;
  manifestKey: string;
  manifest: Manifest;
  format: InventoryFormat;
  /** From fileSchema; a Parquet file's own schema is mapped again when it is read. */
  columns: ColumnMap;
  versions: boolean;
  notes: string[];
}

async function readBody(res: GetObjectCommandOutput, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.Body as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > limit) throw new AppError("invalid_inventory", `${what} is larger than ${limit} bytes: it is not an S3 Inventory manifest.`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function isMissing(err: unknown): boolean {
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  return e.name === "NoSuchKey" || e.name === "NotFound" || e.$metadata?.httpStatusCode === 404;
}

function s3url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

async function getSmall(conn: Connection, bucket: string, key: string, signal?: AbortSignal): Promise<Buffer | null> {
  try {
    const res = await conn.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return await readBody(res, MAX_MANIFEST_BYTES, s3url(bucket, key));
  } catch (err) {
    if (isMissing(err) && (err as { name?: unknown }).name !== "NoSuchBucket") return null;
    throw toAppError(err, { connection: conn.name, bucket });
  }
}

function formatOf(fileFormat: string): InventoryFormat {
  const f = fileFormat.toUpperCase();
  if (f === "CSV") return "CSV";
  if (f === "PARQUET") return "Parquet";
  if (f === "ORC") {
    throw new AppError(
      "unsupported_format",
      "This report is ORC, which bucketscope cannot read: no maintained JavaScript library reads ORC. Configure the inventory to deliver CSV or Parquet (Athena, Spark and DuckDB read both).",
    );
  }
  throw new AppError("unsupported_format", `This report's fileFormat is "${fileFormat}", not CSV, Parquet or ORC.`);
}

async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Reads and checks a report before anything is recorded: manifest.json against manifest.checksum,
 * its source bucket, its format, its columns, and that every data file it lists exists with the
 * size it lists. Errors: 404 not_found (no manifest), 422 invalid_inventory (checksum mismatch, a
 * missing or short data file, a manifest that is not one), 422 unsupported_format (ORC), 400 when
 * the report is of another bucket.
 */
export async function openReport(conn: Connection, bucket: string, manifestKey: string, sourceBucket: string, signal?: AbortSignal): Promise<OpenedReport> {
  const where = s3url(bucket, manifestKey);
  const bytes = await getSmall(conn, bucket, manifestKey, signal);
  if (bytes === null) throw new AppError("not_found", `There is no manifest at ${where} (connection "${conn.name}").`);
  const checksum = await getSmall(conn, bucket, checksumKeyOf(manifestKey), signal);
  if (checksum === null) {
    throw new AppError("invalid_inventory", `${where} has no manifest.checksum beside it, so the manifest cannot be verified; S3 writes one with every report.`);
  }
  let manifest: Manifest;
  try {
    manifest = parseManifest(bytes, checksum.toString("utf8"));
  } catch (err) {
    if (err instanceof ReportFormatError) throw new AppError("invalid_inventory", `${where}: ${err.message}.`);
    throw err;
  }
  if (manifest.sourceBucket !== sourceBucket) {
    throw new AppError("bad_request", `This report lists bucket "${manifest.sourceBucket}", not "${sourceBucket}": import it as a pass of "${manifest.sourceBucket}".`);
  }
  const format = formatOf(manifest.fileFormat);
  let columns: ColumnMap;
  try {
    columns = mapColumns(fileSchemaColumns(manifest.fileSchema));
  } catch (err) {
    if (err instanceof ReportFormatError) throw new AppError("invalid_inventory", `${where}: fileSchema ${JSON.stringify(manifest.fileSchema)}: ${err.message}.`);
    throw err;
  }
  const notes = unknownColumnNotes(columns);
  const missing = (["Size", "LastModifiedDate", "ETag", "StorageClass"] as const).filter((f) => !columns.fields.includes(f));
  if (missing.length > 0) {
    notes.push(`The report has no ${missing.join(", ")} column${missing.length > 1 ? "s" : ""}: ${missing.includes("Size") ? "sizes are recorded as 0 and " : ""}comparisons with a listing show those fields as changed.`);
  }
  if (manifest.files.length === 0) notes.push("The manifest lists no data file: the bucket was empty when the report was made.");

  await eachLimited(manifest.files, HEAD_CONCURRENCY, async (file) => {
    let size: number | undefined;
    try {
      size = (await conn.client.send(new HeadObjectCommand({ Bucket: bucket, Key: file.key }), { abortSignal: signal })).ContentLength;
    } catch (err) {
      if (isMissing(err)) throw new AppError("invalid_inventory", `Data file ${s3url(bucket, file.key)}, listed in the manifest, is missing: the report is incomplete, nothing was imported.`);
      throw toAppError(err, { connection: conn.name, bucket });
    }
    if (size !== undefined && size !== file.size) {
      throw new AppError("invalid_inventory", `Data file ${s3url(bucket, file.key)} is ${size} bytes, the manifest says ${file.size}: nothing was imported.`);
    }
  });
  return { connection: conn.name, bucket, manifestKey, manifest, format, columns, versions: columns.fields.includes("IsLatest"), notes };
}

export function inventoryInfo(report: OpenedReport): InventoryInfo {
  const m = report.manifest;
  return {
    report: { connection: report.connection, bucket: report.bucket, manifestKey: report.manifestKey },
    asOf: new Date(m.createdAt).toISOString(),
    sourceBucket: m.sourceBucket,
    configId: parseManifestKey(report.manifestKey)?.configId ?? null,
    fileFormat: report.format,
    fileSchema: m.fileSchema,
    versions: report.versions,
    files: m.files.length,
    bytes: m.files.reduce((sum, f) => sum + f.size, 0),
    progress: { filesRead: 0, bytesRead: 0, rows: 0, noncurrent: 0, deleteMarkers: 0 },
    notes: report.notes,
  };
}

export interface ReportPagesOptions {
  signal: AbortSignal;
  /** Where data files are downloaded to, one at a time. */
  tmpDir: string;
  pageRows?: number;
  retry?: Partial<RetryPolicy>;
}

export interface InventoryPageOut {
  page: ListedPage;
  progress: InventoryProgress;
  /** Said about the data files read so far (unknown columns of a Parquet file's own schema). */
  notes: string[];
}

function invalid(message: string): PassError {
  return { code: "invalid_inventory", message, httpStatus: null, s3Code: null, requestId: null, retryable: false };
}

/** What a row becomes in the pass: null for a noncurrent version or a delete marker. */
function entryOf(row: ReportRow, keepVersion: boolean): Entry {
  const e: Entry = {
    key: row.key,
    size: row.size ?? 0,
    // Listings quote ETags, reports do not: entries hold them as listings do, so the two compare.
    etag: row.etag === null ? null : row.etag.startsWith('"') ? row.etag : `"${row.etag}"`,
    lastModified: row.lastModified,
    storageClass: row.storageClass,
  };
  if (keepVersion && row.versionId !== null) e.versionId = row.versionId;
  return e;
}

/** Downloads a data file to `dest`, computing its MD5 on the way; retried like a listing page. */
async function download(conn: Connection, report: OpenedReport, file: Manifest["files"][number], dest: string, opts: ReportPagesOptions) {
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  return sendWithRetry(
    async (abortSignal) => {
      const res = await conn.client.send(new GetObjectCommand({ Bucket: report.bucket, Key: file.key }), { abortSignal });
      const sink = await FileSink.create(dest);
      try {
        for await (const chunk of res.Body as AsyncIterable<Uint8Array>) await sink.write(chunk);
      } catch (err) {
        await sink.abandon();
        throw err;
      }
      const { size, md5 } = await sink.close();
      return { size, md5, requestId: res.$metadata.requestId ?? null, $metadata: res.$metadata };
    },
    { connection: conn.name, bucket: report.bucket },
    retry,
    opts.signal,
  );
}

async function* csvRows(file: string, map: ColumnMap, name: string): AsyncGenerator<ReportRow[]> {
  const records = new CsvRecords();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let row = 0;
  const convert = (batch: string[][]): ReportRow[] =>
    batch.map((r) => {
      row++;
      return rowFromCsv(r, map, () => `row ${row} of ${name}`);
    });
  const gunzip = createReadStream(file).pipe(createGunzip());
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      const batch = records.push(decoder.decode(chunk, { stream: true }));
      if (batch.length > 0) yield convert(batch);
    }
    const tail = records.push(decoder.decode());
    const last = records.end();
    if (tail.length + last.length > 0) yield convert([...tail, ...last]);
  } catch (err) {
    if (err instanceof ReportFormatError) throw err;
    const reason = err instanceof TypeError ? "it is not UTF-8 text" : err instanceof Error ? err.message : String(err);
    throw new ReportFormatError(`${name} cannot be read as gzip-compressed CSV (${reason})`);
  } finally {
    gunzip.destroy();
  }
}

/**
 * The pages of an opened report, file by file in manifest order. A data file whose size or MD5
 * differs from the manifest, that cannot be parsed, or that cannot be downloaded ends the walk with
 * a page whose record carries the error (and nothing of that file is in any page before it).
 */
export async function* reportPages(conn: Connection, report: OpenedReport, opts: ReportPagesOptions): AsyncGenerator<InventoryPageOut, void, undefined> {
  const pageRows = opts.pageRows ?? INVENTORY_PAGE_ROWS;
  const files = report.manifest.files;
  const progress: InventoryProgress = { filesRead: 0, bytesRead: 0, rows: 0, noncurrent: 0, deleteMarkers: 0 };
  const notes: string[] = [];
  const order = new KeyOrder();
  let index = 0;
  await fs.mkdir(opts.tmpDir, { recursive: true });

  const request = { prefix: "", delimiter: null, maxKeys: pageRows, continuationToken: null, startAfter: null };
  const fail = (error: PassError, startedAt: number): InventoryPageOut => ({
    page: {
      record: unansweredRecord({ index, request, resumedBy: null, requestedAt: iso(startedAt), receivedAt: iso(Date.now()), durationMs: Date.now() - startedAt, attempts: 1 }, error),
      entries: [],
      commonPrefixes: [],
    },
    progress: { ...progress },
    notes: [...notes],
  });

  for (let fileIndex = 0; fileIndex < files.length; fileIndex++) {
    const file = files[fileIndex] as Manifest["files"][number];
    const name = s3url(report.bucket, file.key);
    const tmp = path.join(opts.tmpDir, `data-${fileIndex}${report.format === "CSV" ? ".csv.gz" : ".parquet"}`);
    const startedAt = Date.now();
    try {
      const got = await download(conn, report, file, tmp, opts);
      if (!got.ok) {
        if (got.aborted) return;
        const missing = got.error.httpStatus === 404;
        yield fail(missing ? invalid(`Data file ${name}, listed in the manifest, is gone (404): nothing of the report was kept.`) : got.error, startedAt);
        return;
      }
      if (got.res.md5 !== file.md5 || got.res.size !== file.size) {
        yield fail(
          invalid(
            `Data file ${name} does not match the manifest: its MD5 is ${got.res.md5} (${got.res.size} bytes), the manifest says ${file.md5} (${file.size} bytes). The report is corrupt; nothing of it was kept.`,
          ),
          startedAt,
        );
        return;
      }
      const downloadedAt = Date.now();
      let map = report.columns;
      let batches: AsyncGenerator<ReportRow[]>;
      if (report.format === "CSV") {
        batches = csvRows(tmp, map, name);
      } else {
        const buffer = await asyncBufferFromFile(tmp);
        const metadata = await readParquetMetadata(buffer).catch((err: unknown) => {
          throw new ReportFormatError(`${name} is not a Parquet file (${err instanceof Error ? err.message : String(err)})`);
        });
        map = mapColumns(parquetFileColumns(metadata));
        for (const note of unknownColumnNotes(map)) if (!report.notes.includes(note) && !notes.includes(note)) notes.push(note);
        batches = parquetBatches(buffer, metadata, map, PARQUET_SLICE_ROWS, (row) => `row ${row} of ${name}`);
      }

      let part = 0;
      let entries: Entry[] = [];
      let rowsInPage = 0;
      let pageStart = startedAt;
      let held: InventoryPageOut | null = null;
      const makePage = (lastPart: boolean): InventoryPageOut => {
        order.page();
        let bytes = 0;
        for (const e of entries) {
          order.check(e.key, false, index);
          bytes += e.size;
        }
        const now = Date.now();
        const first = entries[0];
        const last = entries[entries.length - 1];
        const out: InventoryPageOut = {
          page: {
            record: {
              index,
              request,
              resumedBy: null,
              requestedAt: iso(pageStart),
              receivedAt: iso(part === 0 ? downloadedAt : now),
              durationMs: now - pageStart,
              attempts: part === 0 ? got.attempts : 0,
              answered: true,
              httpStatus: 200,
              requestId: part === 0 ? got.res.requestId : null,
              keyCount: entries.length,
              entryCount: entries.length,
              commonPrefixCount: 0,
              firstKey: first?.key ?? null,
              lastKey: last?.key ?? null,
              isTruncated: !(lastPart && fileIndex === files.length - 1),
              nextContinuationToken: null,
              bytes,
              anomalies: order.anomalies,
              anomalyCount: order.count,
              error: null,
              inventory: { file: file.key, fileIndex, part, lastPart, rows: rowsInPage },
            },
            entries,
            commonPrefixes: [],
          },
          progress: { ...progress },
          notes: [...notes],
        };
        index++;
        part++;
        entries = [];
        rowsInPage = 0;
        pageStart = now;
        return out;
      };

      for await (const batch of batches) {
        opts.signal.throwIfAborted();
        for (const row of batch) {
          if (row.bucket !== report.manifest.sourceBucket) {
            throw new ReportFormatError(`${name} has a row of bucket "${row.bucket}" in a report of "${report.manifest.sourceBucket}"`);
          }
          progress.rows++;
          rowsInPage++;
          if (row.isDeleteMarker === true) progress.deleteMarkers++;
          else if (row.isLatest === false) progress.noncurrent++;
          else entries.push(entryOf(row, report.versions));
          if (entries.length === pageRows) {
            // A full page is held until the next row shows whether it is the file's last part.
            if (held !== null) yield held;
            held = makePage(false);
          }
        }
      }
      progress.filesRead++;
      progress.bytesRead += file.size;
      if (held !== null && entries.length === 0 && rowsInPage === 0) {
        held.page.record.isTruncated = fileIndex < files.length - 1;
        const inv = held.page.record.inventory;
        if (inv !== undefined) inv.lastPart = true;
        held.progress = { ...progress };
        yield held;
      } else {
        if (held !== null) yield held;
        yield makePage(true);
      }
    } catch (err) {
      if (opts.signal.aborted) return;
      if (err instanceof ReportFormatError) {
        yield fail(invalid(`${err.message}. Nothing of the report was kept.`), startedAt);
        return;
      }
      yield fail(describeS3Error(err, { connection: conn.name, bucket: report.bucket }), startedAt);
      return;
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }
}
