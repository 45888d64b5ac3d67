import "server-only";

export { ExperimentService, experiments, type ExperimentServiceOptions } from "./service";
export { classifyKey, classifyKeys, coveringPage, positionIn, summarize, normalizeEtag, type ClassifyInput, type PageRange } from "./classify";
export { BEHIND_AHEAD_STEPS, ChurnChooser, keyName } from "./scenarios";
export type { SandboxAdmin } from "./bucket-ops";
