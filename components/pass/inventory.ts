import { formatBytes, formatCount, type TimeZoneChoice } from "@/components/format";
import type { InventoryInfo, InventoryPage, PageRecord, PassSummary } from "@/lib/wire";
import { instantText } from "./snapshot";

// What the views say about an inventory pass (an imported S3 Inventory report), shaped here (no
// React) so tests can reach it.

/** "S3 Inventory as of 2025-01-02 03:04:00 UTC · eventually consistent": the label wherever the pass is named. */
export function inventoryTitle(info: InventoryInfo, choice: TimeZoneChoice): string {
  return `S3 Inventory as of ${instantText(info.asOf, choice)} · eventually consistent`;
}

export function reportUrl(info: InventoryInfo): string {
  return `s3://${info.report.bucket}/${info.report.manifestKey}`;
}

/** "3 of 12 data files (…) · 2,500 rows read · 40 noncurrent versions and 3 delete markers left out" */
export function inventoryProgressText(info: InventoryInfo): string {
  const p = info.progress;
  const parts = [`${formatCount(p.filesRead)} of ${formatCount(info.files)} data files (${formatBytes(p.bytesRead)} of ${formatBytes(info.bytes)})`, `${formatCount(p.rows)} rows read`];
  if (info.versions) parts.push(`${formatCount(p.noncurrent)} noncurrent versions and ${formatCount(p.deleteMarkers)} delete markers left out`);
  return parts.join(" · ");
}

/**
 * While an import runs, its summary is the one read when the view attached: the pages that arrive
 * since say how far it is (a file is read when its last part is recorded).
 */
export function liveInventoryProgressText(info: InventoryInfo, pages: readonly PageRecord[]): string {
  let files = 0;
  let rows = 0;
  for (const p of pages) {
    if (p.inventory === undefined) continue;
    rows += p.inventory.rows;
    if (p.inventory.lastPart) files++;
  }
  return `${formatCount(files)} of ${formatCount(info.files)} data files (${formatBytes(info.bytes)} in all) · ${formatCount(rows)} rows read`;
}

/** Where a page of an inventory pass came from: "data/ab12….csv.gz, part 2 (last)". */
export function inventoryPageText(page: InventoryPage): string {
  const name = page.file.slice(page.file.lastIndexOf("/") + 1);
  return `file ${page.fileIndex + 1} ${name}, part ${page.part + 1}${page.lastPart ? " (last)" : ""}`;
}

/** The live listing an inventory is compared with: the whole source bucket, now. */
export function livePassParams(pass: PassSummary) {
  return { kind: "list" as const, connection: pass.connection, bucket: pass.bucket, prefix: "", pageSize: 1000 };
}

/** The request that imports a report as a pass of its source bucket. */
export function importParams(connection: string, reportBucket: string, sourceBucket: string, manifestKey: string) {
  return { kind: "inventory" as const, connection, bucket: sourceBucket, inventory: { bucket: reportBucket, manifestKey } };
}
