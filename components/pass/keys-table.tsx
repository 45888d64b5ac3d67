"use client";

import { memo, useEffect } from "react";
import { formatBytes, formatCount, formatDuration, plural, shortToken, visibleKey } from "@/components/format";
import { Time, ZoneLabel } from "@/components/format/time";
import { nfcMarkProps } from "@/components/browser/key-text";
import { useTallList } from "@/components/virtual/use-tall-list";
import type { PageRecord, PagedEntry } from "@/lib/wire";
import type { TableItem } from "./bands";
import { pageErrorLabel } from "./explain";
import { versionCountsText } from "./snapshot";
import styles from "./pass.module.css";

export const KEY_ROW_HEIGHT = 28;
const CHUNK_ITEMS = 16;

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
      <b>Page {formatCount(page.index + 1)}</b>
      {error !== null ? (
        <span>
          failed: {pageErrorLabel(error)} · {error.message}
        </span>
      ) : (
        <>
          <span className={styles.bandKeys}>
            {page.firstKey !== null ? `${visibleKey(page.firstKey)} … ${visibleKey(page.lastKey ?? "")}` : "no keys"}
          </span>
          <span>{plural(page.entryCount, "key")}</span>
          {page.commonPrefixCount > 0 ? <span>{plural(page.commonPrefixCount, "folder")}</span> : null}
          <span>{formatDuration(page.durationMs)}</span>
          {page.attempts > 1 ? <span className="badge warn">{plural(page.attempts, "attempt")}</span> : null}
          {page.anomalyCount > 0 ? <span className="badge bad">{plural(page.anomalyCount, "anomaly", "anomalies")}</span> : null}
          {page.versions !== undefined ? (
            <>
              <span>{versionCountsText(page.versions.versions, page.versions.deleteMarkers)}</span>
              <span className={styles.tokens}>key marker {page.versions.keyMarker === null ? "—" : visibleKey(page.versions.keyMarker)}</span>
            </>
          ) : (
            <span className={styles.tokens}>token {shortToken(page.request.continuationToken)}</span>
          )}
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

const KeyRow = memo(function KeyRow({
  row,
  entry,
  q,
  selected,
  versions,
  onSelectPage,
  onSelectKey,
}: {
  row: number;
  entry: PagedEntry | undefined;
  q: string;
  selected: boolean;
  versions: boolean;
  onSelectPage: (page: number) => void;
  /** Opens the key's panel (details and history). */
  onSelectKey?: (key: string) => void;
}) {
  return (
    <div
      role="row"
      data-testid="key-row"
      data-row={row}
      data-key={entry?.key}
      data-version={versions ? (entry?.versionId ?? undefined) : undefined}
      className={`${styles.keyRow} ${versions ? styles.keysColsVersion : styles.keysCols} ${selected ? styles.rowSelected : ""}`}
    >
      <span className={styles.rowNumber}>{formatCount(row + 1)}</span>
      {entry === undefined ? (
        <>
          <span>
            <span className={styles.placeholder} style={{ display: "block" }} />
          </span>
          {versions ? <span data-col="version" /> : null}
          <span />
          <span data-col="modified" />
          <span data-col="class" />
          <span />
        </>
      ) : (
        <>
          <span className={styles.key} title={visibleKey(entry.key)}>
            {onSelectKey !== undefined ? (
              <button type="button" className={styles.keyButton} onClick={() => onSelectKey(entry.key)} {...nfcMarkProps(entry.key)} data-testid="key-open">
                <KeyText value={entry.key} q={q} />
              </button>
            ) : (
              <span {...nfcMarkProps(entry.key)}>
                <KeyText value={entry.key} q={q} />
              </span>
            )}
          </span>
          {versions ? (
            <span className={styles.mono} data-col="version" title={entry.versionId ?? undefined}>
              {entry.versionId ?? "—"}
            </span>
          ) : null}
          <span className={styles.num} title={`${formatCount(entry.size)} bytes`}>
            {formatBytes(entry.size)}
          </span>
          <span data-col="modified">
            <Time iso={entry.lastModified} zone={false} />
          </span>
          <span data-col="class" className="muted">
            {entry.storageClass ?? "—"}
          </span>
          <span className={styles.num}>
            <button type="button" className={styles.pageLink} data-testid="key-page" onClick={() => onSelectPage(entry.page)} title={`page ${entry.page + 1} delivered this key`}>
              {formatCount(entry.page + 1)}
            </button>
          </span>
        </>
      )}
    </div>
  );
});

export interface KeysTableProps {
  itemCount: number;
  itemAt: (index: number) => TableItem;
  entryAt: (row: number) => PagedEntry | undefined;
  q: string;
  /** A prefix filter is applied (for the empty message). */
  filtered?: boolean;
  selectedPage: number | null;
  onSelectPage: (page: number) => void;
  /** Called with the first and last item index rendered (overscan included). */
  onItemsShown: (first: number, last: number) => void;
  /** A request to scroll an item to the top; a new `seq` asks again for the same index. */
  scrollTo: { index: number; seq: number } | null;
  height: number;
  /** Names the ordering shown (sort, order, search), for tests and the benchmark. */
  viewName: string;
  /** A snapshot pass: each key's version id at T gets a column. */
  versions?: boolean;
  /** The key whose panel is open: its row is marked. */
  selectedKey?: string | null;
  onSelectKey?: (key: string) => void;
}

/**
 * The whole pass in one virtualized table, rows fetched by the caller. A 10M-key pass is taller
 * than a browser lets an element be, so the rows sit in useTallList's capped box (see
 * components/virtual/scroll-map). They are drawn in chunks of CHUNK_ITEMS fixed-height items, each
 * one positioned element, so a scroll step moves a few boxes rather than every row.
 */
export function KeysTable({ itemCount, itemAt, entryAt, q, filtered = false, selectedPage, onSelectPage, onItemsShown, scrollTo, height, viewName, versions = false, selectedKey = null, onSelectKey }: KeysTableProps) {
  const { scrollRef, boxHeight, items, drawn, scrollToIndex } = useTallList({ count: itemCount, itemHeight: KEY_ROW_HEIGHT, overscan: CHUNK_ITEMS, initialIndex: 0 });
  const offset = items[0] !== undefined ? items[0].index * KEY_ROW_HEIGHT - items[0].top : 0;
  const firstChunk = Math.floor(drawn.first / CHUNK_ITEMS);
  const lastChunk = itemCount === 0 ? firstChunk - 1 : Math.floor(drawn.last / CHUNK_ITEMS);
  const first = firstChunk * CHUNK_ITEMS;
  const last = Math.min(itemCount, (lastChunk + 1) * CHUNK_ITEMS) - 1;
  useEffect(() => {
    onItemsShown(first, last);
  }, [first, last, onItemsShown]);
  useEffect(() => {
    if (scrollTo !== null) scrollToIndex(scrollTo.index, "start");
    // The request's seq is what asks for a scroll.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [scrollTo?.seq]);
  const visible: { index: number; start: number }[] = [];
  for (let c = firstChunk; c <= lastChunk; c++) visible.push({ index: c, start: c * CHUNK_ITEMS * KEY_ROW_HEIGHT - offset });

  return (
    <div className={styles.grid} data-testid="keys-table" data-view={viewName}>
      <div className={`${styles.gridHead} ${versions ? styles.keysColsVersion : styles.keysCols}`} role="row">
        <span className={styles.num}>#</span>
        <span>Key</span>
        {versions ? <span data-col="version">Version at T</span> : null}
        <span className={styles.num}>Size</span>
        <span data-col="modified">
          Last modified <ZoneLabel />
        </span>
        <span data-col="class">Storage class</span>
        <span className={styles.num}>Page</span>
      </div>
      <div ref={scrollRef} className={styles.viewport} style={{ height }} data-testid="keys-viewport">
        {itemCount === 0 ? <div className={styles.empty}>{q !== "" ? "No key contains this text." : filtered ? "No key begins with this prefix." : "No keys recorded yet."}</div> : null}
        <div style={{ height: boxHeight, position: "relative" }}>
          {visible.map((chunk) => {
            const from = chunk.index * CHUNK_ITEMS;
            const to = Math.min(itemCount, from + CHUNK_ITEMS);
            const rows = [];
            for (let index = from; index < to; index++) {
              const item = itemAt(index);
              if (item.kind === "band") {
                const selected = item.page.index === selectedPage;
                rows.push(
                  <div
                    key={index}
                    role="row"
                    data-testid="page-band"
                    data-page-number={item.page.index + 1}
                    data-first-key={item.page.firstKey ?? ""}
                    className={`${styles.band} ${selected ? styles.bandSelected : ""} ${item.page.error !== null ? styles.bandFailed : ""}`}
                  >
                    <PageBand page={item.page} selected={selected} onSelect={onSelectPage} />
                  </div>,
                );
              } else {
                const entry = entryAt(item.row);
                rows.push(
                  <KeyRow
                    key={index}
                    row={item.row}
                    entry={entry}
                    q={q}
                    selected={entry !== undefined && (entry.page === selectedPage || entry.key === selectedKey)}
                    versions={versions}
                    onSelectPage={onSelectPage}
                    onSelectKey={onSelectKey}
                  />,
                );
              }
            }
            return (
              <div key={chunk.index} className={styles.chunk} style={{ transform: `translateY(${chunk.start}px)` }}>
                {rows}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
