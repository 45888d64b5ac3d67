import { describe, expect, it } from "vitest";
import { UTC_CHOICE } from "@/components/format";
import type { InventoryInfo, PageRecord } from "@/lib/wire";
import { inventoryPageText, inventoryProgressText, inventoryTitle, liveInventoryProgressText } from "./inventory";

const info: InventoryInfo = {
  report: { connection: "sandbox", bucket: "reports", manifestKey: "r/src/cfg/2025-01-02T03-04Z/manifest.json" },
  asOf: "2025-01-02T03:04:00.000Z",
  sourceBucket: "src",
  configId: "cfg",
  fileFormat: "CSV",
  fileSchema: "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size",
  versions: true,
  files: 3,
  bytes: 3 * 1024 * 1024,
  progress: { filesRead: 1, bytesRead: 1024 * 1024, rows: 2500, noncurrent: 40, deleteMarkers: 3 },
  notes: [],
};

const page = (fileIndex: number, part: number, lastPart: boolean, rows: number) =>
  ({ inventory: { file: `r/src/cfg/data/f${fileIndex}.csv.gz`, fileIndex, part, lastPart, rows } }) as PageRecord;

describe("what the views say about an inventory pass", () => {
  it("names the report's moment and its caveat, and how far it is read", () => {
    expect(inventoryTitle(info, UTC_CHOICE)).toBe("S3 Inventory as of 2025-01-02 03:04:00 UTC · eventually consistent");
    expect(inventoryProgressText(info)).toBe("1 of 3 data files (1.00 MiB of 3.00 MiB) · 2,500 rows read · 40 noncurrent versions and 3 delete markers left out");
  });

  it("counts files and rows from the pages recorded while the import runs", () => {
    const pages = [page(0, 0, false, 1000), page(0, 1, true, 400), page(1, 0, false, 1000)];
    expect(liveInventoryProgressText(info, pages)).toBe("1 of 3 data files (3.00 MiB in all) · 2,400 rows read");
    expect(inventoryPageText(pages[1]?.inventory ?? page(0, 0, true, 0).inventory!)).toBe("file 1 f0.csv.gz, part 2 (last)");
  });
});
