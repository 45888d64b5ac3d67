import { formatCount, plural, visibleKey } from "@/components/format";
import { Time, useTimeZone } from "@/components/format/time";
import { POINT_IN_TIME_LIMITS, type BucketVersioning, type PageRecord, type PassStatus, type SnapshotInfo } from "@/lib/wire";
import { asOfSourceText, clockOffsetText, collectTies, snapshotCounts, versionStateText } from "./snapshot";
import styles from "./pass.module.css";

const VERSIONING_TEXT: Record<BucketVersioning, string> = {
  Enabled: "Enabled",
  Suspended: "Suspended: objects written since the suspension replace the null version, so their history is gone",
  unknown: "unknown (this connection may not read the bucket's versioning setting)",
};

function Count({ label, value, sub, testId }: { label: string; value: number; sub: string; testId: string }) {
  return (
    <div className={styles.stat}>
      <div className={styles.statLabel}>{label}</div>
      <div className={styles.statValue} data-testid={testId}>
        {formatCount(value)}
      </div>
      <div className={styles.statSub}>{sub}</div>
    </div>
  );
}

function Limits() {
  return (
    <div className={styles.pitLimits} data-testid="pit-limits">
      <div className={styles.pitSubhead}>Limits of any as-of answer</div>
      <ul>
        {POINT_IN_TIME_LIMITS.map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
    </div>
  );
}

function TiesTable({ pages }: { pages: readonly PageRecord[] }) {
  const choice = useTimeZone();
  const { ties, total } = collectTies(pages);
  if (total === 0) {
    return (
      <p className={styles.hint} data-testid="pit-no-ties">
        No key changed within T&rsquo;s own second, so no key&rsquo;s state at T is in doubt.
      </p>
    );
  }
  return (
    <div data-testid="pit-ties">
      <div className={styles.pitSubhead}>
        Ties: {plural(total, "key")} changed within T&rsquo;s own second
        {ties.length < total ? ` (the first ${formatCount(ties.length)} are listed)` : ""}
      </div>
      <p className={styles.hint}>LastModified has whole seconds, so whether these changes came before or after T is unknowable. They are recorded as before T.</p>
      <div className={styles.tableWrap}>
        <table className={styles.listTable}>
          <thead>
            <tr>
              <th>Key</th>
              <th>Recorded state at T (change counted as before T)</th>
              <th>State if the change came after T</th>
              <th className={styles.num}>Page</th>
            </tr>
          </thead>
          <tbody>
            {ties.map((t) => (
              <tr key={`${t.page}:${t.key}`} data-testid="pit-tie" data-key={t.key}>
                <td className={styles.key}>{visibleKey(t.key)}</td>
                <td className={styles.mono}>{versionStateText(t.atT, choice)}</td>
                <td className={styles.mono}>{versionStateText(t.beforeT, choice)}</td>
                <td className={styles.num}>{formatCount(t.page + 1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** Whether ListObjectsV2 of the same prefix, read after the walk, found keys the versions listing left out. */
function CrossCheckLine({ info, status }: { info: SnapshotInfo; status: PassStatus }) {
  const check = info.crossCheck;
  if (check === undefined || check === null) {
    if (status !== "running" || info.crossCheck === null) return null;
    return (
      <p className={styles.hint} data-testid="pit-cross-check">
        When the walk ends, ListObjectsV2 of the same prefix is read to check that the versions listing left no key out.
      </p>
    );
  }
  if (check.missing === 0) {
    return (
      <p className={styles.hint} data-testid="pit-cross-check">
        Cross-checked: ListObjectsV2 of the same prefix, read after the walk, listed {formatCount(check.listed)} {check.listed === 1 ? "key" : "keys"}, none missing from the versions
        listing.
      </p>
    );
  }
  return (
    <div className={`${styles.explain} ${styles.bad}`} data-testid="pit-cross-check">
      <div className={styles.explainTitle}>
        The versions listing is short: {formatCount(check.missing)} of the {formatCount(check.listed)} keys ListObjectsV2 lists are missing from it
      </div>
      <div>
        For example {check.examples.map((k) => `“${visibleKey(k)}”`).join(", ")}. They existed before the walk ended, so the server ended ListObjectVersions early; the keys at T
        above are incomplete.
      </div>
    </div>
  );
}

export interface SnapshotPanelProps {
  info: SnapshotInfo | null;
  pages: readonly PageRecord[];
  status: PassStatus;
  /** Keys present at T recorded so far. */
  keys: number;
}

/** What a snapshot pass rebuilt: T and its clock, the versions it read, ties, warnings and limits. */
export function SnapshotPanel({ info, pages, status, keys }: SnapshotPanelProps) {
  if (info === null) {
    return (
      <section className={styles.pitPanel} data-testid="pit-panel">
        <h2>Point in time</h2>
        <p className="muted">This snapshot pass has not recorded its moment yet.</p>
        <Limits />
      </section>
    );
  }
  const counts = snapshotCounts(info, pages, status);
  return (
    <section className={styles.pitPanel} data-testid="pit-panel" data-as-of={info.asOf}>
      <h2>Point in time</h2>
      <dl className={styles.pitFacts}>
        <dt>T</dt>
        <dd>
          <b>
            <Time iso={info.asOf} ms="auto" testId="pit-as-of" />
          </b>{" "}
          <span className="muted">(server clock)</span>
        </dd>
        <dt>Chosen how</dt>
        <dd data-testid="pit-source">{asOfSourceText(info.asOfSource)}</dd>
        <dt>Clock</dt>
        <dd data-testid="pit-clock">
          {clockOffsetText(info.clock, info.asOfSource)}
          {info.clock !== null ? (
            <span className="muted">
              {" "}
              · measured <Time iso={info.clock.measuredAt} />
            </span>
          ) : null}
        </dd>
        <dt>Versioning</dt>
        <dd data-testid="pit-versioning">{VERSIONING_TEXT[info.versioning]}</dd>
        {info.earliestVersionedAt !== null ? (
          <>
            <dt>Versioned since</dt>
            <dd>
              <Time iso={info.earliestVersionedAt} ms="auto" /> at the latest (the oldest version with an id); before then, keys written unversioned cannot be rebuilt
            </dd>
          </>
        ) : null}
      </dl>
      <div className={`${styles.stats} ${styles.pitCounts}`} data-testid="pit-counts">
        <Count label="Keys at T" value={keys} sub="present, with their version" testId="pit-keys" />
        <Count label="Versions read" value={counts.versions} sub="ListObjectVersions" testId="pit-versions" />
        <Count label="Delete markers" value={counts.deleteMarkers} sub="read" testId="pit-delete-markers" />
        <Count label="Null versions" value={counts.nullVersions} sub="written unversioned" testId="pit-null-versions" />
        <Count label="Absent at T" value={counts.absentKeys} sub="keys with history, not there at T" testId="pit-absent" />
        <Count label="Ties" value={counts.ties} sub="changed in T's second" testId="pit-ties-count" />
      </div>
      <CrossCheckLine info={info} status={status} />
      {info.warnings.length > 0 ? (
        <div className={`${styles.explain} ${styles.warn}`} data-testid="pit-warnings">
          <div className={styles.explainTitle}>{info.warnings.length === 1 ? "Warning" : "Warnings"}</div>
          <ul className={styles.pitList}>
            {info.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <TiesTable pages={pages} />
      <Limits />
    </section>
  );
}
