"use client";

import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { browseHref } from "@/components/browser/search-params";
import { formatCount, plural, visibleKey } from "@/components/format";
import { keyHistoryQuery, keyPrefixHistoryQuery, PREFIX_TIMELINE_KEYS } from "./queries";
import { KeyTimeline, PrefixTimeline } from "./key-timeline";
import { keyHistoryHref, parseKeyChoice, withKeyChoice, type KeyChoice, type KeyHistoryTarget } from "./search-params";
import { keyTimeline, prefixTimeline } from "./timeline";
import styles from "./key-history.module.css";

const where = (t: { bucket: string; prefix: string }) => (t.prefix === "" ? `“${t.bucket}”` : `“${visibleKey(`${t.bucket}/${t.prefix}`)}”`);

/**
 * The object panel's history of its key: from the passes of the most specific prefix that has any
 * (what the browser shows, its folder, the whole bucket), newest first.
 */
export function ObjectKeyHistory({
  connection,
  bucket,
  objectKey,
  prefixes,
  onRecord,
  recordBusy = false,
  currentPassId = null,
}: {
  connection: string;
  bucket: string;
  objectKey: string;
  /** Most specific first; see coveringPrefixes. */
  prefixes: readonly string[];
  /** Records a pass of the first prefix (the browser's "Record a pass"); absent where that cannot be done. */
  onRecord?: () => void;
  recordBusy?: boolean;
  /** The pass the panel was opened from, marked in the timeline. */
  currentPassId?: string | null;
}) {
  const results = useQueries({ queries: prefixes.map((prefix) => keyHistoryQuery({ connection, bucket, prefix }, objectKey)) });
  let shown: { prefix: string; index: number } | null = null;
  let waiting = false;
  for (const [index, r] of results.entries()) {
    if (r.data !== undefined && r.data.points.length > 0) {
      shown = { prefix: prefixes[index] ?? "", index };
      break;
    }
    if (r.isPending) {
      waiting = true;
      break;
    }
  }
  const failure = results.find((r) => r.error !== null)?.error ?? null;
  const data = shown !== null ? results[shown.index]?.data : undefined;
  const items = useMemo(() => (data !== undefined ? keyTimeline(data.points) : []), [data]);
  const target = { bucket, prefix: prefixes[0] ?? "" };
  return (
    <section aria-label="Key history" data-testid="object-history">
      <div className={styles.heading}>History in recorded passes</div>
      {data !== undefined && shown !== null ? (
        <>
          <p className={styles.note}>
            {plural(data.points.length, "pass", "passes")} of {where({ bucket, prefix: shown.prefix })}
            {data.truncated ? " (the most recent)" : ""}, newest first ·{" "}
            <Link href={keyHistoryHref(connection, bucket, shown.prefix, { mode: "key", value: objectKey })} prefetch={false} data-testid="object-history-link">
              on the history page
            </Link>
          </p>
          <KeyTimeline items={items} currentPassId={currentPassId} />
        </>
      ) : waiting ? (
        <p className={styles.state} role="status">
          Reading this key&rsquo;s recorded passes…
        </p>
      ) : failure !== null ? (
        <div className="error-box" role="alert">
          The key&rsquo;s history cannot be read: {failure.message}
        </div>
      ) : (
        <div className={styles.empty} data-testid="object-history-empty">
          <span>No recorded passes of {where(target)} cover this key yet, so there is no history to show.</span>
          {onRecord !== undefined ? (
            <button type="button" onClick={onRecord} disabled={recordBusy} aria-busy={recordBusy}>
              {recordBusy ? "Recording…" : `Record a pass of ${where(target)}`}
            </button>
          ) : null}
          <span className={styles.sub}>Each pass lists every key once; this timeline then shows when the key appeared, changed or disappeared.</span>
        </div>
      )}
    </section>
  );
}

/** The history page's form: one key, or the keys under a prefix; the choice lives in the address. */
export function KeyChoiceForm({ choice }: { choice: KeyChoice | null }) {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const [mode, setMode] = useState<KeyChoice["mode"]>(choice?.mode ?? "key");
  const [value, setValue] = useState(choice?.value ?? "");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next: KeyChoice | null = mode === "key" && value === "" ? null : { mode, value };
    router.push(`${pathname}${withKeyChoice(search.toString(), next)}`, { scroll: false });
  };
  return (
    <form className={styles.form} onSubmit={submit} data-testid="key-choice-form" role="search" aria-label="Follow a key">
      <select aria-label="Follow" value={mode} onChange={(e) => setMode(e.target.value === "keyPrefix" ? "keyPrefix" : "key")} data-testid="key-choice-mode">
        <option value="key">the key</option>
        <option value="keyPrefix">the keys under</option>
      </select>
      <input
        aria-label={mode === "key" ? "Key" : "Key prefix"}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        placeholder={mode === "key" ? "a key, e.g. photos/a.jpg" : "a prefix, e.g. photos/ (empty: every key)"}
        data-testid="key-choice-input"
      />
      <button type="submit">Follow</button>
      {choice !== null ? (
        <Link href={`${pathname}${withKeyChoice(search.toString(), null)}`} scroll={false} prefetch={false}>
          Clear
        </Link>
      ) : null}
    </form>
  );
}

