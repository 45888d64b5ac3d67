"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useRef } from "react";
import { formatBytes, formatCount, formatDuration, plural, shortToken, visibleKey } from "@/components/format";
import { Time } from "@/components/format/time";
import type { PageRecord, VersionsPage } from "@/lib/wire";
import { explainPass, PAGE_FLAG_LABEL, pageErrorLabel } from "./explain";
import { markerText, versionCountsText } from "./snapshot";
import { inventoryPageText } from "./inventory";
import styles from "./pass.module.css";

const ROW_HEIGHT = 30;
const VIEWPORT_HEIGHT = 480;

/**
 * First … last key of a page. Each end gets half the cell and is cut at its own start, so the ends
 * that tell two neighbouring keys apart (obj_0999 / obj_1000) stay in view however long the keys.
 */
function KeyRange({ page }: { page: PageRecord }) {
  if (page.firstKey === null) return <span className="muted">{page.commonPrefixCount > 0 ? "folders only" : "no keys"}</span>;
  const first = visibleKey(page.firstKey);
  const last = visibleKey(page.lastKey ?? "");
  return (
    <span className={styles.keyRange} title={`${first} … ${last}`} data-testid="page-key-range">
      <span className={styles.keyRangeEnd}>
        <bdi>{first}</bdi>
      </span>
      <span className="muted">…</span>
      <span className={styles.keyRangeEnd}>
        <bdi>{last}</bdi>
      </span>
    </span>
  );
}

function shortMarker(key: string | null, versionId: string | null): string {
  if (key === null) return "—";
  return versionId === null ? visibleKey(key) : `${visibleKey(key)} @ ${shortToken(versionId)}`;
}

function PageStatus({ page }: { page: PageRecord }) {
  if (page.error !== null) {
    return (
      <span className={styles.statusBad} title={page.error.message}>
        {pageErrorLabel(page.error)}
        {page.requestId ? <span className={styles.mono}> {page.requestId}</span> : null}
      </span>
    );
  }
  return (
    <span title={page.requestId ?? undefined}>
      <span className={styles.statusOk}>{page.httpStatus ?? 200}</span>
      {(page.flags ?? []).map((f) => (
        <span key={f.kind} className={f.kind === "marker_repaired" ? "badge warn" : "badge"} style={{ marginLeft: 4 }} title={f.message} data-testid="page-flag">
          {PAGE_FLAG_LABEL[f.kind]}
        </span>
      ))}
      {page.requestId ? <span className={styles.mono}> {shortToken(page.requestId)}</span> : null}
      {page.anomalyCount > 0 ? <span className="badge bad"> {plural(page.anomalyCount, "anomaly", "anomalies")}</span> : null}
      {page.resumedBy !== null ? <span className="badge warn"> resumed by {page.resumedBy}</span> : null}
    </span>
  );
}

const PageRow = memo(function PageRow({
  page,
  start,
  selected,
  folders,
  onSelect,
}: {
  page: PageRecord;
  start: number;
  selected: boolean;
  /** The Folders (or versions) column is shown. */
  folders: boolean;
  onSelect: (page: number) => void;
}) {
  return (
    <div
      role="row"
      data-page-number={page.index + 1}
      data-first-key={page.firstKey ?? ""}
      className={`${styles.gridRow} ${folders ? styles.pagesCols : styles.pagesColsNoFolders} ${styles.clickable} ${selected ? styles.rowSelected : ""}`}
      style={{ height: ROW_HEIGHT, transform: `translateY(${start}px)` }}
      onClick={() => onSelect(page.index)}
    >
      <span className={styles.num}>{formatCount(page.index + 1)}</span>
      <KeyRange page={page} />
      <span className={styles.num}>{formatCount(page.entryCount)}</span>
      {page.versions !== undefined ? (
        <span className={styles.num} title={versionCountsText(page.versions.versions, page.versions.deleteMarkers)}>
          {formatCount(page.versions.versions)} · {formatCount(page.versions.deleteMarkers)}
        </span>
      ) : folders ? (
        <span className={styles.num}>{formatCount(page.commonPrefixCount)}</span>
      ) : null}
      <span className={styles.num}>{formatDuration(page.durationMs)}</span>
      <span className={styles.num} style={page.attempts > 1 ? { color: "var(--warn)", fontWeight: 600 } : undefined}>
        {page.attempts}
      </span>
      <PageStatus page={page} />
      {page.inventory !== undefined ? (
        <span className={styles.tokens} data-testid="page-file" title={page.inventory.file}>
          {inventoryPageText(page.inventory)}
        </span>
      ) : page.versions !== undefined ? (
        <span
          className={styles.tokens}
          data-testid="page-markers"
          title={`from: ${markerText(page.versions.keyMarker, page.versions.versionIdMarker)}\nnext: ${markerText(page.versions.nextKeyMarker, page.versions.nextVersionIdMarker)}`}
        >
          {shortMarker(page.versions.keyMarker, page.versions.versionIdMarker)} → {shortMarker(page.versions.nextKeyMarker, page.versions.nextVersionIdMarker)}
        </span>
      ) : (
        <span className={styles.tokens} title={`in: ${page.request.continuationToken ?? "—"}\nout: ${page.nextContinuationToken ?? "—"}`}>
          {shortToken(page.request.continuationToken)} → {shortToken(page.nextContinuationToken)}
        </span>
      )}
    </div>
  );
});

