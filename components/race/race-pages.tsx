"use client";

import Link from "next/link";
import { formatCount, plural } from "@/components/format";
import { useTimeZone } from "@/components/format/time";
import { passHref } from "@/components/pass/search-params";
import type { ExperimentPage } from "@/lib/wire";
import { clockTime, gap } from "./narrate";
import { cursorColor } from "./spacetime";
import { rangeText } from "./spacetime-chart";
import styles from "./race.module.css";

/**
 * The pass's pages as the race lab saw them, numbered from 1 like every page in the app, each a link
 * to the same page in the pass view (where the keys carry the experiment's prefix).
 */
export function RacePages({ pages, passId }: { pages: readonly ExperimentPage[]; passId: string | null }) {
  const choice = useTimeZone();
  if (pages.length === 0) return null;
  const parallel = pages.some((p) => p.cursor !== undefined);
  return (
    <table className={`plain ${styles.table}`} data-testid="race-pages">
      <thead>
        <tr>
          <th>page</th>
          {parallel ? <th>key range (its cursor)</th> : null}
          <th>keys (first … last, relative to the prefix)</th>
          <th>requested</th>
          <th>answered in</th>
        </tr>
      </thead>
      <tbody>
        {pages.map((p) => (
          <tr key={p.index} data-page-number={p.index + 1} data-first-key={p.firstKey ?? ""}>
            <td>
              {passId !== null ? (
                <Link href={passHref(passId, { tab: "pages", page: p.index })} prefetch={false} title="This page in the pass view">
                  {formatCount(p.index + 1)}
                </Link>
              ) : (
                formatCount(p.index + 1)
              )}
            </td>
            {parallel ? (
              <td data-range={p.cursor?.range}>
                {p.cursor !== undefined ? (
                  <span className={styles.legendItem} title={`Range ${p.cursor.range} holds the keys ${rangeText(p.cursor.after, p.cursor.through)}; this is its page ${p.cursor.page + 1}`}>
                    <span className={styles.swatchLine} style={{ background: cursorColor(p.cursor.range) }} /> range {p.cursor.range}, its page {p.cursor.page + 1}
                  </span>
                ) : null}
              </td>
            ) : null}
            <td className={styles.key}>
              {p.firstKey !== null ? `${p.firstKey} … ${p.lastKey ?? ""}` : "no keys"} <span className="muted">· {plural(p.keyCount, "key")}</span>
              {p.error !== null ? <span className="badge bad"> {p.error}</span> : null}
            </td>
            <td>{clockTime(p.requestedAt, choice)}</td>
            <td>{gap(p.requestedAt, p.receivedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
