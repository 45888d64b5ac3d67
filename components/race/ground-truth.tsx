import { useTimeZone } from "@/components/format/time";
import type { ExperimentSummary, TruthSnapshot } from "@/lib/wire";
import { groundTruthText } from "./truth-text";

/** How the experiment knows the bucket's true contents, its limits, and what cleanup could not do. */
export function GroundTruth({ experiment, truth }: { experiment: ExperimentSummary; truth: readonly TruthSnapshot[] }) {
  const t = groundTruthText(experiment, truth, useTimeZone());
  return (
    <div className="panel" data-testid="ground-truth">
      <p>
        <strong>{t.title}.</strong> {t.sentence}
      </p>
      {t.note !== null ? <p data-testid="truth-note">{t.note}</p> : null}
      {t.instants.map((line) => (
        <p key={line} className="muted">
          {line}
        </p>
      ))}
      {t.ties.map((line) => (
        <div key={line} className="error-box" data-testid="truth-ties">
          {line}
        </div>
      ))}
      {t.cleanup !== null ? (
        <div className="error-box" data-testid="cleanup-note">
          {t.cleanup}
        </div>
      ) : null}
    </div>
  );
}
