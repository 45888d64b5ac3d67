"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useImperativeHandle, useRef, type ReactNode, type Ref } from "react";
import { formatBytes, formatCount, formatDuration, plural, shortToken, type TimeZoneChoice } from "@/components/format";
import { Time, useTimeZone, ZoneLabel } from "@/components/format/time";
import { instantText, versionStateText } from "@/components/pass/snapshot";
import type { Tie } from "@/lib/wire";
import { KeyText, plainKey } from "./key-text";
import type { ListingRow, PageBand } from "./listing";
import { NavLink, type Navigate } from "./nav-link";
import { nameInFolder } from "./search-params";
import styles from "./browser.module.css";

const ROW_HEIGHT = 26;
const BAND_HEIGHT = 28;

export interface ListingTableHandle {
  scrollToRow(index: number): void;
}

export interface ListingTableProps {
  rows: readonly ListingRow[];
  rowCount: number;
  /** Row index of each page's band. */
  bandRows: readonly number[];
  /** Names are shown relative to this folder. */
  folder: string;
  selectedKey: string | null;
  /** 1-based number of the page being waited for, or null when nothing is loading. */
  loadingPage: number | null;
  /** Shown after the bands when the listing finished with nothing in it. */
  emptyMessage: string | null;
  folderHref: (prefix: string) => string;
  objectHref: (key: string, versionId: string | null) => string;
  onNavigate: Navigate;
  /** As-of mode: T, for the Version column, the tie marks and the folders-with-history label. */
  asOf?: string | null;
  ref?: Ref<ListingTableHandle>;
}

function tieTitle(tie: Tie, choice: TimeZoneChoice): string {
  return `Tie: this key changed in T's own second, and LastModified has whole-second resolution.\nAt T (shown): ${versionStateText(tie.atT, choice)}\nIf the change came just after T: ${versionStateText(tie.beforeT, choice)}`;
}

