"use client";

import Link from "next/link";
import { useEffect, useState, type CSSProperties, type ReactNode } from "react";
import { browseHref } from "@/components/browser/search-params";
import { formatBytes, formatCount, formatDuration, visibleKey } from "@/components/format";
import { Time, useTimeZone } from "@/components/format/time";
import { RacePassLink } from "@/components/race/race-pass-link";
import { INVENTORY_CAVEAT, type PassStatus, type PassSummary, type PassTotals } from "@/lib/wire";
import type { Explanation } from "./explain";
import { keysPerSecond } from "./live";
import { exportHref } from "./queries";
import { inventoryTitle } from "./inventory";
import { asOfSourceText, snapshotTitle } from "./snapshot";
import styles from "./pass.module.css";

export const STATUS_BADGE: Record<PassStatus, string> = {
  running: "badge accent",
  complete: "badge ok",
  failed: "badge bad",
  cancelled: "badge",
  interrupted: "badge warn",
};

export interface PassActions {
  onCancel: () => void;
  onResume: () => void;
  cancelling: boolean;
  resuming: boolean;
  error: string | null;
}

/** A snapshot pass says so wherever it is listed: what it rebuilt, on whose clock, and why that T. */
export function SnapshotLabel({ pass }: { pass: PassSummary }) {
  const choice = useTimeZone();
  if (pass.kind !== "snapshot") return null;
  return (
    <span className={styles.snapshotLabel} data-testid="snapshot-label" title={pass.snapshot !== null ? asOfSourceText(pass.snapshot.asOfSource) : undefined}>
      {pass.snapshot !== null ? snapshotTitle(pass.snapshot, choice) : "Snapshot"}
    </span>
  );
}

/** A pass that is not a plain listing says which kind it is, wherever passes are listed. */
export function PassKindBadge({ pass, style }: { pass: Pick<PassSummary, "kind" | "snapshot" | "inventory">; style?: CSSProperties }) {
  const choice = useTimeZone();
  if (pass.kind === "snapshot") {
    return (
      <span className="badge accent" style={style} title={pass.snapshot !== null ? snapshotTitle(pass.snapshot, choice) : "Snapshot"}>
        snapshot
      </span>
    );
  }
  if (pass.kind === "inventory") {
    return (
      <span className="badge warn" style={style} title={pass.inventory !== null ? `${inventoryTitle(pass.inventory, choice)}: ${INVENTORY_CAVEAT}` : INVENTORY_CAVEAT} data-testid="inventory-badge">
        inventory
      </span>
    );
  }
  return null;
}

/** An inventory pass says what it is wherever it is listed: a report as of its creation, eventually consistent. */
export function InventoryLabel({ pass }: { pass: PassSummary }) {
  const choice = useTimeZone();
  if (pass.kind !== "inventory") return null;
  return (
    <span className={styles.inventoryLabel} data-testid="inventory-label" title={INVENTORY_CAVEAT}>
      {pass.inventory !== null ? inventoryTitle(pass.inventory, choice) : "S3 Inventory · eventually consistent"}
    </span>
  );
}

export function PassHeader({ pass, status, actions, extraActions }: { pass: PassSummary; status: PassStatus; actions: PassActions; extraActions?: ReactNode }) {
  const running = status === "running";
  const resumable = !running && status !== "complete" && pass.resumable;
  return (
    <>
      <div className={styles.crumbs}>
        <Link href="/passes">Passes</Link> / {pass.connection} / {pass.bucket}
      </div>
      <div className={styles.header}>
        <div>
          <div className={styles.titleRow}>
            <h1>{pass.id}</h1>
            <span className={STATUS_BADGE[status]} data-testid="pass-status">
              {status}
            </span>
            {pass.kind === "snapshot" ? <span className="badge accent">snapshot</span> : null}
            <RacePassLink prefix={pass.prefix} long />
            {pass.kind === "inventory" ? <span className="badge warn">inventory</span> : null}
          </div>
          {pass.kind === "snapshot" ? (
            <div className={styles.snapshotLine}>
              <SnapshotLabel pass={pass} />
              {pass.snapshot !== null ? <span className="muted"> · {asOfSourceText(pass.snapshot.asOfSource)}</span> : null}
            </div>
          ) : null}
          {pass.kind === "inventory" ? (
            <div className={styles.snapshotLine}>
              <InventoryLabel pass={pass} />
            </div>
          ) : null}
          <div className={styles.target}>
            <span>
              <b>{pass.connection}</b> ·{" "}
              <Link href={browseHref(pass.connection, pass.bucket, { prefix: pass.prefix })} prefetch={false}>
                {pass.bucket}/{visibleKey(pass.prefix)}
              </Link>
            </span>
            <span>page size {formatCount(pass.pageSize)}</span>
            <span data-testid="pass-concurrency">{pass.concurrency === 1 ? "1 cursor" : `${pass.concurrency} cursors`}</span>
            {pass.kind === "snapshot" ? (
              <span>ListObjectVersions</span>
            ) : pass.kind === "inventory" ? (
              <span>read from an S3 Inventory report</span>
            ) : (
              <span>delimiter {pass.delimiter === null ? "none" : `“${visibleKey(pass.delimiter)}”`}</span>
            )}
            {pass.startAfter !== null ? <span>start after {visibleKey(pass.startAfter)}</span> : null}
            <span>
              {pass.kind === "inventory" ? "imported" : "started"} <Time iso={pass.createdAt} testId="pass-started" />
            </span>
            {pass.runs > 1 ? <span>{pass.runs} runs</span> : null}
          </div>
        </div>
        <div className={styles.actions}>
          {extraActions}
          <a className={styles.button} href={exportHref(pass.id, "csv")} download data-testid="export-csv">
            Export CSV
          </a>
          <a className={styles.button} href={exportHref(pass.id, "ndjson")} download data-testid="export-ndjson">
            Export NDJSON
          </a>
          {running ? (
            <button type="button" className={styles.danger} onClick={actions.onCancel} disabled={actions.cancelling} data-testid="cancel-pass">
              {actions.cancelling ? "Cancelling…" : "Cancel"}
            </button>
          ) : null}
          {resumable ? (
            <button type="button" className="primary" onClick={actions.onResume} disabled={actions.resuming} data-testid="resume-pass">
              {actions.resuming ? "Resuming…" : "Resume"}
            </button>
          ) : null}
        </div>
      </div>
      {actions.error !== null ? (
        <div className="error-box" style={{ marginBottom: 12 }}>
          {actions.error}
        </div>
      ) : null}
    </>
  );
}

