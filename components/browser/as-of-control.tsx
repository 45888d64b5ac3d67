"use client";

import { useState } from "react";
import { UnavailableNote, type Unavailable } from "@/components/unavailable";
import { instantSchema } from "@/lib/wire";
import styles from "./browser.module.css";

export interface AsOfControlProps {
  /** The T in the URL (normalized ISO), or null in the live view. */
  asOf: string | null;
  onApply: (asOf: string) => void;
  onNow: () => void;
  /** Why going back in time cannot work on this bucket (never versioned), said before anyone tries; null when it can. */
  unavailable?: Unavailable | null;
}

/** Picks T: an ISO instant typed in UTC (or with its own zone), applied into the URL. */
export function AsOfControl({ asOf, onApply, onNow, unavailable = null }: AsOfControlProps) {
  const [draft, setDraft] = useState(asOf ?? "");
  const [seen, setSeen] = useState(asOf);
  const [problem, setProblem] = useState<string | null>(null);
  // A T that arrives from the URL (back button, a link) replaces what is typed.
  if (seen !== asOf) {
    setSeen(asOf);
    setDraft(asOf ?? "");
    setProblem(null);
  }
  const apply = () => {
    const parsed = instantSchema.safeParse(draft.trim());
    if (!parsed.success) {
      setProblem(parsed.error.issues.map((i) => i.message).join("; "));
      return;
    }
    if (Date.parse(parsed.data) > Date.now()) {
      setProblem("this time is still to come: pick a moment in the past");
      return;
    }
    setProblem(null);
    onApply(parsed.data);
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
      <label className={styles.field} title="Show the bucket as it was at this instant, rebuilt from object versions (versioned buckets only)">
        As of
        <input
          type="text"
          aria-label="As of time"
          className={styles.asOfInput}
          placeholder="2024-02-15T00:00:00Z"
          value={draft}
          spellCheck={false}
          aria-invalid={problem !== null}
          disabled={unavailable !== null}
          aria-describedby={unavailable !== null ? "as-of-unavailable" : undefined}
          onChange={(e) => setDraft(e.target.value)}
        />
      </label>
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
        <span className={styles.actionError} role="alert" data-testid="as-of-problem">
          {problem}
        </span>
      ) : null}
    </form>
  );
}
