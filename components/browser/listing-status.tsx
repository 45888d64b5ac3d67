import { formatBytes, formatCount, formatDuration, plural } from "@/components/format";
import styles from "./browser.module.css";

export type ListingPhase =
  | { kind: "listing"; loadingPage: number }
  | { kind: "complete"; durationMs: number }
  | { kind: "stopped" }
  /** `endedEarly`: the server ended the listing early (short_listing): what is shown is short. */
  | { kind: "failed"; message: string; endedEarly?: boolean };

export interface ListingFigures {
  pages: number;
  keys: number;
  folders: number;
  bytes: number;
}

const DOT: Record<ListingPhase["kind"], string> = {
  listing: styles.dotLive ?? "",
  complete: styles.dotDone ?? "",
  stopped: styles.dotWarn ?? "",
  failed: styles.dotBad ?? "",
};

function headline(phase: ListingPhase): string {
  switch (phase.kind) {
    case "listing":
      return `Listing · loading page ${formatCount(phase.loadingPage)}…`;
    case "complete":
      return `Complete · listing time ${formatDuration(phase.durationMs)}`;
    case "stopped":
      return "Stopped before the last page";
    case "failed":
      return phase.endedEarly === true ? "Listing ended early: the server stopped short, so this is not every key" : "Listing failed";
  }
}

/**
 * `listing` is the request the rows and figures shown belong to, and `generation` which run of it
 * (every listing started in the page gets the next number): together they say exactly what is on
 * screen, so a test (or a script) can wait for the listing it asked for rather than the one before.
 */
export function ListingStatus({ phase, figures, listing, generation }: { phase: ListingPhase; figures: ListingFigures; listing: string | null; generation: number | null }) {
  return (
    <div
      className={styles.status}
      role="status"
      data-testid="listing-status"
      data-phase={phase.kind}
      data-listing={listing ?? undefined}
      data-generation={generation ?? undefined}
    >
      <div className={styles.statusLine} data-testid="listing-headline">
        <span className={`${styles.dot} ${DOT[phase.kind]}`} aria-hidden />
        {headline(phase)}
      </div>
      <div className={styles.statusFigures} data-testid="listing-figures">
        {plural(figures.pages, "page")} · {plural(figures.keys, "key")} · {plural(figures.folders, "folder")} · {formatBytes(figures.bytes)}
      </div>
      {phase.kind === "failed" ? <div className={styles.actionError}>{phase.message}</div> : null}
    </div>
  );
}