function Stat({ label, value, sub, testId }: { label: string; value: string; sub?: string; testId: string }) {
  return (
    <div className={styles.stat}>
      <div className={styles.statLabel}>{label}</div>
      <div className={styles.statValue} data-testid={testId}>
        {value}
      </div>
      <div className={styles.statSub}>{sub ?? " "}</div>
    </div>
  );
}

const PROGRESS_CLASS: Record<PassStatus, string> = {
  running: styles.progressRunning ?? "",
  complete: styles.progressDone ?? "",
  failed: styles.progressFailed ?? "",
  cancelled: styles.progressStopped ?? "",
  interrupted: styles.progressStopped ?? "",
};

export interface LiveStatsProps {
  status: PassStatus;
  totals: PassTotals;
  /** Time spent listing as of `now` (Date.now()); only a running pass's clock moves. */
  elapsedAt: (now: number) => number;
}

/** Pages, keys, bytes, rate and time: the numbers that move while a pass runs. */
export function LiveStats({ status, totals, elapsedAt }: LiveStatsProps) {
  const running = status === "running";
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    const t = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(t);
  }, [running]);
  const elapsed = elapsedAt(now);
  const rate = keysPerSecond(totals.keys, elapsed, running);
  const retries = totals.requests - totals.pages - totals.failedPages;
  return (
    <div>
      <div className={styles.stats} data-testid="live-stats">
        <Stat
          label="Pages"
          value={formatCount(totals.pages)}
          sub={totals.failedPages > 0 ? `${formatCount(totals.failedPages)} failed` : running ? "more to come" : "answered"}
          testId="stat-pages"
        />
        <Stat label="Keys" value={formatCount(totals.keys)} sub={totals.prefixes > 0 ? `${formatCount(totals.prefixes)} prefixes` : undefined} testId="stat-keys" />
        <Stat label="Bytes" value={formatBytes(totals.bytes)} testId="stat-bytes" />
        {rate !== null || running ? (
          <Stat label="Keys / s" value={rate === null ? "measuring…" : formatCount(Math.round(rate))} sub={running ? undefined : "average"} testId="stat-rate" />
        ) : null}
        <Stat label="Listing time" value={formatDuration(elapsed)} sub={running ? "listing…" : undefined} testId="stat-elapsed" />
        <Stat label="Requests" value={formatCount(totals.requests)} sub={retries > 0 ? `${formatCount(retries)} retries` : undefined} testId="stat-requests" />
        <Stat label="Anomalies" value={formatCount(totals.anomalies)} sub={totals.anomalies > 0 ? "out of order / repeated" : undefined} testId="stat-anomalies" />
      </div>
      <div
        className={`${styles.progress} ${PROGRESS_CLASS[status]}`}
        role="progressbar"
        aria-label={running ? "Listing in progress; the number of pages is not known in advance" : `Pass ${status}`}
        aria-busy={running}
      />
    </div>
  );
}

export function ExplanationBox({ explanation, testId = "pass-explanation" }: { explanation: Explanation; testId?: string }) {
  const tone = explanation.tone === "bad" ? styles.bad : explanation.tone === "warn" ? styles.warn : "";
  return (
    <div className={`${styles.explain} ${tone}`} data-testid={testId}>
      <div className={styles.explainTitle}>{explanation.title}</div>
      <div>{explanation.detail}</div>
      {explanation.facts.length > 0 ? <div className={styles.facts}>{explanation.facts.join(" · ")}</div> : null}
    </div>
  );
}
