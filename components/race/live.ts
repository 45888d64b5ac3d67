import type { ExperimentEvent, ExperimentPage, ExperimentSummary, Mutation, TruthSnapshot } from "@/lib/wire";

/** What the events stream has said about an experiment so far. */
export interface LiveExperiment {
  experiment: ExperimentSummary | null;
  phase: string | null;
  truth: TruthSnapshot[];
  pages: ExperimentPage[];
  mutations: Mutation[];
  /** Keys written by the setup so far, and once it is done, how many it wrote. */
  setup: { written: number; total: number } | null;
  /** The page requested and not answered yet. */
  inFlight: { index: number; requestedAt: string } | null;
  ended: boolean;
  error: string | null;
}

export const emptyLive = (): LiveExperiment => ({ experiment: null, phase: null, truth: [], pages: [], mutations: [], setup: null, inFlight: null, ended: false, error: null });

export function foldEvent(s: LiveExperiment, e: ExperimentEvent): LiveExperiment {
  switch (e.type) {
    case "experiment":
      return { ...s, experiment: e.experiment, phase: e.experiment.phase };
    case "phase":
      return { ...s, phase: e.phase };
    case "truth":
      return { ...s, truth: [...s.truth, e.truth] };
    case "setup":
      return { ...s, setup: { written: e.written, total: e.total } };
    case "request":
      return { ...s, inFlight: { index: e.index, requestedAt: e.requestedAt } };
    case "page":
      return { ...s, pages: [...s.pages, e.page], inFlight: s.inFlight?.index === e.page.index ? null : s.inFlight };
    case "mutation":
      return { ...s, mutations: [...s.mutations, e.mutation].sort((a, b) => a.seq - b.seq) };
    case "end":
      return { ...s, experiment: e.experiment, phase: e.experiment.phase, inFlight: null, ended: true };
    case "error":
      return { ...s, error: e.error.message };
  }
}
