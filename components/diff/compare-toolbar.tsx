import { formatCount } from "@/components/format";
import type { DiffOnly } from "@/lib/wire";
import styles from "./compare.module.css";

export interface CompareToolbarProps {
  only: DiffOnly;
  /** Items shown (first, last), and in all. */
  first: number;
  last: number;
  total: number;
  rows: number;
  seeking: boolean;
  exportHref: (format: "csv" | "ndjson") => string;
  onOnly: (only: DiffOnly) => void;
  onSeek: (dir: "prev" | "next") => void;
}

export function CompareToolbar(props: CompareToolbarProps) {
  const { only, first, last, total, rows, seeking } = props;
  return (
    <div className={styles.toolbar} data-testid="compare-toolbar">
      <div className={styles.segmented} role="group" aria-label="Rows shown">
        <button type="button" aria-pressed={only === "all"} onClick={() => props.onOnly("all")} data-testid="only-all">
          All keys
        </button>
        <button type="button" aria-pressed={only === "changes"} onClick={() => props.onOnly("changes")} data-testid="only-changes">
          Changes only
        </button>
      </div>
      <button type="button" className={styles.small} disabled={seeking || total === 0} onClick={() => props.onSeek("prev")} title="Previous change (p)" data-testid="prev-change">
        ↑ Previous change
      </button>
      <button type="button" className={styles.small} disabled={seeking || total === 0} onClick={() => props.onSeek("next")} title="Next change (n)" data-testid="next-change">
        ↓ Next change
      </button>
      <span className={styles.position} data-testid="compare-position">
        {total === 0 ? "nothing to show" : `rows ${formatCount(first + 1)}–${formatCount(Math.min(last + 1, total))} of ${formatCount(total)} · ${formatCount(rows)} keys`}
      </span>
      <span className={styles.spacer} />
      <span className={styles.legend} aria-hidden>
        <span className={styles.legendItem}>
          <span className={styles.legendSwatch} style={{ background: "var(--added)" }} /> added
        </span>
        <span className={styles.legendItem}>
          <span className={styles.legendSwatch} style={{ background: "var(--removed)" }} /> removed
        </span>
        <span className={styles.legendItem}>
          <span className={styles.legendSwatch} style={{ background: "#fdeee0" }} /> changed
        </span>
        <span className={styles.legendItem}>
          <span className={styles.legendSwatch} style={{ background: "var(--page-band)" }} /> page begins
        </span>
      </span>
      <a className={styles.exportLink} href={props.exportHref("csv")} download data-testid="export-diff-csv">
        Export CSV
      </a>
      <a className={styles.exportLink} href={props.exportHref("ndjson")} download data-testid="export-diff-ndjson">
        NDJSON
      </a>
    </div>
  );
}
