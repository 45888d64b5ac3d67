"use client";

import Link from "next/link";
import { formatCount } from "@/components/format";
import { Time, useTimeZone } from "@/components/format/time";
import { INVENTORY_CAVEAT, type PageRecord, type PassStatus, type PassSummary } from "@/lib/wire";
import { explainPass } from "./explain";
import { inventoryProgressText, inventoryTitle, liveInventoryProgressText, reportUrl } from "./inventory";
import { passHref } from "./search-params";
import styles from "./pass.module.css";

/** What an inventory pass is: which report, as of when, how far it is read, and what it cannot say. */
export function InventoryPanel({ pass, status, pages }: { pass: PassSummary; status: PassStatus; pages: readonly PageRecord[] }) {
  const choice = useTimeZone();
  const info = pass.inventory;
  if (info === null) return null;
  return (
    <section className={`${styles.explain} ${styles.inventoryBox}`} data-testid="inventory-panel" aria-label="S3 Inventory report">
      <div className={styles.explainTitle}>{inventoryTitle(info, choice)}</div>
      <div className={styles.facts}>
        <span>created <Time iso={info.asOf} /></span> · <code data-testid="inventory-report">{reportUrl(info)}</code>{" "}
        (connection {info.report.connection}) · {info.fileFormat}
        {info.versions ? " · all versions (the pass keeps current ones, with their version ids)" : " · current versions"}
      </div>
      <div className={styles.facts} data-testid="inventory-progress">
        {status === "running" ? `Reading: ${liveInventoryProgressText(info, pages)}` : inventoryProgressText(info)}
      </div>
      <div className={styles.facts}>{INVENTORY_CAVEAT}</div>
      {info.notes.length > 0 ? (
        <ul className={styles.inventoryNotes} data-testid="inventory-notes">
          {info.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export function CompareWithLiveButton({ onStart, busy }: { onStart: () => void; busy: boolean }) {
  return (
    <button type="button" className="primary" onClick={onStart} disabled={busy} data-testid="compare-with-live" title="List the bucket now and compare the report with that listing">
      {busy ? "Listing the bucket…" : "Compare with a live pass"}
    </button>
  );
}

/** The live pass being listed for the comparison (it opens once complete), or why it stopped. */
export function LiveComparisonProgress({ pass, error, liveId, live }: { pass: PassSummary; error: Error | null; liveId: string | null; live: PassSummary | undefined }) {
  if (error !== null) {
    return (
      <div className={`${styles.explain} ${styles.bad} ${styles.snapshotBox}`} data-testid="live-error" role="alert">
        <div className={styles.explainTitle}>No live pass of {pass.bucket} to compare with</div>
        <div>{error.message}</div>
      </div>
    );
  }
  if (liveId === null) return null;
  const link = (
    <Link href={passHref(liveId)} prefetch={false}>
      live pass {liveId}
    </Link>
  );
  if (live === undefined || live.status === "running" || live.status === "complete") {
    return (
      <div className={`${styles.explain} ${styles.snapshotBox}`} data-testid="live-progress">
        Listing {pass.bucket} now: {link}
        {live !== undefined ? ` · ${formatCount(live.totals.keys)} keys so far` : ""}. The comparison opens when it is complete.
      </div>
    );
  }
  const why = explainPass(live.status, live.error, live.totals.pages + live.totals.failedPages);
  return (
    <div className={`${styles.explain} ${styles.bad} ${styles.snapshotBox}`} data-testid="live-error" role="alert">
      <div className={styles.explainTitle}>The {link} stopped before listing every key</div>
      <div>{why?.detail ?? live.error?.message ?? live.status}</div>
    </div>
  );
}
