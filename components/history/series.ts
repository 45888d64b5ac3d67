import { formatCount, visibleKey } from "@/components/format";
import type { HistorySeriesKey } from "@/lib/wire";

/** A series' setting in words: how its passes listed, which is what makes them comparable. */
export function describeSeries(s: HistorySeriesKey): string {
  const how =
    s.kind === "snapshot"
      ? "snapshots (every key as of T)"
      : s.kind === "inventory"
        ? "S3 Inventory reports"
        : s.delimiter === null
          ? "flat (every key)"
          : `folders by “${visibleKey(s.delimiter)}”`;
  const after = s.startAfter !== null ? ` · after “${visibleKey(s.startAfter)}”` : "";
  return `${how} · pages of ${formatCount(s.pageSize)}${after}`;
}
