import "server-only";
import type { ExportFormat, PagedEntry } from "@/lib/wire";
import { csvRow } from "./csv";
import { EntryQueries, passRef } from "./entry-queries";
import type { PassStore } from "./store";

// The export streams the pass page by page in listing order, a few thousand rows per pull, so the
// file is never built in memory and a client that stops reading stops the reads.

const ROWS_PER_PULL = 5000;
// A CSV is read by people (in a spreadsheet): its page column counts from 1, as the dashboard does,
// and says so in its name. NDJSON keeps the API's zero-based `page` index.
const CSV_HEADER = ["key", "size", "last_modified", "etag", "storage_class", "page_number"] as const;
const SNAPSHOT_CSV_HEADER = [...CSV_HEADER, "version_id"] as const;

export interface ExportRow {
  key: string;
  size: number;
  etag: string | null;
  last_modified: string | null;
  storage_class: string | null;
  page: number;
  version_id: string | null;
}

function encodeRow(format: ExportFormat, r: ExportRow, snapshot: boolean): string {
  const key = r.key;
  if (format === "csv") {
    const cells = [key, r.size, r.last_modified, r.etag, r.storage_class, r.page + 1];
    return csvRow(snapshot ? [...cells, r.version_id] : cells);
  }
  const entry: PagedEntry = { key, size: r.size, etag: r.etag, lastModified: r.last_modified, storageClass: r.storage_class, page: r.page };
  if (r.version_id !== null) entry.versionId = r.version_id;
  return `${JSON.stringify(entry)}\n`;
}

export interface PassExport {
  filename: string;
  contentType: string;
  body: ReadableStream<Uint8Array>;
}

/**
 * The pass's entries in listing order, as recorded when this is called, in batches of about
 * `perBatch` rows (whole pages): the pass is never read into memory at once.
 */
export function* listingRows(store: PassStore, id: string, perBatch = ROWS_PER_PULL): Generator<ExportRow[], void, undefined> {
  const pass = passRef(store, id);
  const spans = EntryQueries.for(store).spans(pass);
  let batch: ExportRow[] = [];
  for (const s of spans) {
    if (s.rowCount === 0) continue;
    for (const [, key, size, etag, lastModified, storageClass, page, versionId] of store.rows.readPage(pass, s)) {
      batch.push({ key, size, etag, last_modified: lastModified, storage_class: storageClass, page, version_id: versionId });
    }
    if (batch.length >= perBatch) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** The pass's entries as recorded when the export starts; throws `unknown_pass` before any byte. */
export function exportPass(store: PassStore, id: string, format: ExportFormat): PassExport {
  passRef(store, id);
  const row = store.row(id);
  const bucket = row?.bucket ?? "pass";
  // Only passes with version ids (snapshots, inventories of versions) get the column.
  const snapshot = row?.kind === "snapshot" || (row?.kind === "inventory" && store.summary(id)?.inventory?.versions === true);
  const batches = listingRows(store, id);
  const encoder = new TextEncoder();
  let headerSent = format !== "csv";
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      let text = headerSent ? "" : csvRow(snapshot ? SNAPSHOT_CSV_HEADER : CSV_HEADER);
      headerSent = true;
      const next = batches.next();
      if (!next.done) for (const r of next.value) text += encodeRow(format, r, snapshot);
      if (text !== "") controller.enqueue(encoder.encode(text));
      if (next.done) controller.close();
    },
  });
  return {
    filename: `${bucket}-${id}.${format}`,
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    body,
  };
}
