import "server-only";
import type { ExportFormat, PagedEntry } from "@/lib/wire";
import { csvRow } from "./csv";
import { EntryQueries, passRef } from "./entry-queries";
import type { PassStore } from "./store";

// The export streams the pass page by page in listing order, a few thousand rows per pull, so the
// file is never built in memory and a client that stops reading stops the reads.

const ROWS_PER_PULL = 5000;
const CSV_HEADER = ["key", "size", "last_modified", "etag", "storage_class", "page"] as const;

interface ExportRow {
  key: string;
  size: number;
  etag: string | null;
  last_modified: string | null;
  storage_class: string | null;
  page: number;
}

function encodeRow(format: ExportFormat, r: ExportRow): string {
  const key = r.key;
  if (format === "csv") return csvRow([key, r.size, r.last_modified, r.etag, r.storage_class, r.page]);
  const entry: PagedEntry = { key, size: r.size, etag: r.etag, lastModified: r.last_modified, storageClass: r.storage_class, page: r.page };
  return `${JSON.stringify(entry)}\n`;
}

export interface PassExport {
  filename: string;
  contentType: string;
  body: ReadableStream<Uint8Array>;
}

/** The pass's entries as recorded when the export starts; throws `unknown_pass` before any byte. */
export function exportPass(store: PassStore, id: string, format: ExportFormat): PassExport {
  const pass = passRef(store, id);
  const bucket = store.row(id)?.bucket ?? "pass";
  const spans = EntryQueries.for(store).spans(pass);
  const rows = store.db.prepare<[number, number], ExportRow>(
    `SELECT CAST(key AS TEXT) AS key, size, etag, last_modified, storage_class, page FROM entries WHERE rowid BETWEEN ? AND ? ORDER BY rowid`,
  );
  const encoder = new TextEncoder();
  let next = 0;
  let headerSent = format !== "csv";
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      let text = headerSent ? "" : csvRow(CSV_HEADER);
      headerSent = true;
      let count = 0;
      while (next < spans.length && count < ROWS_PER_PULL) {
        const s = spans[next++];
        if (s === undefined || s.rowCount === 0) continue;
        for (const r of rows.all(s.firstRow, s.firstRow + s.rowCount - 1)) text += encodeRow(format, r);
        count += s.rowCount;
      }
      if (text !== "") controller.enqueue(encoder.encode(text));
      if (next >= spans.length) controller.close();
    },
  });
  return {
    filename: `${bucket}-${id}.${format}`,
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    body,
  };
}
