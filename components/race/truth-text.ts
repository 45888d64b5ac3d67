import { clockOffsetWords, formatTime, plural, type TimeZoneChoice } from "@/components/format";
import { TRUTH_METHODS, type ExperimentSummary, type TruthSnapshot } from "@/lib/wire";

// Words for how an experiment's ground truth was read, for the experiment page (pure, so tested).

export interface GroundTruthText {
  title: string;
  sentence: string;
  /** Why a better method was not available, when it was not. */
  note: string | null;
  /** One line per truth read from versions: T on the server's clock and the measured offset. */
  instants: string[];
  /** One warning per truth with ties at T. */
  ties: string[];
  cleanup: string | null;
}

function offsetWords(t: TruthSnapshot): string {
  if (t.clock === undefined || t.clock === null) return "clock offset not measured";
  return `server clock: ${clockOffsetWords(t.clock.offsetMs, t.clock.uncertaintyMs)}`;
}

export function groundTruthText(experiment: ExperimentSummary, truth: readonly TruthSnapshot[], choice: TimeZoneChoice): GroundTruthText {
  const method = TRUTH_METHODS[experiment.truthMethod];
  const versions = truth.filter((t) => t.method === "versions");
  const ties = versions
    .filter((t) => (t.tieCount ?? 0) > 0)
    .map((t) => {
      const n = t.tieCount ?? 0;
      const keys = (t.ties ?? []).map((x) => x.key);
      const more = n > keys.length ? ` and ${n - keys.length} more` : "";
      return `The bucket at the ${t.which} has ${n} tie${n === 1 ? "" : "s"}: ${keys.join(", ")}${more} changed within T's own second and ${n === 1 ? "is" : "are"} counted as changed before T, so ${n === 1 ? "its verdict" : "their verdicts"} may be wrong.`;
    });
  return {
    title: `Ground truth: ${method.label}`,
    sentence: method.sentence,
    note: experiment.truthNote,
    instants: versions.map((t) => `${t.which === "start" ? "Start" : "End"}: as of ${formatTime(t.takenAt, choice, { ms: "auto" })} on the server's clock (${offsetWords(t)}), ${plural(t.count, "key")}.`),
    ties,
    cleanup: experiment.cleanupNote,
  };
}
