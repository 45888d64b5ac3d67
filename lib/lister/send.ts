import "server-only";
import { describeS3Error, isAbortError } from "@/lib/connections";
import type { PassError } from "@/lib/wire";

export interface RetryPolicy {
  /** Extra tries of the same page after the SDK's own retries gave up. */
  passRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { passRetries: 3, baseDelayMs: 500, maxDelayMs: 10_000 };

export type Sent<T> =
  | { ok: true; res: T; requestedAt: number; receivedAt: number; attempts: number }
  | { ok: false; aborted: boolean; error: PassError; requestedAt: number; receivedAt: number; attempts: number };

/** Resolves after `ms` (at once when `ms` <= 0) or as soon as `signal` aborts, whichever is first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

function attemptsOf(x: unknown): number {
  if (x !== null && typeof x === "object" && "$metadata" in x) {
    const meta = x.$metadata;
    if (meta !== null && typeof meta === "object" && "attempts" in meta && typeof meta.attempts === "number") return meta.attempts;
  }
  return 1;
}

/**
 * One page request with the pass-level retries on top of the SDK's own: a retryable failure is tried
 * again with capped, jittered backoff; anything else (or the last failure) is returned, never thrown.
 */
export async function sendWithRetry<T>(
  send: (signal: AbortSignal) => Promise<T>,
  ctx: { connection: string; bucket: string },
  retry: RetryPolicy,
  signal: AbortSignal,
): Promise<Sent<T>> {
  const requestedAt = Date.now();
  let attempts = 0;
  for (let tryIndex = 0; ; tryIndex++) {
    try {
      const res = await send(signal);
      attempts += attemptsOf(res);
      return { ok: true, res, requestedAt, receivedAt: Date.now(), attempts };
    } catch (err) {
      attempts += attemptsOf(err);
      const aborted = signal.aborted || isAbortError(err);
      const error = describeS3Error(err, ctx);
      if (aborted || !error.retryable || tryIndex >= retry.passRetries) {
        return { ok: false, aborted, error, requestedAt, receivedAt: Date.now(), attempts };
      }
      const cap = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** tryIndex);
      await sleep(cap / 2 + Math.random() * (cap / 2), signal);
      if (signal.aborted) return { ok: false, aborted: true, error, requestedAt, receivedAt: Date.now(), attempts };
    }
  }
}
