"use client";

import type { KeyVerdict } from "@/lib/wire";
import { VerdictBadge } from "./verdict-table";
import styles from "./race.module.css";

const MAX_ROWS = 200;

type Cell = { etag: string | null } | null;

function CellView({ cell, against }: { cell: Cell; against: Cell }) {
  const differs = (cell === null) !== (against === null) || (cell !== null && against !== null && cell.etag !== against.etag);
  const cls = cell === null ? styles.cellAbsent : differs ? styles.cellChanged : undefined;
  return <td className={cls}>{cell === null ? "—" : `present ${cell.etag?.slice(0, 8) ?? ""}`}</td>;
}

/**
 * The pass against the bucket at its start and at its end, aligned by key: only the keys where the
 * three disagree. A cell is marked where it differs from what the pass listed.
 */
export function SideBySide({ verdicts, startCount, endCount, listedCount }: { verdicts: readonly KeyVerdict[]; startCount: number; endCount: number; listedCount: number }) {
  const rows = verdicts.filter((v) => {
    const listed: Cell = v.listed !== null ? { etag: v.listed.etag } : null;
    const same = (a: Cell, b: Cell) => (a === null ? b === null : b !== null && a.etag === b.etag);
    return !same(v.start, listed) || !same(v.end, listed);
  });
  return (
    <div className="panel" data-testid="side-by-side">
      <table className={`plain ${styles.sideBySide}`}>
        <thead>
          <tr>
            <th>key</th>
            <th>bucket at start ({startCount} keys)</th>
            <th>the pass ({listedCount} keys)</th>
            <th>bucket at end ({endCount} keys)</th>
            <th>verdict</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, MAX_ROWS).map((v) => {
            const listed: Cell = v.listed !== null ? { etag: v.listed.etag } : null;
            return (
              <tr key={v.key}>
                <td className={styles.key}>{v.key}</td>
                <CellView cell={v.start} against={listed} />
                <td>{listed === null ? "not listed" : `page ${(v.listed?.page ?? 0) + 1}, ${listed.etag?.slice(0, 8) ?? ""}`}</td>
                <CellView cell={v.end} against={listed} />
                <td>
                  <VerdictBadge verdict={v.verdict} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows.length === 0 ? <p className="muted">The pass, the bucket at its start and the bucket at its end agree on every key.</p> : null}
      {rows.length > MAX_ROWS ? <p className="muted">Showing the first {MAX_ROWS} of {rows.length} keys where they differ.</p> : null}
    </div>
  );
}
