import { formatBytes, formatCount, formatDuration } from "@/components/format";
import styles from "./browser.module.css";

export type ListingPhase =
  | { kind: "listing"; loadingPage: number }
  | { kind: "complete"; durationMs: number }
  | { kind: "stopped" }
  /** `endedEarly`: the server ended the listing early (short_listing): what is shown is short. */
  | { kind: "failed"; message: string; endedEarly?: boolean };

export interface ListingFigures {
  pages: number;
  objects: number;
  folders: number;
  bytes: number;
}

const DOT: Record<ListingPhase["kind"], string> = {
  listing: styles.dotLive ?? "",
  complete: styles.dotDone ?? "",
  stopped: styles.dotWarn ?? "",
  failed: styles.dotBad ?? "",
};

function plural(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? "" : "s"}`;
}

function headline(phase: ListingPhase): string {
  switch (phase.kind) {
    case "listing":
      return `Listing · loading page ${formatCount(phase.loadingPage)}…`;
    case "complete":
      return `Complete in ${formatDuration(phase.durationMs)}`;
    case "stopped":
      return "Stopped before the last page";
    case "failed":
      return phase.endedEarly === true ? "Listing ended early: the server stopped short, so this is not every key" : "Listing failed";
  }
}

/** `listing` names the request the figures belong to (tests wait on it after the URL changes). */
export function ListingStatus({ phase, figures, listing }: { phase: ListingPhase; figures: ListingFigures; listing: string }) {
  return (
    <div className={styles.status} role="status" data-testid="listing-status" data-phase={phase.kind} data-listing={listing}>
      <div className={styles.statusLine}>
        <span className={`${styles.dot} ${DOT[phase.kind]}`} aria-hidden />
        {headline(phase)}
      </div>
      <div className={styles.statusFigures} data-testid="listing-figures">
        {plural(figures.pages, "page")} · {plural(figures.objects, "object")} · {plural(figures.folders, "folder")} · {formatBytes(figures.bytes)}
      </div>
      {phase.kind === "failed" ? <div className={styles.actionError}>{phase.message}</div> : null}
    </div>
  );
}
