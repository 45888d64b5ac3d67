"use client";

import Link from "next/link";
import { compareHref } from "@/components/diff/search-params";
import { formatCount, plural, visibleKey } from "@/components/format";
import { Time, useTimeZone } from "@/components/format/time";
import { describeSeries } from "@/components/history/series";
import { passHref } from "@/components/pass/search-params";
import type { DiffRow, KeyFieldChange, PassSummary } from "@/lib/wire";
import {
  countsLabel,
  FIELD_LABELS,
  fieldValueTitle,
  formatFieldValue,
  pageOfRow,
  rowFieldChanges,
  sameRunLabel,
  type KeyEventKind,
  type KeyTimelineItem,
  type PrefixTimelineItem,
} from "./timeline";
import styles from "./key-history.module.css";

const EVENT_WORDS: Record<KeyEventKind, string> = {
  first_listed: "listed",
  first_absent: "not listed",
  appeared: "appeared",
  changed: "changed",
  disappeared: "disappeared",
};

/** A pass as a link: when it was recorded (the page the key was on, numbered from 1), and how it listed when that is not the usual flat listing. */
function PassLink({ pass, page = null, current = false }: { pass: PassSummary; page?: number | null; current?: boolean }) {
  const unusual = pass.kind !== "list" || pass.delimiter !== null || pass.startAfter !== null;
  return (
    <>
      <Link href={passHref(pass.id, page !== null ? { page } : {})} className={styles.when} prefetch={false} title={`pass ${pass.id}`} data-testid="timeline-pass">
        <Time iso={pass.createdAt} />
      </Link>{" "}
      {page !== null ? <span className={styles.sub}>page {formatCount(page + 1)} </span> : null}
      {current ? <span className="badge accent">this pass </span> : null}
      {pass.status !== "complete" ? <span className="badge warn">{pass.status} </span> : null}
      {unusual ? <span className={styles.sub}>{describeSeries(pass)}</span> : null}
    </>
  );
}

export function FieldChanges({ fields }: { fields: readonly KeyFieldChange[] }) {
  const choice = useTimeZone();
  return (
    <ul className={styles.fields}>
      {fields.map((f) => (
        <li key={f.field} data-testid="field-change" data-field={f.field}>
          <span className={styles.fieldName}>{FIELD_LABELS[f.field]}</span>{" "}
          <span className={styles.from} title={fieldValueTitle(f.field, f.from)}>
            {formatFieldValue(f.field, f.from, choice)}
          </span>
          <span className={styles.arrow}>→</span>
          <span className={styles.to} title={fieldValueTitle(f.field, f.to)}>
            {formatFieldValue(f.field, f.to, choice)}
          </span>
        </li>
      ))}
    </ul>
  );
}

function RunOfPasses({ passes }: { passes: readonly PassSummary[] }) {
  const first = passes[0];
  const last = passes[passes.length - 1];
  if (first === undefined || last === undefined) return null;
  return first === last ? (
    <PassLink pass={first} />
  ) : (
    <span className={styles.sub}>
      <Link href={passHref(first.id)} prefetch={false}>
        <Time iso={first.createdAt} />
      </Link>{" "}
      to{" "}
      <Link href={passHref(last.id)} prefetch={false}>
        <Time iso={last.createdAt} />
      </Link>
    </span>
  );
}

/** A run of passes in which nothing happened, in one muted line. */
function QuietRun({ testId, label, passes }: { testId: string; label: string; passes: readonly PassSummary[] }) {
  return (
    <li className={`${styles.item} ${styles.quietItem}`} data-testid={testId}>
      <div className={styles.line}>
        <span>{label}</span> <RunOfPasses passes={passes} />
      </div>
    </li>
  );
}

const NOT_COVERED_WORDS = {
  not_covered: "did not reach this key (a start-after, or stopped before it)",
  rolled_up: "folded it into a common prefix (listed by folder)",
};