function KeyResult({ target, objectKey }: { target: KeyHistoryTarget; objectKey: string }) {
  const q = useQuery(keyHistoryQuery(target, objectKey));
  const items = useMemo(() => (q.data !== undefined ? keyTimeline(q.data.points) : []), [q.data]);
  if (q.error !== null) {
    return (
      <div className="error-box" role="alert">
        This key&rsquo;s history cannot be read: {q.error.message}
      </div>
    );
  }
  if (q.data === undefined) return <p className={styles.state} role="status">Reading the key in every recorded pass…</p>;
  if (q.data.points.length === 0) return <NoPasses target={target} />;
  const outside = !objectKey.startsWith(target.prefix);
  return (
    <>
      {outside ? <p className={styles.note}>This key does not begin with {where(target)}: no pass of this history can have listed it.</p> : null}
      <KeyTimeline items={items} />
    </>
  );
}

function PrefixResult({ target, keyPrefix }: { target: KeyHistoryTarget; keyPrefix: string }) {
  const q = useQuery(keyPrefixHistoryQuery(target, keyPrefix));
  const items = useMemo(() => (q.data !== undefined ? prefixTimeline(q.data.points) : []), [q.data]);
  if (q.error !== null) {
    return (
      <div className="error-box" role="alert">
        The history of these keys cannot be read: {q.error.message}
      </div>
    );
  }
  if (q.data === undefined) return <p className={styles.state} role="status">Comparing each recorded pass with the one before it…</p>;
  if (q.data.points.length === 0) return <NoPasses target={target} />;
  return (
    <>
      <p className={styles.note}>Each pass against the latest complete pass before it listed the same way; at most {formatCount(PREFIX_TIMELINE_KEYS)} keys per pass are named.</p>
      <PrefixTimeline items={items} />
    </>
  );
}

function NoPasses({ target }: { target: KeyHistoryTarget }) {
  return (
    <div className={styles.empty} data-testid="key-history-empty">
      <span>No recorded passes of {where(target)} cover this key.</span>
      <Link href={browseHref(target.connection, target.bucket, { prefix: target.prefix })} prefetch={false}>
        Open {where(target)} and record a pass
      </Link>
    </div>
  );
}

/**
 * The history page's key section: the form, and the timeline of what the address names. `passes`
 * changes when a pass of the target is added or ends (the page polls for those): the timeline is
 * read again then.
 */
export function KeyHistoryBlock({ target, passes }: { target: KeyHistoryTarget; passes: string }) {
  const choice = parseKeyChoice(useSearchParams());
  const queryClient = useQueryClient();
  const seen = useRef(passes);
  useEffect(() => {
    if (seen.current === passes) return;
    seen.current = passes;
    void queryClient.invalidateQueries({ queryKey: ["key-history"] });
    void queryClient.invalidateQueries({ queryKey: ["key-prefix-history"] });
  }, [passes, queryClient]);
  const formKey = choice === null ? "none" : `${choice.mode}:${choice.value}`;
  return (
    <section className={styles.section} aria-label="Key history" data-testid="key-history">
      <div className={styles.sectionHead}>
        <h2>
          {choice === null ? (
            "Follow a key through these passes"
          ) : choice.mode === "key" ? (
            <>
              The key <span className={styles.key}>{visibleKey(choice.value)}</span>
            </>
          ) : (
            <>
              The keys under <span className={styles.key}>{choice.value === "" ? "(every key)" : visibleKey(choice.value)}</span>
            </>
          )}
        </h2>
        <KeyChoiceForm key={formKey} choice={choice} />
      </div>
      {choice === null ? (
        <p className={styles.note}>When one key, or the keys under a prefix, appeared, changed or disappeared, pass by pass.</p>
      ) : choice.mode === "key" ? (
        <KeyResult target={target} objectKey={choice.value} />
      ) : (
        <PrefixResult target={target} keyPrefix={choice.value} />
      )}
    </section>
  );
}
