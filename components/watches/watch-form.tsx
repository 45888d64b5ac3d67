"use client";

import { useState, type FormEvent } from "react";
import { PAGE_SIZE_CHOICES } from "@/components/browser/search-params";
import { ConcurrencySelect } from "@/components/pass/concurrency";
import { DEFAULT_KEEP_PASSES, type WatchCreateInput } from "@/lib/wire";
import { INTERVAL_UNITS, intervalProblem, toSeconds, type IntervalUnit } from "./interval";
import styles from "./watches.module.css";

export interface WatchTarget {
  connection: string;
  bucket: string;
  prefix: string;
}

export interface WatchFormProps {
  /** The watched bucket/prefix when the form belongs to one (history page); else it asks for it. */
  target: WatchTarget | null;
  connections: readonly string[];
  pending: boolean;
  error: string | null;
  onSubmit: (input: WatchCreateInput) => void;
  /** The setting the form starts from (the history series on show); flat, pages of 1000 otherwise. */
  defaults?: { pageSize: number; delimiter: string | null } | null;
}

export function WatchForm({ target, connections, pending, error, onSubmit, defaults = null }: WatchFormProps) {
  const [connection, setConnection] = useState(target?.connection ?? connections[0] ?? "sandbox");
  const [bucket, setBucket] = useState(target?.bucket ?? "");
  const [prefix, setPrefix] = useState(target?.prefix ?? "");
  const [every, setEvery] = useState("5");
  const [unit, setUnit] = useState<IntervalUnit>("minutes");
  const [pageSize, setPageSize] = useState(defaults?.pageSize ?? 1000);
  const [concurrency, setConcurrency] = useState(1);
  const [folders, setFolders] = useState(defaults?.delimiter === "/");
  const [keepPasses, setKeepPasses] = useState(String(DEFAULT_KEEP_PASSES));
  const [keepDays, setKeepDays] = useState("");
  const [keepMegabytes, setKeepMegabytes] = useState("");
  const [problem, setProblem] = useState<string | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = Number(every);
    const bad = intervalProblem(value, unit);
    const kp = keepPasses.trim() === "" ? null : Number(keepPasses);
    const kd = keepDays.trim() === "" ? null : Number(keepDays);
    const km = keepMegabytes.trim() === "" ? null : Number(keepMegabytes);
    if (bad !== null) return setProblem(bad);
    if (kp === null && kd === null && km === null) return setProblem("Keep the last passes, the passes of the last days or the history up to a size, so that old passes are pruned.");
    if (kp !== null && (!Number.isInteger(kp) || kp < 1)) return setProblem("Keep at least 1 pass.");
    if (kd !== null && !(kd > 0)) return setProblem("Keep more than 0 days.");
    if (km !== null && !(km > 0)) return setProblem("Keep more than 0 MB.");
    setProblem(null);
    onSubmit({
      connection: target?.connection ?? connection,
      bucket: target?.bucket ?? bucket.trim(),
      prefix: target?.prefix ?? prefix,
      delimiter: folders ? "/" : undefined,
      pageSize,
      concurrency,
      everySeconds: toSeconds(value, unit),
      keepPasses: kp,
      keepDays: kd,
      keepMegabytes: km,
    });
  };

  const shown = problem ?? error;
  return (
    <form className={styles.form} onSubmit={submit} data-testid="watch-form">
      {target === null ? (
        <>
          <label className={styles.field}>
            Connection
            <select value={connection} onChange={(e) => setConnection(e.target.value)}>
              {connections.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <label className={styles.field}>
            Bucket
            <input className={styles.wide} value={bucket} onChange={(e) => setBucket(e.target.value)} required placeholder="my-bucket" />
          </label>
          <label className={styles.field}>
            Prefix
            <input className={`${styles.wide} ${styles.mono}`} value={prefix} onChange={(e) => setPrefix(e.target.value)} placeholder="(whole bucket)" />
          </label>
        </>
      ) : null}
      <label className={styles.field}>
        List again every
        <span className={styles.inline}>
          <input className={styles.narrow} type="number" min={1} step="any" value={every} onChange={(e) => setEvery(e.target.value)} aria-label="Interval" />
          <select value={unit} onChange={(e) => setUnit(e.target.value as IntervalUnit)} aria-label="Interval unit">
            {INTERVAL_UNITS.map((u) => (
              <option key={u.unit} value={u.unit}>
                {u.unit}
              </option>
            ))}
          </select>
        </span>
      </label>
      <label className={styles.field}>
        Page size
        <select value={pageSize} onChange={(e) => setPageSize(Number(e.target.value))} aria-label="Watch page size">
          {[...new Set<number>([...PAGE_SIZE_CHOICES, pageSize])].sort((a, b) => a - b).map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <label className={styles.field}>
        Cursors
        <ConcurrencySelect value={concurrency} onChange={setConcurrency} label="Watch cursors" />
      </label>
      <label className={`${styles.field} ${styles.check}`}>
        <input type="checkbox" checked={folders} onChange={(e) => setFolders(e.target.checked)} /> folders by “/”
      </label>
      <label className={styles.field}>
        Keep the last … passes
        <input className={styles.narrow} type="number" min={1} value={keepPasses} onChange={(e) => setKeepPasses(e.target.value)} aria-label="Keep passes" />
      </label>
      <label className={styles.field}>
        … of at most … days
        <input className={styles.narrow} type="number" min={0} step="any" value={keepDays} onChange={(e) => setKeepDays(e.target.value)} placeholder="—" aria-label="Keep days" />
      </label>
      <label className={styles.field}>
        … up to … MB of history
        <input className={styles.narrow} type="number" min={0} step="any" value={keepMegabytes} onChange={(e) => setKeepMegabytes(e.target.value)} placeholder="—" aria-label="Keep megabytes" />
      </label>
      <button type="submit" className="primary" disabled={pending} data-testid="create-watch">
        {pending ? "Starting…" : "Start watching"}
      </button>
      {shown !== null ? (
        <div className={styles.formError} role="alert">
          {shown}
        </div>
      ) : null}
    </form>
  );
}
