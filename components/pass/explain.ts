import type { PageRecord, ParallelInfo, PassError, PassStatus } from "@/lib/wire";

// Why a pass stopped, in words a person can act on. The server's message is kept (it names the
// bucket, the connection, S3's own words); this adds what it means for the recorded pages and what
// to do next.

export interface Explanation {
  tone: "bad" | "warn" | "neutral";
  title: string;
  detail: string;
  /** S3's error code, HTTP status and request id, for a support ticket. */
  facts: string[];
}

const CAUSES: Record<string, { title: string; next: string }> = {
  throttled: {
    title: "S3 asked to slow down and the retries ran out",
    next: "The endpoint is throttling list requests (SlowDown / HTTP 503). Resume later: the pass continues from the page that failed.",
  },
  upstream_unreachable: {
    title: "The S3 endpoint could not be reached",
    next: "The connection dropped or was refused before S3 answered. Check that the endpoint is up, then resume.",
  },
  upstream_error: {
    title: "S3 answered with a server error",
    next: "The endpoint failed the request (HTTP 5xx) on every retry. Resume to try that page again.",
  },
  access_denied: {
    title: "Access was denied",
    next: "The connection's credentials may not list this bucket (s3:ListBucket), or they expired. Fix the credentials, then resume.",
  },
  no_such_bucket: {
    title: "The bucket does not exist",
    next: "It was deleted or renamed while the pass ran. Resuming will fail the same way.",
  },
  invalid_token: {
    title: "S3 rejected the continuation token",
    next: "The token was stale or not one S3 issued. Resume continues after the last recorded key instead of from the token.",
  },
  unknown_connection: {
    title: "The connection is no longer configured",
    next: "The server's configuration no longer names this connection. Restore it to resume.",
  },
  short_listing: {
    title: "The server ended the listing early",
    next: "Resume continues after the last key recorded (a snapshot whose walk reached its end re-runs the cross-check); if the server keeps ending early, its listings of this prefix cannot be trusted.",
  },
  internal_error: {
    title: "The server stopped the pass on an unexpected error",
    next: "The error is in the server log under the id above. Resume to continue.",
  },
  // Passes recorded before the code was renamed.
  internal: {
    title: "The server stopped the pass on an unexpected error",
    next: "The error is in the server log. The recorded pages are kept; resume to continue.",
  },
  storage_unavailable: {
    title: "The database refused to record the pass",
    next: "The disk may be full, or another process holds the database's lock (a backup, another bucketscope on the same data directory).",
  },
  time_limit: {
    title: "The race-lab experiment running this pass reached its time limit",
    next: "The experiment stopped the pass and cleaned its prefix up; its page says more.",
  },
  log_limit: {
    title: "The race-lab experiment running this pass reached its log limit",
    next: "The experiment stopped the pass and cleaned its prefix up; its page says more.",
  },
};

function factsOf(error: PassError): string[] {
  const facts: string[] = [];
  if (error.s3Code !== null) facts.push(`S3 code ${error.s3Code}`);
  if (error.httpStatus !== null) facts.push(`HTTP ${error.httpStatus}`);
  if (error.requestId !== null) facts.push(`request id ${error.requestId}`);
  facts.push(error.retryable ? "retryable" : "not retryable");
  return facts;
}

/** Null when there is nothing to explain (running or complete without an error). */
export function explainPass(status: PassStatus, error: PassError | null, pagesRecorded: number): Explanation | null {
  const kept = pagesRecorded === 1 ? "The 1 recorded page is kept." : `The ${pagesRecorded} recorded pages are kept.`;
  if (status === "interrupted") {
    return {
      tone: "warn",
      title: "Interrupted: the server stopped while this pass was running",
      detail: `The dashboard was restarted or crashed mid-walk. ${kept} Resume continues after the last one.`,
      facts: [],
    };
  }
  if (status === "cancelled") {
    return {
      tone: "neutral",
      title: "Cancelled before the listing reached its end",
      detail: `${kept} Resume continues where it stopped.`,
      facts: [],
    };
  }
  if (error === null) return null;
  const cause = CAUSES[error.code] ?? { title: "The pass failed", next: "Resume to try the failed page again." };
  return {
    tone: "bad",
    title: cause.title,
    detail: `${error.message} ${cause.next} ${status === "failed" ? kept : ""}`.trim(),
    facts: factsOf(error),
  };
}

/** A failed page's reason in one short line, for the pages table. */
export function pageErrorLabel(error: PassError): string {
  if (error.code === "short_listing") return "ended early";
  return error.s3Code ?? (error.httpStatus !== null ? `HTTP ${error.httpStatus}` : error.code);
}

const cursors = (n: number) => `${n} ${n === 1 ? "cursor" : "cursors"}`;

/**
 * How a parallel pass lists, in words: its cursors now and at most, why there are fewer (the
 * connection's cap, S3's 503 SlowDown), its key ranges, and a fallback to one cursor with the reason.
 */
export function explainParallel(info: ParallelInfo, running: boolean): Explanation {
  const limit = info.cap ?? info.requested;
  const { ranges } = info;
  const facts = [
    `${ranges.total} key ${ranges.total === 1 ? "range" : "ranges"}${running ? ` (${ranges.listing} listing, ${ranges.pending} waiting, ${ranges.done} done)` : ""}`,
  ];
  if (ranges.withdrawn > 0) facts.push(`${ranges.withdrawn} withdrawn`);
  if (info.cap !== null) facts.push(`asked for ${info.requested}, the connection allows ${info.cap}`);
  if (info.throttled > 0) facts.push(`${info.throttled} × 503 SlowDown, down to ${cursors(info.lowest)}`);
  const notes = info.notes.filter((n) => n.kind !== "fallback").slice(-3).map((n) => n.message);
  if (info.fallback !== null) {
    return { tone: "warn", title: "Fell back to one cursor", detail: info.fallback.message, facts };
  }
  const title = running ? `Listing with ${info.current} of ${cursors(limit)}` : `Listed with up to ${cursors(limit)}`;
  const detail =
    notes.length > 0
      ? notes.join(" ")
      : `The keys were split into ranges listed at once, each from StartAfter; the pages are recorded as one pass, in key order.`;
  return { tone: info.throttled > 0 || info.cap !== null ? "warn" : "neutral", title, detail, facts };
}

export const PAGE_FLAG_LABEL: Record<NonNullable<PageRecord["flags"]>[number]["kind"], string> = {
  marker_repaired: "marker repaired",
  end_verified: "end verified",
};

/**
 * Pages where the server answered oddly and the walk got past it (a next marker that named the wrong
 * entry, an empty last page after a truncated one): worth knowing about a pass that looks complete.
 */
export function explainFlags(pages: readonly PageRecord[]): Explanation | null {
  const flagged = pages.filter((p) => (p.flags?.length ?? 0) > 0);
  const first = flagged[0];
  const flag = first?.flags?.[0];
  if (first === undefined || flag === undefined) return null;
  const repaired = flagged.some((p) => p.flags?.some((f) => f.kind === "marker_repaired") === true);
  const n = flagged.length;
  return {
    tone: repaired ? "warn" : "neutral",
    title: repaired
      ? `The server sent listing markers that named the wrong entry on ${n} ${n === 1 ? "page" : "pages"}; the walk continued from its own`
      : `The server ended the listing with an empty page after a truncated one; a check found nothing more`,
    detail: `Page ${first.index + 1}: ${flag.message}${n > 1 ? ` (and ${n - 1} more ${n === 2 ? "page" : "pages"}: see the Pages tab)` : ""}`,
    facts: [],
  };
}
