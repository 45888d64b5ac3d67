import Link from "next/link";
import { formatBytes, formatCount, formatDuration } from "@/components/format";
import { Time, ZoneLabel } from "@/components/format/time";
import { compareHref } from "@/components/diff/search-params";
import { ScrollX } from "@/components/scroll-x";
import { STATUS_BADGE } from "@/components/pass/pass-header";
import { passHref } from "@/components/pass/search-params";
import type { TimelinePoint } from "./chart-data";
import styles from "./history.module.css";

export interface HistoryTableProps {
  /** Oldest first (as charted); the table shows newest first. */
  points: readonly TimelinePoint[];
  selected: readonly string[];
  onSelect: (id: string) => void;
}

function Changes({ p }: { p: TimelinePoint }) {
  if (p.changesState === "first") return <span className={styles.quiet}>first</span>;
  if (p.changesState === "incomplete") return <span className={styles.quiet}>not compared</span>;
  if (p.changesState === "pending") return <span className={styles.quiet}>computing…</span>;
  const none = p.added === 0 && p.removed === 0 && p.changed === 0;
  if (none) return <span className="muted">no change</span>;
  return (
    <>
      <span className={styles.plus}>+{formatCount(p.added ?? 0)}</span> <span className={styles.minus}>−{formatCount(p.removed ?? 0)}</span>{" "}
      <span className={styles.tilde}>~{formatCount(p.changed ?? 0)}</span>
    </>
  );
}

export function HistoryTable({ points, selected, onSelect }: HistoryTableProps) {
  if (points.length === 0) return <div className={`${styles.tableWrap} ${styles.empty}`}>No passes yet: record one from the bucket browser, or start a watch below.</div>;
  const newestFirst = [...points].reverse();
  return (
    <ScrollX className={styles.tableWrap}>
      <table className={styles.table} data-testid="history-table">
        <thead>
          <tr>
            <th aria-label="Select" />
            <th>#</th>
            <th>Status</th>
            <th>Pass</th>
            <th>
              Started <ZoneLabel />
            </th>
            <th className={styles.num}>Keys</th>
            <th className={styles.num}>Bytes</th>
            <th>Changes vs previous</th>
            <th className={styles.num}>Page shifts</th>
            <th className={styles.num}>Pages</th>
            <th className={styles.num}>Listing time</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {newestFirst.map((p) => {
            const chosen = selected.includes(p.id);
            return (
              <tr key={p.id} className={chosen ? styles.chosen : undefined} data-pass={p.id} data-status={p.status} data-changes={p.changesState}>
                <td>
                  <input type="checkbox" checked={chosen} onChange={() => onSelect(p.id)} aria-label={`Select pass ${p.id} for comparing`} />
                </td>
                <td className="muted">{p.n}</td>
                <td>
                  <span className={STATUS_BADGE[p.status]}>{p.status}</span>
                </td>
                <td>
                  <Link href={passHref(p.id)} className={styles.mono} prefetch={false}>
                    {p.id}
                  </Link>
                  {p.kind !== "list" ? (
                    <span className="badge" style={{ marginLeft: 6 }}>
                      {p.kind}
                    </span>
                  ) : null}
                </td>
                <td className={styles.started}>
                  <Time iso={p.createdAt} zone={false} />
                </td>
                <td className={styles.num}>{formatCount(p.keys)}</td>
                <td className={styles.num}>{formatBytes(p.bytes)}</td>
                <td data-testid="history-changes">
                  <Changes p={p} />
                </td>
                <td className={styles.num}>{p.pageShifts !== null ? formatCount(p.pageShifts) : ""}</td>
                <td className={styles.num}>
                  {formatCount(p.pages)} <span className="muted">× {formatCount(p.pageSize)}</span>
                </td>
                <td className={styles.num}>{formatDuration(p.durationMs)}</td>
                <td className={styles.compareCell}>
                  {p.previousId !== null && p.status === "complete" ? (
                    <Link href={compareHref({ a: p.previousId, b: p.id })} prefetch={false}>
                      compare with previous
                    </Link>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollX>
  );
}
