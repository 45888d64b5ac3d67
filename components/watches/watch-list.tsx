import Link from "next/link";
import { useState } from "react";
import { formatBytes, formatCount, timeTitle, visibleKey } from "@/components/format";
import { Time, useTimeZone } from "@/components/format/time";
import { STATUS_BADGE } from "@/components/pass/pass-header";
import { passHref } from "@/components/pass/search-params";
import type { Watch } from "@/lib/wire";
import { historyHref } from "@/components/history/search-params";
import { ScrollX } from "@/components/scroll-x";
import { formatDue, formatEvery, formatRetention } from "./interval";
import styles from "./watches.module.css";

export interface WatchListProps {
  watches: readonly Watch[];
  /** The clock the countdowns read (ticks in the container). */
  now: number;
  /** Show connection, bucket and prefix (the list of every watch); a prefix's own list leaves them out. */
  showTarget: boolean;
  busyId: string | null;
  onPause: (id: string, paused: boolean) => void;
  onDelete: (id: string) => void;
}

function DeleteButton({ onConfirm, disabled }: { onConfirm: () => void; disabled: boolean }) {
  const [armed, setArmed] = useState(false);
  if (!armed) {
    return (
      <button type="button" className={styles.danger} disabled={disabled} onClick={() => setArmed(true)}>
        Delete
      </button>
    );
  }
  return (
    <>
      <button type="button" className={styles.danger} onClick={onConfirm} data-testid="confirm-delete-watch">
        Delete the watch
      </button>
      <button type="button" onClick={() => setArmed(false)}>
        Keep
      </button>
    </>
  );
}

export function WatchList({ watches, now, showTarget, busyId, onPause, onDelete }: WatchListProps) {
  const choice = useTimeZone();
  if (watches.length === 0) return <div className={styles.empty}>No watches yet. A watch lists the prefix again on a schedule, so its history fills in by itself.</div>;
  return (
    <ScrollX className={styles.tableWrap}>
      <table className={styles.table} data-testid="watch-list">
        <thead>
          <tr>
            <th>State</th>
            {showTarget ? <th>Connection · bucket / prefix</th> : null}
            <th>Schedule</th>
            <th>Next pass</th>
            <th>Last pass</th>
            <th className={styles.num}>Passes kept</th>
            <th>Retention</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {watches.map((w) => (
            <tr key={w.id} data-watch={w.id} data-state={w.state}>
              <td>
                <span className={w.state === "active" ? "badge ok" : "badge"}>{w.state}</span>{" "}
                {w.runningPassId !== null ? (
                  <Link href={passHref(w.runningPassId)} className={styles.running} prefetch={false}>
                    <span className={styles.dot} aria-hidden /> listing
                  </Link>
                ) : null}
              </td>
              {showTarget ? (
                <td className={styles.target}>
                  <span className="muted">{w.connection}</span> ·{" "}
                  <Link href={historyHref(w.connection, w.bucket, w.prefix)} prefetch={false}>
                    {w.bucket}/<span className={styles.mono}>{visibleKey(w.prefix)}</span>
                  </Link>
                </td>
              ) : null}
              <td>
                {formatEvery(w.everySeconds)}
                <div className="muted" style={{ fontSize: 12 }}>
                  pages of {formatCount(w.pageSize)}
                  {w.delimiter !== null ? `, by “${visibleKey(w.delimiter)}”` : ""}
                  {w.concurrency > 1 ? `, ${w.concurrency} cursors` : ""}
                </div>
              </td>
              <td title={timeTitle(w.nextRunAt, choice)}>
                {w.runningPassId !== null && w.state === "active" ? "after this one" : formatDue(w.nextRunAt, now)}
                {w.lastError !== null ? (
                  <div className={styles.error} data-testid="watch-last-error">
                    {w.lastError.code === "too_many_passes" ? w.lastError.message : `Could not start: ${w.lastError.message}`}
                  </div>
                ) : null}
              </td>
              <td>
                {w.lastPass !== null ? (
                  <>
                    <span className={STATUS_BADGE[w.lastPass.status]}>{w.lastPass.status}</span>{" "}
                    <Link href={passHref(w.lastPass.id)} className={styles.mono} prefetch={false}>
                      <Time iso={w.lastPass.createdAt} />
                    </Link>
                  </>
                ) : (
                  <span className="muted">none yet</span>
                )}
              </td>
              <td className={styles.num}>{formatCount(w.passCount)}</td>
              <td className="muted">
                {formatRetention(w.keepPasses, w.keepDays, w.keepMegabytes)} · {formatBytes(w.historyBytes)} now
              </td>
              <td>
                <div className={styles.actions}>
                  <button type="button" disabled={busyId === w.id} onClick={() => onPause(w.id, w.state === "active")} data-testid="toggle-watch">
                    {w.state === "active" ? "Pause" : "Resume"}
                  </button>
                  <DeleteButton disabled={busyId === w.id} onConfirm={() => onDelete(w.id)} />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollX>
  );
}