/** The page a row belongs to: the last band at or above it. */
function pageAt(bandRows: readonly number[], row: number): number | null {
  let lo = 0;
  let hi = bandRows.length - 1;
  let found: number | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((bandRows[mid] ?? Infinity) <= row) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** A page's band; its first and last names are shown inside the folder, like the rows below it. */
function BandRow({ band, folder }: { band: PageBand; folder: string }) {
  const name = (key: string) => (key === folder ? key : nameInFolder(key, folder));
  return (
    <>
      <span className={styles.bandPage}>Page {formatCount(band.index + 1)}</span>
      <span className={styles.bandRange} title={band.firstKey !== null ? `${plainKey(band.firstKey)} … ${plainKey(band.lastKey ?? "")}` : undefined}>
        {band.firstKey !== null ? (
          band.lastKey === null || band.lastKey === band.firstKey ? (
            <KeyText value={name(band.firstKey)} />
          ) : (
            <>
              <KeyText value={name(band.firstKey)} /> … <KeyText value={name(band.lastKey)} />
            </>
          )
        ) : (
          "empty page"
        )}
      </span>
      <span className={styles.bandFig}>
        {plural(band.objectCount, "key")}
        {band.folderCount > 0 ? ` · ${plural(band.folderCount, "folder")}` : ""}
      </span>
      <span className={styles.bandFig} title="request latency">
        {formatDuration(band.durationMs)}
      </span>
      {band.versions !== null ? (
        <span className={styles.bandToken} title={`key marker in: ${band.tokenIn ?? "none (first page)"}\nnext key marker out: ${band.tokenOut ?? "none (last page)"}`}>
          marker {shortToken(band.tokenIn === null ? null : plainKey(band.tokenIn))} → {band.tokenOut !== null ? shortToken(plainKey(band.tokenOut)) : "end"}
        </span>
      ) : (
        <span className={styles.bandToken} title={`continuation token in: ${band.tokenIn ?? "none (first page)"}\nnext token out: ${band.tokenOut ?? "none (last page)"}`}>
          token {shortToken(band.tokenIn)} → {band.tokenOut !== null ? shortToken(band.tokenOut) : "end"}
        </span>
      )}
      {band.versions !== null ? (
        <span className={styles.bandFig} title="ListObjectVersions rows on this page, and the keys settled on it that had history but did not exist at T">
          {plural(band.versions.versions, "version")} · {plural(band.versions.deleteMarkers, "marker")}
          {band.versions.absentKeys > 0 ? ` · ${formatCount(band.versions.absentKeys)} absent at T` : ""}
        </span>
      ) : null}
      {band.versions !== null && band.versions.ties > 0 ? <span className={styles.bandWarn}>
          {plural(band.versions.ties, "tie")}
        </span> : null}
      {band.attempts > 1 ? <span className={styles.bandWarn}>{plural(band.attempts, "attempt")}</span> : null}
      {band.anomalyCount > 0 ? <span className={styles.bandWarn}>{formatCount(band.anomalyCount)} out of order</span> : null}
      {band.flags.map((f) => (
        <span key={f.kind} className={f.kind === "marker_repaired" ? styles.bandWarn : undefined} title={f.message} data-testid="band-flag">
          {f.kind === "marker_repaired" ? "next marker repaired" : "end verified"}
        </span>
      ))}
      {band.error !== null ? <span>{band.error.code === "short_listing" ? "ended early" : "failed"}: {band.error.message}</span> : null}
    </>
  );
}

/** Rows per virtual item: the virtualizer measures chunks, and a chunk's rows render once while it stays in view. */
const CHUNK_ROWS = 16;

interface ChunkProps {
  from: number;
  to: number;
  rows: readonly ListingRow[];
  rowCount: number;
  folder: string;
  selectedKey: string | null;
  loadingPage: number | null;
  emptyMessage: string | null;
  cols: string | undefined;
  asOf: string | null;
  choice: TimeZoneChoice;
  folderHref: (prefix: string) => string;
  objectHref: (key: string, versionId: string | null) => string;
  onNavigate: Navigate;
}

// Rows of a listing never change once written (the array is append-only), so a chunk re-renders only
// when its range, the selection or the folder does, not on every scroll step.
const Chunk = memo(function Chunk(props: ChunkProps) {
  const out: ReactNode[] = [];
  for (let index = props.from; index < props.to; index++) out.push(<ListingRowView key={index} index={index} {...props} />);
  return out;
});

function ListingRowView({ index, rows, rowCount, folder, selectedKey, loadingPage, emptyMessage, cols, asOf, choice, folderHref, objectHref, onNavigate }: ChunkProps & { index: number }) {
  const row = index < rowCount ? rows[index] : undefined;
  if (row === undefined) {
    return (
      <div className={styles.notice} role="row" data-testid="listing-notice">
        {loadingPage !== null ? (
          <>
            <span className={styles.spinner} aria-hidden /> loading page {formatCount(loadingPage)}…
          </>
        ) : (
          emptyMessage
        )}
      </div>
    );
  }
  if (row.kind === "band") {
    return (
      <div
        className={`${styles.band} ${row.band.error !== null ? styles.bandError : ""}`}
        role="row"
        data-testid="page-band"
        data-page-number={row.band.index + 1}
        data-first-key={row.band.firstKey ?? ""}
        data-last-key={row.band.lastKey ?? ""}
      >
        <BandRow band={row.band} folder={folder} />
      </div>
    );
  }
  if (row.kind === "folder") {
    return (
      <div className={`${styles.row} ${cols} ${styles.folderRow}`} role="row" data-testid="folder-row" data-key={row.prefix}>
        <span className={styles.name} role="cell">
          <span className={styles.icon} aria-hidden>
            ▸
          </span>
          <NavLink href={folderHref(row.prefix)} onNavigate={onNavigate} title={plainKey(row.prefix)}>
            <KeyText value={nameInFolder(row.prefix, folder)} />
          </NavLink>
        </span>
        <span className={styles.num} role="cell">
          —
        </span>
        <span role="cell" data-col="modified" />
        {asOf !== null ? (
          <span role="cell" data-col="class" className={styles.cls} title="S3 lists a folder when anything under it has history: it may have been empty at T">
            folder · history
          </span>
        ) : (
          <span role="cell" data-col="class" className={styles.cls}>
            folder
          </span>
        )}
        <span role="cell" data-col="etag" />
        {asOf !== null ? <span role="cell" data-col="version" /> : null}
      </div>
    );
  }
  const { entry } = row;
  const selected = entry.key === selectedKey;
  return (
    <div
      className={`${styles.row} ${cols} ${styles.objectRow} ${selected ? styles.selected : ""} ${row.tie !== undefined ? styles.tieRow : ""}`}
      role="row"
      aria-selected={selected}
      data-testid="object-row"
      data-key={entry.key}
      data-version={entry.versionId ?? undefined}
      data-tie={row.tie !== undefined ? "1" : undefined}
    >
      <span className={styles.name} role="cell">
        <span className={styles.icon} aria-hidden>
          ·
        </span>
        <NavLink href={objectHref(entry.key, entry.versionId ?? null)} onNavigate={onNavigate} title={plainKey(entry.key)}>
          {entry.key === folder ? <span className={styles.marker}>(the folder&rsquo;s own key)</span> : <KeyText value={nameInFolder(entry.key, folder)} />}
        </NavLink>
        {row.tie !== undefined ? (
          <span className={styles.tieMark} title={tieTitle(row.tie, choice)} data-testid="tie-mark">
            tie
          </span>
        ) : null}
      </span>
      <span className={styles.num} role="cell" title={`${formatCount(entry.size)} bytes`}>
        {formatBytes(entry.size)}
      </span>
      <span className={styles.time} role="cell" data-col="modified">
        <Time iso={entry.lastModified} zone={false} />
      </span>
      <span className={styles.cls} role="cell" data-col="class">
        {entry.storageClass ?? "—"}
      </span>
      <span className={styles.etag} role="cell" data-col="etag" title={entry.etag ?? undefined}>
        {entry.etag ?? "—"}
      </span>
      {asOf !== null ? (
        <span className={styles.etag} role="cell" data-col="version" title={entry.versionId ?? undefined} data-testid="version-cell">
          {entry.versionId ?? "—"}
        </span>
      ) : null}
    </div>
  );
}

export function ListingTable(props: ListingTableProps) {
  const { rows, rowCount, bandRows, folder, selectedKey, loadingPage, emptyMessage, ref } = props;
  const asOf = props.asOf ?? null;
  const choice = useTimeZone();
  const cols = asOf !== null ? `${styles.cols} ${styles.colsAsOf}` : styles.cols;
  const scrollRef = useRef<HTMLDivElement>(null);
  // The empty message follows the (empty) page's band: the band alone would look like a page still to come.
  const trailing = loadingPage !== null || emptyMessage !== null ? 1 : 0;
  const count = rowCount + trailing;
  const chunks = Math.ceil(count / CHUNK_ROWS);
  /** Where row `index` begins: rows are ROW_HEIGHT, bands BAND_HEIGHT. */
  const offsetOf = (index: number) => index * ROW_HEIGHT + ((pageAt(bandRows, index - 1) ?? -1) + 1) * (BAND_HEIGHT - ROW_HEIGHT);

  // TanStack Virtual keeps its own mutable state; its result is read fresh on every render. A scroll
  // renders in its own task (no flushSync inside the scroll event).
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: chunks,
    getScrollElement: () => scrollRef.current,
    estimateSize: (chunk) => offsetOf(Math.min(count, (chunk + 1) * CHUNK_ROWS)) - offsetOf(chunk * CHUNK_ROWS),
    overscan: 1,
    useFlushSync: false,
  });
  useEffect(() => {
    // The last chunk grows while pages arrive.
    virtualizer.measure();
  }, [count, virtualizer]);

  const scrollToRow = (index: number, align: "start" | "center") => {
    const viewport = scrollRef.current?.clientHeight ?? 0;
    const top = offsetOf(index);
    virtualizer.scrollToOffset(Math.max(0, align === "start" ? top : top - (viewport - ROW_HEIGHT) / 2));
  };
  // A couple of rows of the page before stay in view, so a jump lands on the boundary itself.
  useImperativeHandle(ref, () => ({ scrollToRow: (index: number) => scrollToRow(Math.max(0, index - 2), "start") }));

  // A deep link to an object scrolls to its row once, when the row has arrived.
  const scrolledTo = useRef<string | null>(null);
  useEffect(() => {
    if (selectedKey === null || scrolledTo.current === selectedKey) return;
    for (let i = 0; i < rowCount; i++) {
      const row = rows[i];
      if (row?.kind === "object" && row.entry.key === selectedKey) {
        scrolledTo.current = selectedKey;
        scrollToRow(i, "center");
        return;
      }
    }
    // scrollToRow reads the latest rows through offsetOf; the rows and the selection are what ask.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rows, rowCount, selectedKey]);

  const visible = virtualizer.getVirtualItems();
  const firstVisible = visible[0]?.index ?? 0;
  const lastVisible = visible[visible.length - 1]?.index ?? 0;
  const topPage = pageAt(bandRows, Math.floor(((firstVisible + lastVisible + 1) * CHUNK_ROWS) / 2));
  return (
    <div className={styles.table} role="table" aria-label="Objects" aria-rowcount={rowCount}>
      <div className={`${cols} ${styles.headerRow}`} role="row">
        <span role="columnheader" className={styles.nameHeader}>
          Name
          {topPage !== null && bandRows.length > 1 ? (
            <span className={styles.pageHere} data-testid="page-in-view">
              page {formatCount(topPage + 1)} of {formatCount(bandRows.length)}
            </span>
          ) : null}
        </span>
        <span role="columnheader" className={styles.right}>
          Size
        </span>
        <span role="columnheader" data-col="modified">
          Last modified <ZoneLabel />
        </span>
        <span role="columnheader" data-col="class">
          Class
        </span>
        <span role="columnheader" data-col="etag">
          ETag
        </span>
        {asOf !== null ? (
          <span role="columnheader" data-col="version" title={`The version that was current at ${instantText(asOf, choice)}`}>
            Version at T
          </span>
        ) : null}
      </div>
      <div className={styles.scroller} ref={scrollRef} data-testid="listing-scroller">
        <div className={styles.rows} style={{ height: virtualizer.getTotalSize() }} role="rowgroup">
          {visible.map((chunk) => (
            <div key={chunk.index} className={styles.chunk} style={{ transform: `translateY(${chunk.start}px)` }}>
              <Chunk
                from={chunk.index * CHUNK_ROWS}
                to={Math.min(count, (chunk.index + 1) * CHUNK_ROWS)}
                rows={rows}
                rowCount={rowCount}
                folder={folder}
                selectedKey={selectedKey}
                loadingPage={loadingPage}
                emptyMessage={emptyMessage}
                cols={cols}
                asOf={asOf}
                choice={choice}
                folderHref={props.folderHref}
                objectHref={props.objectHref}
                onNavigate={props.onNavigate}
              />
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
