"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { MouseEvent } from "react";
import { formatBytes, formatCount, plural, visibleKey } from "@/components/format";
import type { PrefixGroup, PrefixSummary } from "@/lib/wire";
import { prefixSummaryQuery } from "./queries";
import { passHref, type PassView } from "./search-params";
import styles from "./pass.module.css";

const RUNNING_REFRESH_MS = 3000;

function groupLabel(g: PrefixGroup, passPrefix: string): string {
  if (!g.direct) return visibleKey(g.prefix);
  if (g.prefix === passPrefix || g.prefix === "") return "(keys at the top level)";
  return `${visibleKey(g.prefix)} (keys directly here)`;
}

export interface PrefixTableProps {
  title: string;
  summary: PrefixSummary;
  /** The keys tab filtered to the keys that begin with the prefix: the same keys this row counts. */
  keysHref: (prefix: string) => string;
  onFollow: (e: MouseEvent<HTMLAnchorElement>, prefix: string) => void;
}

export function PrefixTable({ title, summary, keysHref, onFollow }: PrefixTableProps) {
  const largest = Math.max(1, ...summary.groups.map((g) => g.bytes));
  return (
    <div className={styles.grid} data-testid={`prefixes-depth-${summary.depth}`}>
      <table className={styles.prefixTable}>
        <caption style={{ textAlign: "left", padding: "8px 10px", fontWeight: 600 }}>
          {title}{" "}
          <span className="muted" style={{ fontWeight: 400 }}>
            · {plural(summary.groupCount, "group")}, {plural(summary.totalKeys, "key")},{" "}
            {formatBytes(summary.totalBytes)}
          </span>
        </caption>
        <thead>
          <tr>
            <th>Prefix</th>
            <th className={styles.num}>Keys</th>
            <th className={styles.num}>Bytes</th>
            <th className={styles.share}>Share of bytes</th>
          </tr>
        </thead>
        <tbody>
          {summary.groups.map((g) => (
            <tr key={`${g.direct ? "d" : "p"}${g.prefix}`} data-prefix={g.prefix}>
              <td className={g.direct ? styles.direct : styles.key}>
                {g.direct ? (
                  groupLabel(g, summary.passPrefix)
                ) : (
                  <a href={keysHref(g.prefix)} onClick={(e) => onFollow(e, g.prefix)} title="Show the keys that begin with this prefix">
                    {groupLabel(g, summary.passPrefix)}
                  </a>
                )}
              </td>
              <td className={styles.num} data-testid="prefix-keys">
                {formatCount(g.keys)}
              </td>
              <td className={styles.num}>{formatBytes(g.bytes)}</td>
              <td className={styles.share}>
                <div className={styles.shareBar} style={{ width: `${Math.max(1, (g.bytes / largest) * 100)}%` }} />
              </td>
            </tr>
          ))}
          {summary.others.groups > 0 ? (
            <tr>
              <td className={styles.direct}>{plural(summary.others.groups, "smaller group")}</td>
              <td className={styles.num}>{formatCount(summary.others.keys)}</td>
              <td className={styles.num}>{formatBytes(summary.others.bytes)}</td>
              <td />
            </tr>
          ) : null}
          {summary.groups.length === 0 ? (
            <tr>
              <td colSpan={4} className={styles.empty}>
                No keys recorded yet.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}

export interface PrefixPanelProps {
  id: string;
  view: PassView;
  running: boolean;
  onView: (patch: Partial<PassView>, how: "push" | "replace") => void;
}

/** Count and bytes per first-level prefix and per prefix at the chosen level, computed on the server. */
export function PrefixPanel({ id, view, running, onView }: PrefixPanelProps) {
  const refetchInterval = running ? RUNNING_REFRESH_MS : false;
  const top = useQuery({ ...prefixSummaryQuery(id, 1), refetchInterval });
  const chosen = useQuery({ ...prefixSummaryQuery(id, view.depth), refetchInterval, enabled: view.depth > 1, placeholderData: keepPreviousData });
  const maxDepth = Math.max(top.data?.maxDepth ?? 1, view.depth);
  const levelHref = (depth: number) => passHref(id, { ...view, depth });
  // A prefix opens as a prefix filter: exactly the keys its row counts (a substring search would
  // also find "thumbnails/2019/…" under "2019/").
  const keysView = (prefix: string): Partial<PassView> => ({ tab: "keys", prefix, q: "", sort: "key", order: "asc", page: null });
  const follow = (e: MouseEvent<HTMLAnchorElement>, prefix: string) => {
    e.preventDefault();
    onView(keysView(prefix), "push");
  };
  const keysHref = (prefix: string) => passHref(id, { ...view, ...keysView(prefix) });
  const error = top.error ?? chosen.error;
  return (
    <section>
      <div className={styles.toolbar}>
        <span className="muted" style={{ fontSize: 13 }}>
          Prefixes by “/”, below the pass’s own prefix. Level:
        </span>
        <span className={styles.depthPicker} data-testid="depth-picker">
          {Array.from({ length: maxDepth }, (_, i) => i + 1).map((d) => (
            <a
              key={d}
              href={levelHref(d)}
              className={d === view.depth ? styles.depthActive : undefined}
              onClick={(e) => {
                e.preventDefault();
                onView({ depth: d }, "push");
              }}
            >
              {d}
            </a>
          ))}
        </span>
      </div>
      {error !== null ? <div className="error-box">{error.message}</div> : null}
      {top.isPending ? <p className="muted">Summing keys per prefix…</p> : null}
      <div className={view.depth > 1 ? styles.prefixGrid : undefined}>
        {top.data !== undefined ? <PrefixTable title="First level" summary={top.data} keysHref={keysHref} onFollow={follow} /> : null}
        {view.depth > 1 && chosen.data !== undefined ? (
          <PrefixTable title={`Level ${view.depth}`} summary={chosen.data} keysHref={keysHref} onFollow={follow} />
        ) : null}
      </div>
    </section>
  );
}