/** One key through the passes, newest first. */
export function KeyTimeline({ items, currentPassId = null }: { items: readonly KeyTimelineItem[]; currentPassId?: string | null }) {
  return (
    <ol className={styles.timeline} data-testid="key-timeline">
      {items.map((item) => {
        if (item.type === "event") {
          const p = item.point;
          return (
            <li key={p.pass.id} className={`${styles.item} ${styles[item.kind]}`} data-testid="timeline-event" data-kind={item.kind}>
              <div className={styles.line}>
                <span className={styles.what}>{EVENT_WORDS[item.kind]}</span>{" "}
                <PassLink pass={p.pass} page={p.entry?.page ?? null} current={p.pass.id === currentPassId} />
              </div>
              {item.kind === "first_listed" || item.kind === "first_absent" ? (
                <div className={styles.sub}>{item.earliest ? "the first recorded pass that covers this key" : "the first pass listed this way: compared only with passes listed the same way"}</div>
              ) : null}
              {item.kind === "changed" ? <FieldChanges fields={p.fields} /> : null}
            </li>
          );
        }
        if (item.type === "same") return <QuietRun key={`same-${item.point.pass.id}`} testId="timeline-same" label={sameRunLabel(item)} passes={item.passes} />;
        const label = `${plural(item.passes.length, "pass", "passes")} ${NOT_COVERED_WORDS[item.reason]}`;
        return <QuietRun key={`nc-${item.passes[0]?.id ?? ""}`} testId="timeline-not-covered" label={label} passes={item.passes} />;
      })}
    </ol>
  );
}

function KeyChange({ row, pass, previousId }: { row: DiffRow; pass: PassSummary; previousId: string | null }) {
  const at = pageOfRow(row);
  const id = at?.pass === "previous" ? previousId : pass.id;
  const sign = row.kind === "added" ? "+" : row.kind === "removed" ? "−" : "~";
  const signClass = row.kind === "added" ? styles.plus : row.kind === "removed" ? styles.minus : styles.tilde;
  const words = row.kind === "added" ? "appeared" : row.kind === "removed" ? "disappeared" : "changed";
  return (
    <li data-testid="prefix-key" data-kind={row.kind} data-key={row.key}>
      <span className={`${styles.sign} ${signClass}`} title={words} aria-label={words}>
        {sign}
      </span>
      {id !== null && at !== null ? (
        <Link href={passHref(id, { page: at.page })} className={styles.key} prefetch={false} title={`${words}; page ${at.page + 1} of ${at.pass === "previous" ? "the pass before" : "this pass"}`}>
          {visibleKey(row.key)}
        </Link>
      ) : (
        <span className={styles.key}>{visibleKey(row.key)}</span>
      )}
      {row.kind === "changed" ? <FieldChanges fields={rowFieldChanges(row)} /> : null}
    </li>
  );
}

/** The keys under a prefix through the passes, newest first. */
export function PrefixTimeline({ items }: { items: readonly PrefixTimelineItem[] }) {
  return (
    <ol className={styles.timeline} data-testid="prefix-timeline">
      {items.map((item) => {
        if (item.type === "changes") {
          const p = item.point;
          const listed = p.keys.length;
          const total = p.counts.appeared + p.counts.changed + p.counts.disappeared;
          const kind = p.counts.changed > 0 || (p.counts.appeared > 0 && p.counts.disappeared > 0) ? "changed" : p.counts.appeared > 0 ? "appeared" : "disappeared";
          return (
            <li key={p.pass.id} className={`${styles.item} ${styles[kind]}`} data-testid="timeline-event" data-kind="changes">
              <div className={styles.line}>
                <span className={styles.what}>{countsLabel(p.counts)}</span>{" "}
                <PassLink pass={p.pass} />
              </div>
              <ul className={styles.keys}>
                {p.keys.map((row) => (
                  <KeyChange key={row.key} row={row} pass={p.pass} previousId={p.previousId} />
                ))}
              </ul>
              {p.keysTruncated && p.previousId !== null ? (
                <div className={styles.sub}>
                  and {formatCount(total - listed)} more:{" "}
                  <Link href={compareHref({ a: p.previousId, b: p.pass.id, only: "changes", allowIncomplete: p.pass.status !== "complete" })} prefetch={false}>
                    compare the two passes
                  </Link>
                </div>
              ) : null}
            </li>
          );
        }
        if (item.type === "first") {
          return (
            <li key={item.point.pass.id} className={`${styles.item} ${styles.first_listed}`} data-testid="timeline-event" data-kind="first">
              <div className={styles.line}>
                <span className={styles.what}>first pass</span>{" "}
                <PassLink pass={item.point.pass} />
              </div>
              <div className={styles.sub}>{item.earliest ? "the first recorded pass: nothing before it to compare with" : "the first pass listed this way: compared only with passes listed the same way"}</div>
            </li>
          );
        }
        if (item.type === "same") {
          const label = `no key changed in ${plural(item.passes.length, "pass", "passes")}`;
          return <QuietRun key={`same-${item.point.pass.id}`} testId="timeline-same" label={label} passes={item.passes} />;
        }
        const label = `${plural(item.passes.length, "pass", "passes")} listed none of these keys`;
        return <QuietRun key={`nc-${item.passes[0]?.id ?? ""}`} testId="timeline-not-covered" label={label} passes={item.passes} />;
      })}
    </ol>
  );
}
