"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useRef } from "react";
import { formatBytes, formatCount, formatDuration, formatLocalTime, shortToken, utcTitle, visibleKey } from "@/components/format";
import type { PageRecord, PagedEntry } from "@/lib/wire";
import type { TableItem } from "./bands";
import { pageErrorLabel } from "./explain";
import styles from "./pass.module.css";

export const KEY_ROW_HEIGHT = 28;
const OVERSCAN = 24;

/** The key with the searched substring marked; React text only, control characters made visible. */
function KeyText({ value, q }: { value: string; q: string }) {
  const shown = visibleKey(value);
  const needle = q === "" ? "" : visibleKey(q);
  const at = needle === "" ? -1 : shown.indexOf(needle);
  if (at === -1) return <>{shown}</>;
  return (
    <>
      {shown.slice(0, at)}
      <mark className={styles.mark}>{shown.slice(at, at + needle.length)}</mark>
      {shown.slice(at + needle.length)}
    </>
  );
}

const PageBand = memo(function PageBand({ page, selected, onSelect }: { page: PageRecord; selected: boolean; onSelect: (page: number) => void }) {
  const error = page.error;
  return (
    <>
      <b>Page {page.index}</b>
      {error !== null ? (
        <span>
          failed: {pageErrorLabel(error)} · {error.message}
        </span>
      ) : (
        <>
          <span className={styles.bandKeys}>
            {page.firstKey !== null ? `${visibleKey(page.firstKey)} … ${visibleKey(page.lastKey ?? "")}` : "no keys"}
          </span>
          <span>{formatCount(page.entryCount)} keys</span>
          {page.commonPrefixCount > 0 ? <span>{formatCount(page.commonPrefixCount)} prefixes</span> : null}
          <span>{formatDuration(page.durationMs)}</span>
          {page.attempts > 1 ? <span className="badge warn">{page.attempts} attempts</span> : null}
          {page.anomalyCount > 0 ? <span className="badge bad">{page.anomalyCount} anomalies</span> : null}
          <span className={styles.tokens}>token {shortToken(page.request.continuationToken)}</span>
        </>
      )}
      {!selected ? (
        <button type="button" className={styles.pageLink} style={{ marginLeft: "auto" }} onClick={() => onSelect(page.index)}>
          details
        </button>
      ) : null}
    </>
  );
});

export interface KeysTableProps {
  itemCount: number;
  itemAt: (index: number) => TableItem;
  entryAt: (row: number) => PagedEntry | undefined;
  q: string;
  selectedPage: number | null;
  onSelectPage: (page: number) => void;
  /** Called with the first and last virtual item index rendered (overscan included). */
  onItemsShown: (first: number, last: number) => void;
  /** A request to scroll an item to the top; a new `seq` asks again for the same index. */
  scrollTo: { index: number; seq: number } | null;
  height: number;
}

/** The whole pass in one virtualized table: fixed row height, rows fetched by the caller. */
export function KeysTable({ itemCount, itemAt, entryAt, q, selectedPage, onSelectPage, onItemsShown, scrollTo, height }: KeysTableProps) {
  const viewport = useRef<HTMLDivElement>(null);
  // The virtualizer is read fresh on every render (no React Compiler memoization here).
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: itemCount,
    getScrollElement: () => viewport.current,
    estimateSize: () => KEY_ROW_HEIGHT,
    overscan: OVERSCAN,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;
  useEffect(() => {
    onItemsShown(first, last);
  }, [first, last, onItemsShown]);
  useEffect(() => {
    if (scrollTo !== null) virtualizer.scrollToIndex(scrollTo.index, { align: "start" });
    // The request's seq is what asks for a scroll; the virtualizer instance is stable.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [scrollTo?.seq]);

  return (
    <div className={styles.grid} data-testid="keys-table">
      <div className={`${styles.gridHead} ${styles.keysCols}`} role="row">
        <span className={styles.num}>#</span>
        <span>Key</span>
        <span className={styles.num}>Size</span>
        <span>Last modified</span>
        <span>Storage class</span>
        <span className={styles.num}>Page</span>
      </div>
      <div ref={viewport} className={styles.viewport} style={{ height }} data-testid="keys-viewport">
        {itemCount === 0 ? <div className={styles.empty}>{q !== "" ? "No key contains this text." : "No keys recorded yet."}</div> : null}
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {items.map((v) => {
            const item = itemAt(v.index);
            const style = { height: KEY_ROW_HEIGHT, transform: `translateY(${v.start}px)` };
            if (item.kind === "band") {
              const selected = item.page.index === selectedPage;
              return (
                <div
                  key={v.key}
                  role="row"
                  data-testid="page-band"
                  data-page={item.page.index}
                  className={`${styles.band} ${selected ? styles.bandSelected : ""} ${item.page.error !== null ? styles.bandFailed : ""}`}
                  style={style}
                >
                  <PageBand page={item.page} selected={selected} onSelect={onSelectPage} />
                </div>
              );
            }
            const entry = entryAt(item.row);
            const rowSelected = entry !== undefined && entry.page === selectedPage;
            return (
              <div
                key={v.key}
                role="row"
                data-testid="key-row"
                data-row={item.row}
                data-key={entry?.key}
                className={`${styles.gridRow} ${styles.keysCols} ${rowSelected ? styles.rowSelected : ""}`}
                style={style}
              >
                <span className={styles.rowNumber}>{formatCount(item.row + 1)}</span>
                {entry === undefined ? (
                  <>
                    <span>
                      <span className={styles.placeholder} style={{ display: "block" }} />
                    </span>
                    <span />
                    <span />
                    <span />
                    <span />
                  </>
                ) : (
                  <>
                    <span className={styles.key} title={visibleKey(entry.key)}>
                      <KeyText value={entry.key} q={q} />
                    </span>
                    <span className={styles.num} title={`${formatCount(entry.size)} bytes`}>
                      {formatBytes(entry.size)}
                    </span>
                    <span title={utcTitle(entry.lastModified)}>{formatLocalTime(entry.lastModified)}</span>
                    <span className="muted">{entry.storageClass ?? "—"}</span>
                    <span className={styles.num}>
                      <button type="button" className={styles.pageLink} onClick={() => onSelectPage(entry.page)}>
                        {entry.page}
                      </button>
                    </span>
                  </>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