export interface PagesTableProps {
  pages: readonly PageRecord[];
  /** ListObjectVersions pages: versions and delete markers instead of prefixes, markers instead of tokens. */
  versions?: boolean;
  selectedPage: number | null;
  onSelectPage: (page: number) => void;
}

/** Every page of the pass, one row each, virtualized (a pass can have thousands of pages). */
export function PagesTable({ pages, versions = false, selectedPage, onSelectPage }: PagesTableProps) {
  const viewport = useRef<HTMLDivElement>(null);
  const folders = versions || pages.some((p) => p.commonPrefixCount > 0);
  // The virtualizer is read fresh on every render (no React Compiler memoization here).
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: pages.length,
    getScrollElement: () => viewport.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  useEffect(() => {
    if (selectedPage !== null && selectedPage < pages.length) virtualizer.scrollToIndex(selectedPage, { align: "auto" });
    // Only a new selection scrolls; pages arriving must not pull the view back.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectedPage]);

  return (
    <div className={styles.grid} data-testid="pages-table">
      <div className={`${styles.gridHead} ${folders ? styles.pagesCols : styles.pagesColsNoFolders}`} role="row">
        <span className={styles.num}>Page</span>
        <span>Key range (first … last)</span>
        <span className={styles.num}>{versions ? "Keys at T" : "Keys"}</span>
        {folders ? (
          <span className={styles.num} title={versions ? "versions · delete markers read on the page" : "common prefixes (folders) on the page"}>
            {versions ? "Vers. · DMs" : "Folders"}
          </span>
        ) : null}
        <span className={styles.num}>Latency</span>
        <span className={styles.num}>Attempts</span>
        <span>Status / request id</span>
        <span>{versions ? "Key marker → next" : "Token in → out"}</span>
      </div>
      <div ref={viewport} className={styles.viewport} style={{ height: Math.min(VIEWPORT_HEIGHT, Math.max(1, pages.length) * ROW_HEIGHT + 2) }}>
        {pages.length === 0 ? <div className={styles.empty}>No pages recorded yet.</div> : null}
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const page = pages[item.index] as PageRecord;
            return <PageRow key={item.key} page={page} start={item.start} selected={page.index === selectedPage} folders={folders} onSelect={onSelectPage} />;
          })}
        </div>
      </div>
    </div>
  );
}

function VersionsFacts({ page, versions }: { page: PageRecord; versions: VersionsPage }) {
  return (
    <>
      <dt>Key marker in</dt>
      <dd className={styles.mono} data-testid="detail-key-marker">
        {markerText(versions.keyMarker, versions.versionIdMarker)}
      </dd>
      <dt>Next marker</dt>
      <dd className={styles.mono}>
        {versions.nextKeyMarker === null ? (page.isTruncated ? "—" : "— (last page)") : markerText(versions.nextKeyMarker, versions.nextVersionIdMarker)}
      </dd>
      <dt>Read</dt>
      <dd>
        {versionCountsText(versions.versions, versions.deleteMarkers)} ({formatCount(versions.nullVersions)} null)
      </dd>
      <dt>At T</dt>
      <dd>
        {plural(page.entryCount, "key")} present, {formatCount(versions.absentKeys)} absent, {plural(versions.tieCount, "tie")}
      </dd>
      <dt>Server Date</dt>
      <dd>
        <Time iso={versions.serverDate} />
      </dd>
    </>
  );
}

