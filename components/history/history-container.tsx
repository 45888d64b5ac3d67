"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import { browseHref } from "@/components/browser/search-params";
import { compareHref } from "@/components/diff/search-params";
import { formatBytes, formatCount, visibleKey } from "@/components/format";
import type { HistorySeriesKey } from "@/lib/wire";
import { KeyHistoryBlock } from "@/components/key-history/key-history-section";
import { WatchesSection } from "@/components/watches/watches-section";
import { watchesQuery } from "@/components/watches/queries";
import { comparePair, timelinePoints, toggleSelection } from "./chart-data";
import { HistoryCharts } from "./history-charts";
import { HistoryTable } from "./history-table";
import { HISTORY_BUSY_POLL_MS, HISTORY_WATCHED_POLL_MS, historyQuery, type HistoryTarget } from "./queries";
import { historyHref, sameSeries } from "./search-params";
import { describeSeries } from "./series";
import styles from "./history.module.css";

/** One series of a prefix's history (null until the prefix has a pass: then the series of its first). */
export function HistoryContainer({ target, series }: { target: HistoryTarget; series: HistorySeriesKey | null }) {
  const watched = useQuery(watchesQuery(target));
  const activeWatch = watched.data?.watches.some((w) => w.state === "active") ?? false;
  const history = useQuery({
    ...historyQuery(target, series),
    // New passes land while the page is open (a watch, another tab): read again while anything moves.
    refetchInterval: (q) => {
      const points = q.state.data?.points ?? [];
      if (points.some((p) => p.pass.status === "running" || p.changesState === "pending")) return HISTORY_BUSY_POLL_MS;
      return activeWatch ? HISTORY_WATCHED_POLL_MS : false;
    },
  });
  const allSeries = history.data?.series ?? [];
  const shown = series ?? allSeries[0] ?? null;
  const points = useMemo(
    () => timelinePoints((history.data?.points ?? []).filter((p) => shown === null || sameSeries(p.pass, shown))),
    [history.data, shown],
  );
  const [selected, setSelected] = useState<string[]>([]);
  const select = (id: string) => setSelected((s) => toggleSelection(s, id));
  const pair = comparePair(selected, points);
  const incompleteChosen = selected.some((id) => points.find((p) => p.id === id)?.status !== "complete");
  const label = `${target.bucket}/${target.prefix}`;
  useEffect(() => {
    document.title = `History of ${label} · bucketscope`;
  }, [label]);

  const last = points[points.length - 1];
  return (
    <div className={styles.page}>
      <div className={styles.crumbs}>
        <Link href="/">Connections</Link> / {target.connection} /{" "}
        <Link href={browseHref(target.connection, target.bucket, { prefix: target.prefix })}>{target.bucket}</Link> / history
      </div>
      <div className={styles.head}>
        <div className={styles.title}>
          <h1>
            History of <span className={styles.mono}>{visibleKey(label)}</span>
          </h1>
          <div className={styles.sub}>
            <span>
              <b>{formatCount(points.length)}</b> {points.length === 1 ? "pass" : "passes"}{history.data?.truncated === true ? " (the most recent)" : ""}
            </span>
            {last !== undefined ? (
              <span>
                latest: <b>{formatCount(last.keys)}</b> keys
              </span>
            ) : null}
            {history.data !== undefined ? (
              <span data-testid="history-disk">
                <b>{formatBytes(history.data.disk.bytes)}</b> on disk
              </span>
            ) : null}
            {activeWatch ? <span className="badge ok">watched</span> : null}
          </div>
        </div>
        <form className={styles.prefixForm} method="get">
          <label className="muted" htmlFor="history-prefix" style={{ fontSize: 12.5 }}>
            Prefix
          </label>
          <input id="history-prefix" name="prefix" defaultValue={target.prefix} placeholder="(whole bucket)" />
          <button type="submit">Show</button>
        </form>
      </div>

      {allSeries.length > 0 ? (
        <nav className={styles.series} aria-label="Series" data-testid="history-series">
          <span className={styles.seriesLabel} title="Passes are compared only with passes listed the same way: same kind, delimiter, page size and start-after">
            Series
          </span>
          {allSeries.map((s) => {
            const current = shown !== null && sameSeries(s, shown);
            const bytes = history.data?.disk.series.find((d) => sameSeries(d, s))?.bytes;
            return (
              <Link
                key={`${s.kind}/${s.pageSize}/${s.delimiter ?? ""}/${s.startAfter ?? ""}`}
                href={historyHref(target.connection, target.bucket, target.prefix, s)}
                className={current ? `${styles.seriesItem} ${styles.seriesCurrent}` : styles.seriesItem}
                aria-current={current ? "page" : undefined}
                data-page-size={s.pageSize}
                data-delimiter={s.delimiter ?? ""}
                prefetch={false}
              >
                {describeSeries(s)}{" "}
                <span className={styles.seriesCount} title={bytes !== undefined ? `${formatCount(s.passes)} passes, ${formatBytes(bytes)} on disk` : undefined}>
                  {formatCount(s.passes)}
                  {bytes !== undefined ? ` · ${formatBytes(bytes)}` : ""}
                </span>
              </Link>
            );
          })}
        </nav>
      ) : null}

      <KeyHistoryBlock target={target} passes={allSeries.map((s) => `${s.latestId}/${s.passes}/${s.complete}`).join(",")} />

      {history.error !== null ? (
        <div className="error-box" role="alert">
          {history.error.message}
        </div>
      ) : history.data === undefined ? (
        <div className={`panel ${styles.empty}`}>Loading the passes…</div>
      ) : (
        <>
          <HistoryCharts points={points} selected={selected} onSelect={select} />
          <div className={styles.selectBar} data-testid="history-selection">
            {selected.length === 0 ? (
              <span className="muted">Select two passes (in a chart or the table) to compare them side by side.</span>
            ) : (
              <>
                <span className={`${styles.side} ${styles.sideA}`}>A</span>
                <span className={styles.pick}>{pair?.a ?? selected[0]}</span>
                <span className="muted">→</span>
                <span className={`${styles.side} ${styles.sideB}`}>B</span>
                <span className={styles.pick}>{pair?.b ?? "select one more"}</span>
                {incompleteChosen ? <span className="badge warn">not complete: the comparison will be labelled incomplete</span> : null}
              </>
            )}
            <span className={styles.spacer} />
            {selected.length > 0 ? (
              <button type="button" onClick={() => setSelected([])}>
                Clear
              </button>
            ) : null}
            <Link
              className={styles.compareButton}
              href={pair !== null ? compareHref({ ...pair, allowIncomplete: incompleteChosen }) : "#"}
              aria-disabled={pair === null}
              data-testid="compare-selected"
            >
              Compare A → B
            </Link>
          </div>
          <HistoryTable points={points} selected={selected} onSelect={select} />
        </>
      )}
      <WatchesSection
        target={target}
        title="Watches of this prefix"
        defaults={shown !== null && shown.kind === "list" && shown.startAfter === null ? { pageSize: shown.pageSize, delimiter: shown.delimiter } : null}
      />
    </div>
  );
}
