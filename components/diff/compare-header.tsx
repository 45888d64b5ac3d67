import Link from "next/link";
import { formatBytes, formatCount, formatDuration, plural, visibleKey } from "@/components/format";
import { Time } from "@/components/format/time";
import { InventoryLabel, SnapshotLabel, STATUS_BADGE } from "@/components/pass/pass-header";
import { passHref } from "@/components/pass/search-params";
import type { DiffCounts, DiffPlan, PassSummary } from "@/lib/wire";
import styles from "./compare.module.css";

function PassCard({ pass, side }: { pass: PassSummary; side: "A" | "B" }) {
  return (
    <div className={styles.passCard} data-testid={`pass-${side.toLowerCase()}`}>
      <div className={styles.passCardHead}>
        <span className={`${styles.side} ${side === "A" ? styles.sideA : styles.sideB}`}>{side}</span>
        <Link href={passHref(pass.id)} className={styles.passId} prefetch={false}>
          {pass.id}
        </Link>
        <span className={STATUS_BADGE[pass.status]} title={pass.error?.message}>
          {pass.status}
        </span>
        <span className={styles.passWhen}>
          <Time iso={pass.createdAt} />
        </span>
      </div>
      <div className={styles.passFacts}>
        <SnapshotLabel pass={pass} />
        <InventoryLabel pass={pass} />
        <span>
          {pass.connection} · <b>{pass.bucket}</b>/{visibleKey(pass.prefix)}
          {pass.delimiter !== null ? ` by “${visibleKey(pass.delimiter)}”` : ""}
        </span>
        <span>
          <b>{formatCount(pass.totals.keys)}</b> {pass.totals.keys === 1 ? "key" : "keys"}
        </span>
        <span>{formatBytes(pass.totals.bytes)}</span>
        <span>
          <b>{formatCount(pass.totals.pages)}</b> {pass.totals.pages === 1 ? "page" : "pages"} of {formatCount(pass.pageSize)}
        </span>
        <span>listing time {formatDuration(pass.activeMs)}</span>
      </div>
    </div>
  );
}

export function ComparePasses({ plan }: { plan: Pick<DiffPlan, "a" | "b"> }) {
  return (
    <div className={styles.passes}>
      <PassCard pass={plan.a} side="A" />
      <div className={styles.arrow} aria-hidden>
        →
      </div>
      <PassCard pass={plan.b} side="B" />
    </div>
  );
}

function Count({ label, value, className, sub, testId }: { label: string; value: number; className?: string; sub?: string; testId: string }) {
  return (
    <div className={`${styles.count} ${className ?? ""}`} data-testid={testId}>
      <div className={styles.countLabel}>{label}</div>
      <div className={styles.countValue}>{formatCount(value)}</div>
      {sub !== undefined ? <div className={styles.countSub}>{sub}</div> : null}
    </div>
  );
}

export function CompareCounts({ counts }: { counts: DiffCounts }) {
  const f = counts.fields;
  const byField = [
    f.etag > 0 ? `${formatCount(f.etag)} ETag` : null,
    f.size > 0 ? `${formatCount(f.size)} size` : null,
    f.lastModified > 0 ? `${formatCount(f.lastModified)} modified` : null,
    f.storageClass > 0 ? `${formatCount(f.storageClass)} class` : null,
  ].filter((x) => x !== null);
  return (
    <div className={styles.counts} data-testid="diff-counts">
      <Count label="Added" value={counts.added} className={styles.countAdded} sub="only in B" testId="count-added" />
      <Count label="Removed" value={counts.removed} className={styles.countRemoved} sub="only in A" testId="count-removed" />
      <Count label="Changed" value={counts.changed} className={styles.countChanged} sub={byField.length > 0 ? byField.join(" · ") : "same key, other fields"} testId="count-changed" />
      <Count label="Unchanged" value={counts.unchanged} testId="count-unchanged" />
      <Count label="Page shifts" value={counts.pageShifts} className={styles.countShift} sub="same key, on another page" testId="count-shifts" />
      <div className={styles.countsNote}>
        Compared {plural(counts.comparedA, "key")} of A with {plural(counts.comparedB, "key")} of B, in UTF-8 byte order.
      </div>
    </div>
  );
}

export function CompareNotes({ plan }: { plan: DiffPlan }) {
  if (plan.notes.length === 0) return null;
  return (
    <div className={`${styles.notes} ${plan.incomplete ? styles.incomplete : ""}`} data-testid="diff-notes" role="note">
      <div className={styles.notesTitle}>
        {plan.incomplete ? <span className="badge bad">incomplete comparison</span> : null}
        {plan.differentTargets ? <span className="badge warn">different buckets</span> : null}
        {plan.coverage.narrowed ? "Only part of the keys is compared" : "About this comparison"}
      </div>
      <ul>
        {plan.notes.map((n) => (
          <li key={n}>{n}</li>
        ))}
      </ul>
    </div>
  );
}
