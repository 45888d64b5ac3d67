"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { formatTime, parseTimeInput, pickerValue, zoneLabel, type TimeZoneChoice } from "@/components/format";
import { useTimeZone } from "@/components/format/time";
import { bucketsQuery } from "@/components/home/queries";
import { UnavailableNote, type Unavailable } from "@/components/unavailable";
import styles from "./browser.module.css";

export interface AsOfControlProps {
  connection: string;
  bucket: string;
  /** The T in the URL (normalized ISO), or null in the live view. */
  asOf: string | null;
  onApply: (asOf: string) => void;
  onNow: () => void;
  /** Why going back in time cannot work on this bucket (never versioned), said before anyone tries; null when it can. */
  unavailable?: Unavailable | null;
}

/** What the typed text stands for, said before Apply: the instant, or why it cannot be used. */
export function asOfVerdict(
  draft: string,
  choice: TimeZoneChoice,
  now: number,
  bucketCreatedAt: string | null,
): { iso: string | null; problem: string | null; note: string | null; early: boolean } {
  if (draft.trim() === "") return { iso: null, problem: "type a date, or a date and time", note: null, early: false };
  const parsed = parseTimeInput(draft, choice);
  if (!parsed.ok) return { iso: null, problem: parsed.message, note: null, early: false };
  const shown = formatTime(parsed.iso, choice, { ms: "auto" });
  if (Date.parse(parsed.iso) > now) return { iso: null, problem: `${shown} is still to come: pick a moment in the past`, note: null, early: true };
  if (bucketCreatedAt !== null && Date.parse(parsed.iso) < Date.parse(bucketCreatedAt)) {
    return {
      iso: parsed.iso,
      problem: null,
      note: `${shown} is before this bucket was created (${formatTime(bucketCreatedAt, choice)}): it held nothing then`,
      early: true,
    };
  }
  return { iso: parsed.iso, problem: null, note: `= ${shown}`, early: true };
}

/**
 * Picks T: a date, or a date and time with or without seconds, read in the app's zone (or the zone
 * it names), typed or picked; what it stands for is said before it is applied into the URL.
 */
export function AsOfControl({ connection, bucket, asOf, onApply, onNow, unavailable = null }: AsOfControlProps) {
  const choice = useTimeZone();
  const shownT = asOf !== null ? formatTime(asOf, choice, { zone: false, ms: "auto" }) : "";
  const [draft, setDraft] = useState(shownT);
  const [seen, setSeen] = useState(shownT);
  const [tried, setTried] = useState(false);
  // "Still to come" is judged against the moment of the last edit.
  const [now, setNow] = useState(() => Date.now());
  // A T that arrives from the URL (back button, a link), or the zone switched, replaces what is typed.
  if (seen !== shownT) {
    setSeen(shownT);
    setDraft(shownT);
    setTried(false);
  }
  // The bucket's creation date says, before Apply, that a T before it can hold nothing.
  const buckets = useQuery({ ...bucketsQuery(connection), enabled: draft.trim() !== "" });
  const createdAt = buckets.data?.buckets.find((b) => b.name === bucket)?.createdAt ?? null;
  const verdict = asOfVerdict(draft, choice, now, createdAt);
  // A malformed text is said on Apply (not at every keystroke); what a valid one means, at once.
  const problem = verdict.problem !== null && (tried || verdict.early) ? verdict.problem : null;
  const change = (text: string) => {
    setDraft(text);
    setTried(false);
    setNow(Date.now());
  };
  const apply = () => {
    setTried(true);
    if (verdict.iso !== null) onApply(verdict.iso);
  };
  return (
    <form
      className={styles.asOfControl}
      aria-label="As of"
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <label className={styles.field} title={`Show the bucket as it was at this moment, rebuilt from object versions (versioned buckets only). Read as ${zoneLabel(choice)} time unless you name a zone.`}>
        As of
        <input
          type="text"
          aria-label="As of time"
          className={styles.asOfInput}
          placeholder="2024-03-01 12:30"
          value={draft}
          spellCheck={false}
          aria-invalid={problem !== null}
          disabled={unavailable !== null}
          aria-describedby={unavailable !== null ? "as-of-unavailable" : undefined}
          onChange={(e) => change(e.target.value)}
        />
      </label>
      <input
        type="datetime-local"
        step={1}
        aria-label="Pick the as-of time"
        className={styles.asOfPicker}
        title={`Pick a date and time (${zoneLabel(choice)})`}
        value={verdict.iso !== null ? pickerValue(verdict.iso, choice) : ""}
        disabled={unavailable !== null}
        onChange={(e) => {
          if (e.target.value !== "") change(e.target.value.replace("T", " "));
        }}
      />
      <button type="submit" className={styles.small} disabled={unavailable !== null}>
        Apply
      </button>
      {unavailable !== null ? (
        <UnavailableNote id="as-of-unavailable" why={unavailable} testId="as-of-unavailable" />
      ) : null}
      {asOf !== null ? (
        <button type="button" className={styles.small} onClick={onNow} title="Leave as-of mode: list the bucket as it is now">
          Now
        </button>
      ) : null}
      {problem !== null ? (
        <span className={`${styles.actionError} ${styles.asOfHint}`} role="alert" data-testid="as-of-problem">
          {problem}
        </span>
      ) : verdict.note !== null && verdict.iso !== asOf ? (
        <span className={`${styles.asOfNote} ${styles.asOfHint}`} data-testid="as-of-preview">
          {verdict.note}
        </span>
      ) : null}
    </form>
  );
}
