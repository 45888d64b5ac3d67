import Link from "next/link";
import { plural } from "@/components/format";
import { Time } from "@/components/format/time";
import { UnavailableNote, type Unavailable } from "@/components/unavailable";
import type { PassSummary } from "@/lib/wire";
import { explainPass } from "./explain";
import { passHref } from "./search-params";
import styles from "./pass.module.css";

/** `unavailable`: why it cannot work on this bucket (never versioned), shown beside the disabled button before anyone clicks. */
export function SnapshotAtStartButton({ onStart, busy, unavailable = null }: { onStart: () => void; busy: boolean; unavailable?: Unavailable | null }) {
  const button = (
    <button
      type="button"
      onClick={onStart}
      disabled={busy || unavailable !== null}
      data-testid="snapshot-at-start"
      aria-describedby={unavailable !== null ? "snapshot-unavailable" : undefined}
      title={unavailable?.reason ?? "Rebuild the bucket as it was when this pass started (from object versions) and compare this pass with it"}
    >
      {busy ? "Reading versions…" : "Snapshot at this pass's start"}
    </button>
  );
  if (unavailable === null) return button;
  return (
    <span className={styles.unavailable}>
      {button}
      <UnavailableNote id="snapshot-unavailable" why={unavailable} testId="snapshot-unavailable" />
    </span>
  );
}

export interface SnapshotProgressProps {
  pass: PassSummary;
  error: Error | null;
  snapshotId: string | null;
  snapshot: PassSummary | undefined;
}

/**
 * Below the header: the snapshot being read (it is compared once complete), or why it could not be
 * made, in the API's own words (a bucket that was never versioned has no history to rebuild from).
 */
export function SnapshotProgress({ pass, error, snapshotId, snapshot }: SnapshotProgressProps) {
  if (error !== null) {
    return (
      <div className={`${styles.explain} ${styles.bad} ${styles.snapshotBox}`} data-testid="snapshot-error" role="alert">
        <div className={styles.explainTitle}>No snapshot of {pass.bucket} as of this pass&rsquo;s start</div>
        <div data-testid="snapshot-error-message">{error.message}</div>
      </div>
    );
  }
  if (snapshotId === null) return null;
  const link = (
    <Link href={passHref(snapshotId)} prefetch={false}>
      snapshot {snapshotId}
    </Link>
  );
  if (snapshot === undefined || snapshot.status === "running") {
    return (
      <div className={`${styles.explain} ${styles.snapshotBox}`} data-testid="snapshot-progress">
        Reading the versions of {pass.bucket} as of <Time iso={pass.createdAt} ms="auto" />: {link}
        {snapshot !== undefined ? ` · ${plural(snapshot.totals.pages, "page")}, ${plural(snapshot.totals.keys, "key")} so far` : ""}. The comparison
        opens when it is complete.
      </div>
    );
  }
  if (snapshot.status === "complete") {
    return (
      <div className={`${styles.explain} ${styles.snapshotBox}`} data-testid="snapshot-progress">
        The {link} is complete; opening the comparison…
      </div>
    );
  }
  const why = explainPass(snapshot.status, snapshot.error, snapshot.totals.pages + snapshot.totals.failedPages);
  return (
    <div className={`${styles.explain} ${styles.bad} ${styles.snapshotBox}`} data-testid="snapshot-error" role="alert">
      <div className={styles.explainTitle}>The {link} stopped before reading every key</div>
      <div data-testid="snapshot-error-message">{why?.detail ?? snapshot.error?.message ?? snapshot.status}</div>
    </div>
  );
}
