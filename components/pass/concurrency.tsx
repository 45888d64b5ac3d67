"use client";

import { MAX_CONCURRENCY } from "@/lib/wire";

/** The choices offered: one cursor (a sequential pass) and powers of two up to the API's limit. */
export const CONCURRENCY_CHOICES: readonly number[] = [1, 2, 4, 8, 16, 32, MAX_CONCURRENCY];

export const CONCURRENCY_TITLE =
  "Cursors listing key ranges at once. 1 lists the bucket in one sequential walk; more split the keys into ranges listed in parallel (S3's 503 SlowDown lowers it, the connection may cap it).";

/** A select of how many cursors a pass lists with; `max` (the connection's cap) marks larger choices. */
export function ConcurrencySelect({
  value,
  onChange,
  max,
  label,
  compact = false,
}: {
  value: number;
  onChange: (n: number) => void;
  max?: number;
  label: string;
  /** Options say "N cursors", for a select without a visible label. */
  compact?: boolean;
}) {
  return (
    <select value={value} onChange={(e) => onChange(Number(e.target.value))} aria-label={label} title={CONCURRENCY_TITLE} name="concurrency" data-testid="concurrency">
      {CONCURRENCY_CHOICES.map((n) => (
        <option key={n} value={n}>
          {compact ? `${n} ${n === 1 ? "cursor" : "cursors"}` : n === 1 ? "1 (sequential)" : String(n)}
          {max !== undefined && n > max ? ` (capped at ${max})` : ""}
        </option>
      ))}
    </select>
  );
}
