import "server-only";

export { PassService, passes, runningPasses, type PassServiceOptions } from "./service";
export { PassStore, type ResumePoint } from "./store";
export { parseFields } from "./params";
export { entriesWindow, prefixSummary, exportPass, type PassExport } from "./pass-view";
export { PendingEnds, storageProblem } from "./storage";
