"use client";

import { clockOffsetText, versionStateText } from "@/components/pass/snapshot";
import { plural } from "@/components/format";
import { Time, useTimeZone } from "@/components/format/time";
import { POINT_IN_TIME_LIMITS, type BrowseStartEvent, type Tie } from "@/lib/wire";
import { KeyText } from "./key-text";
import styles from "./browser.module.css";

export interface AsOfCounts {
  versions: number;
  deleteMarkers: number;
  absentKeys: number;
  ties: number;
}

export interface AsOfBannerProps {
  asOf: string;
  /** What the start line said (null until the first page has answered). */
  info: NonNullable<BrowseStartEvent["asOf"]> | null;
  counts: AsOfCounts;
  ties: readonly Tie[];
  /** Folders are rolled up (not the flat view). */
  folders: boolean;
  complete: boolean;
  snapshot: { pending: boolean; error: string | null; disabled: boolean; onRecord: () => void };
}

const MAX_TIES_SHOWN = 50;

/** The as-of mode's header: what T is, how far to trust it, the ties, and the way to record it. */
export function AsOfBanner({ asOf, info, counts, ties, folders, complete, snapshot }: AsOfBannerProps) {
  const choice = useTimeZone();
  return (
    <section className={styles.asOfBanner} aria-label="Point in time" data-testid="as-of-banner">
      <div className={styles.asOfHead}>
        <strong data-testid="as-of-title">
          The bucket as of <Time iso={asOf} ms="auto" /> (server clock)
        </strong>
        <span className={styles.spacer} />
        {snapshot.error !== null ? (
          <span className={styles.actionError} role="alert">
            {snapshot.error}
          </span>
        ) : null}
        <button
          type="button"
          className="primary"
          disabled={snapshot.disabled || snapshot.pending}
          onClick={snapshot.onRecord}
          title="Record a snapshot pass: every key under this prefix as of T, kept like any pass (history charts it, compare diffs it)"
        >
          {snapshot.pending ? "Recording…" : "Record a snapshot pass at T"}
        </button>
      </div>
      <div className={styles.asOfFacts}>
        <span data-testid="as-of-clock">{info !== null ? clockOffsetText(info.clock) : "measuring the server's clock…"}</span>
        {info !== null ? <span>versioning: {info.versioning === "unknown" ? "unknown (could not be read)" : info.versioning.toLowerCase()}</span> : null}
        <span data-testid="as-of-counts">
          {plural(counts.versions, "version")} · {plural(counts.deleteMarkers, "delete marker")} read · {plural(counts.absentKeys, "key")} with history absent at T ·{" "}
          <span className={counts.ties > 0 ? styles.tieCount : undefined}>{plural(counts.ties, "tie")}</span>
          {complete ? "" : " so far"}
        </span>
      </div>
      {info?.warnings.map((w) => (
        <p key={w} className={styles.asOfWarning} role="note">
          {w}
        </p>
      ))}
      {folders ? (
        <p className={styles.hint}>
          Folders are folders with history: S3 rolls every version and delete marker under a folder into it, so a folder is listed even if nothing under it existed at T.
        </p>
      ) : null}
      {counts.ties > 0 ? (
        <details className={styles.asOfDetails} data-testid="as-of-ties" open={ties.length <= 5}>
          <summary>
            {plural(counts.ties, "tie")}: keys changed in T&rsquo;s own second
          </summary>
          <p className={styles.hint}>
            LastModified has whole-second resolution, so a change stamped <Time iso={new Date(Math.floor(Date.parse(asOf) / 1000) * 1000).toISOString()} /> may have come just before or just after T. It
            is shown as before T (the &ldquo;at T&rdquo; state); the other state is what the key was if it came just after.
          </p>
          <ul className={styles.tieList}>
            {ties.slice(0, MAX_TIES_SHOWN).map((t) => (
              <li key={t.key} data-testid="as-of-tie" data-key={t.key}>
                <KeyText value={t.key} />: at T {versionStateText(t.atT, choice)}; if the change came just after T, {versionStateText(t.beforeT, choice)}
              </li>
            ))}
          </ul>
          {ties.length > MAX_TIES_SHOWN ? <p className={styles.hint}>and {plural(ties.length - MAX_TIES_SHOWN, "more tie")}, marked on their rows</p> : null}
        </details>
      ) : null}
      <details className={styles.asOfDetails} data-testid="as-of-limits">
        <summary>Limits of an as-of answer</summary>
        <ul>
          {(info?.limits ?? POINT_IN_TIME_LIMITS).map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      </details>
    </section>
  );
}
