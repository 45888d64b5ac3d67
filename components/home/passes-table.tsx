"use client";

import Link from "next/link";
import { formatBytes, formatCount, formatDuration, visibleKey } from "@/components/format";
import { Time, ZoneLabel } from "@/components/format/time";
import { ScrollX } from "@/components/scroll-x";
import { PassKindBadge } from "@/components/pass/pass-header";
import type { PassStatus, PassSummary } from "@/lib/wire";
import styles from "./home.module.css";

const STATUS_BADGE: Record<PassStatus, string> = {
  running: "badge accent",
  complete: "badge ok",
  failed: "badge bad",
  cancelled: "badge",
  interrupted: "badge warn",
};

function where(p: PassSummary): string {
  return `${p.connection} · ${p.bucket}/${visibleKey(p.prefix)}`;
}

export function PassesTable({ passes }: { passes: PassSummary[] }) {
  return (
    <ScrollX className={styles.tableWrap}>
      <table className={styles.passes} data-testid="recent-passes">
        <thead>
          <tr>
            <th>Status</th>
            <th>Pass</th>
            <th>Listing</th>
            <th className={styles.num}>Page size</th>
            <th className={styles.num}>Pages</th>
            <th className={styles.num}>Keys</th>
            <th className={styles.num}>Bytes</th>
            <th className={styles.num}>Listing time</th>
            <th>
              Started <ZoneLabel />
            </th>
          </tr>
        </thead>
        <tbody>
          {passes.map((p) => (
            <tr key={p.id}>
              <td>
                <span className={STATUS_BADGE[p.status]} title={p.error?.message}>
                  {p.status}
                </span>
              </td>
              <td className={styles.id}>
                <Link href={`/passes/${encodeURIComponent(p.id)}`} prefetch={false}>
                  {p.id}
                </Link>
                <PassKindBadge pass={p} style={{ marginLeft: 6 }} />
              </td>
              <td className={styles.where} title={where(p)}>
                {where(p)}
                {p.delimiter !== null ? <span className="muted"> (delimiter {visibleKey(p.delimiter)})</span> : null}
              </td>
              <td className={styles.num}>{formatCount(p.pageSize)}</td>
              <td className={styles.num}>{formatCount(p.totals.pages)}</td>
              <td className={styles.num}>{formatCount(p.totals.keys)}</td>
              <td className={styles.num}>{formatBytes(p.totals.bytes)}</td>
              <td className={styles.num}>{formatDuration(p.activeMs)}</td>
              <td className={styles.time}>
                <Time iso={p.createdAt} zone={false} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollX>
  );
}