/** Everything recorded about one page: the request as sent, the response, timing, anomalies. */
export function PageDetail({ page }: { page: PageRecord | undefined }) {
  if (page === undefined) {
    return (
      <aside className={styles.detail}>
        <h3>Page details</h3>
        <p className="muted" style={{ margin: 0 }}>
          Select a page in the table or the chart to see its request, response and timing.
        </p>
      </aside>
    );
  }
  const failure = page.error !== null ? explainPass("failed", page.error, 0) : null;
  return (
    <aside className={styles.detail} data-testid="page-detail">
      <h3>Page {formatCount(page.index + 1)}</h3>
      <dl>
        <dt>Requested</dt>
        <dd>
          <Time iso={page.requestedAt} ms="always" />
        </dd>
        <dt>Latency</dt>
        <dd>
          {formatDuration(page.durationMs)} · {plural(page.attempts, "request")}
        </dd>
        <dt>Prefix</dt>
        <dd className={styles.mono}>{page.request.prefix === "" ? "—" : visibleKey(page.request.prefix)}</dd>
        <dt>Delimiter</dt>
        <dd className={styles.mono}>{page.request.delimiter === null ? "—" : visibleKey(page.request.delimiter)}</dd>
        <dt>MaxKeys</dt>
        <dd>{page.request.maxKeys}</dd>
        {page.request.startAfter !== null ? (
          <>
            <dt>StartAfter</dt>
            <dd className={styles.mono}>{visibleKey(page.request.startAfter)}</dd>
          </>
        ) : null}
        {page.inventory !== undefined ? (
          <>
            <dt>Data file</dt>
            <dd className={styles.mono}>{page.inventory.file}</dd>
            <dt>Part</dt>
            <dd>
              {inventoryPageText(page.inventory)} · {formatCount(page.inventory.rows)} rows read, {formatCount(page.entryCount)} keys kept
            </dd>
          </>
        ) : page.versions !== undefined ? (
          <VersionsFacts page={page} versions={page.versions} />
        ) : (
          <>
            <dt>Token in</dt>
            <dd className={styles.mono}>{page.request.continuationToken ?? "— (first page)"}</dd>
            <dt>Token out</dt>
            <dd className={styles.mono}>{page.nextContinuationToken ?? (page.isTruncated ? "—" : "— (last page)")}</dd>
            <dt>KeyCount</dt>
            <dd>
              {page.keyCount ?? "—"} ({plural(page.entryCount, "key")}, {plural(page.commonPrefixCount, "folder")})
            </dd>
          </>
        )}
        <dt>Bytes</dt>
        <dd>{formatBytes(page.bytes)}</dd>
        <dt>IsTruncated</dt>
        <dd>{page.isTruncated ? "true" : "false"}</dd>
        <dt>HTTP / request id</dt>
        <dd className={styles.mono}>
          {page.httpStatus ?? "—"} · {page.requestId ?? "—"}
        </dd>
        {page.resumedBy !== null ? (
          <>
            <dt>Resumed by</dt>
            <dd>{page.resumedBy}</dd>
          </>
        ) : null}
      </dl>
      {failure !== null ? (
        <div className={`${styles.explain} ${styles.bad}`}>
          <div className={styles.explainTitle}>{failure.title}</div>
          <div>{failure.detail}</div>
          <div className={styles.facts}>{failure.facts.join(" · ")}</div>
        </div>
      ) : null}
      {(page.flags ?? []).map((f) => (
        <div key={f.kind} className={`${styles.explain} ${f.kind === "marker_repaired" ? styles.warn : ""}`} data-testid="page-detail-flag">
          <div className={styles.explainTitle}>{f.kind === "marker_repaired" ? "Next marker repaired" : "End of the listing verified"}</div>
          <div>{f.message}</div>
        </div>
      ))}
      {page.anomalyCount > 0 ? (
        <>
          <h3 style={{ marginTop: 12 }}>
            {plural(page.anomalyCount, "anomaly", "anomalies")}
          </h3>
          <ul className={styles.anomalies}>
            {page.anomalies.map((a, i) => (
              <li key={i} className={styles.mono}>
                {a.kind.replaceAll("_", " ")}: {visibleKey(a.key)} after {visibleKey(a.previousKey)} (page {formatCount(a.previousPage + 1)})
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </aside>
  );
}
