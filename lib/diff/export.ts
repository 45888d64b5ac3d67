import "server-only";
import { csvRow } from "@/lib/passes/csv";
import type { PassStore } from "@/lib/passes";
import type { DiffOnly, DiffRow } from "@/lib/wire";
import type { ResolvedPlan } from "./plan";
import { emptyCounts } from "./rows";
import { diffRows } from "./stream";

// The diff as a file, streamed from the merge a few thousand rows per pull: it is never built in
// memory, and a client that stops reading stops the merge.

const ROWS_PER_PULL = 5000;

export const DIFF_CSV_HEADER = [
  "key",
  "kind",
  "changed",
  "a_page_number",
  "b_page_number",
  "a_size",
  "b_size",
  "a_last_modified",
  "b_last_modified",
  "a_etag",
  "b_etag",
  "a_storage_class",
  "b_storage_class",
] as const;

export function diffCsvRow(r: DiffRow): string {
  return csvRow([
    r.key,
    r.kind,
    r.changed.join(" "),
    // Page numbers from 1, as people read them; the NDJSON rows keep the API's zero-based index.
    r.a !== null ? r.a.page + 1 : null,
    r.b !== null ? r.b.page + 1 : null,
    r.a?.size ?? null,
    r.b?.size ?? null,
    r.a?.lastModified ?? null,
    r.b?.lastModified ?? null,
    r.a?.etag ?? null,
    r.b?.etag ?? null,
    r.a?.storageClass ?? null,
    r.b?.storageClass ?? null,
  ]);
}

export interface DiffExport {
  filename: string;
  contentType: string;
  body: ReadableStream<Uint8Array>;
}

export function exportDiff(store: PassStore, resolved: ResolvedPlan, only: DiffOnly, format: "csv" | "ndjson"): DiffExport {
  const rows = diffRows(store.file, resolved, only);
  const encoder = new TextEncoder();
  let headerSent = format !== "csv";
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let text = headerSent ? "" : csvRow(DIFF_CSV_HEADER);
      headerSent = true;
      for (let n = 0; n < ROWS_PER_PULL; n++) {
        const next = await rows.next();
        if (next.done === true) {
          if (text !== "") controller.enqueue(encoder.encode(text));
          controller.close();
          return;
        }
        text += format === "csv" ? diffCsvRow(next.value) : `${JSON.stringify(next.value)}\n`;
      }
      controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await rows.return(emptyCounts());
    },
  });
  const { a, b } = resolved.plan;
  return {
    filename: `diff-${a.bucket}-${a.id}-${b.id}${only === "all" ? "-all" : ""}.${format}`,
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    body,
  };
}
