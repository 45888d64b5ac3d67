import type { ExperimentEvent, ExperimentPage, ExperimentSummary, Mutation, TruthSnapshot } from "@/lib/wire";

/** What the events stream has said about an experiment so far. */
export interface LiveExperiment {
  experiment: ExperimentSummary | null;
  phase: string | null;
  truth: TruthSnapshot[];
  pages: ExperimentPage[];
  mutations: Mutation[];
  ended: boolean;
  error: string | null;
}

export const emptyLive = (): LiveExperiment => ({ experiment: null, phase: null, truth: [], pages: [], mutations: [], ended: false, error: null });

export function foldEvent(s: LiveExperiment, e: ExperimentEvent): LiveExperiment {
  switch (e.type) {
    case "experiment":
      return { ...s, experiment: e.experiment, phase: e.experiment.phase };
    case "phase":
      return { ...s, phase: e.phase };
    case "truth":
      return { ...s, truth: [...s.truth, e.truth] };
    case "page":
      return { ...s, pages: [...s.pages, e.page] };
    case "mutation":
      return { ...s, mutations: [...s.mutations, e.mutation].sort((a, b) => a.seq - b.seq) };
    case "end":
      return { ...s, experiment: e.experiment, phase: e.experiment.phase, ended: true };
    case "error":
      return { ...s, error: e.error.message };
  }
}
