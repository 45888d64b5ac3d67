"use client";

import { VERDICTS, type KeyVerdict, type Verdict } from "@/lib/wire";
import { narrate, type NarrationContext } from "./narrate";
import { VERDICT_STYLE } from "./verdicts";
import styles from "./race.module.css";

const MAX_ROWS = 500;
const shortEtag = (e: string | null | undefined) => (e == null ? "—" : e.slice(0, 8));

export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return (
    <span className={styles.verdict} style={{ color: VERDICT_STYLE[verdict].color }}>
      <span className={styles.swatchDot} style={{ background: VERDICT_STYLE[verdict].color }} />
      {verdict}
    </span>
  );
}

export interface VerdictTableProps {
  verdicts: readonly KeyVerdict[];
  shown: ReadonlySet<Verdict>;
  onToggle: (v: Verdict) => void;
  narration: NarrationContext;
}

/** Every key's verdict, filtered by verdict, with the reason for each anomaly in words. */
export function VerdictTable({ verdicts, shown, onToggle, narration }: VerdictTableProps) {
  const counts = new Map<Verdict, number>(VERDICTS.map((v) => [v, 0]));
  for (const v of verdicts) counts.set(v.verdict, (counts.get(v.verdict) ?? 0) + 1);
  const rows = verdicts.filter((v) => shown.has(v.verdict));
  return (
    <div className="panel">
      <div className={styles.counts} role="group" aria-label="Filter by verdict">
        {VERDICTS.map((v) => (
          <button key={v} type="button" className={styles.count} aria-pressed={shown.has(v)} onClick={() => onToggle(v)}>
            <VerdictBadge verdict={v} /> {counts.get(v) ?? 0}
          </button>
        ))}
      </div>
      {rows.length === 0 ? (
        <p className="muted">No key has the selected verdicts.</p>
      ) : (
        <table className={`plain ${styles.table}`} data-testid="verdict-table">
          <thead>
            <tr>
              <th>key</th>
              <th>verdict</th>
              <th>page</th>
              <th>start / listed / end (ETag)</th>
              <th>why</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, MAX_ROWS).map((v) => (
              <tr key={v.key} data-key={v.key}>
                <td className={styles.key}>{v.key}</td>
                <td>
                  <VerdictBadge verdict={v.verdict} />
                </td>
                <td>{v.page !== null ? v.page + 1 : "—"}</td>
                <td className="mono">
                  {v.start !== null ? shortEtag(v.start.etag) : "absent"} / {v.listed !== null ? shortEtag(v.listed.etag) : "not listed"} /{" "}
                  {v.end !== null ? shortEtag(v.end.etag) : "absent"}
                </td>
                <td className={styles.narration}>{narrate(v, narration) ?? VERDICT_STYLE[v.verdict].meaning}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rows.length > MAX_ROWS ? <p className="muted">Showing the first {MAX_ROWS} of {rows.length} keys.</p> : null}
    </div>
  );
}
