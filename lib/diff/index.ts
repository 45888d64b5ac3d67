import "server-only";
import { History } from "./history";
import { diffs, type DiffService } from "./service";

export { DiffService, diffs } from "./service";
export { History } from "./history";
export { diffPasses, type DiffPassesOptions } from "./stream";
export { planDiff, type DiffOptions, type ResolvedPlan } from "./plan";
export { DIFF_CSV_HEADER, type DiffExport } from "./export";
export { keyHistory, keyPrefixHistory } from "./key-history";

const timelines = new WeakMap<DiffService, History>();

/** The history of the process-wide diff service. */
export function history(service: DiffService = diffs()): History {
  let h = timelines.get(service);
  if (h === undefined) {
    h = new History(service.store, service);
    timelines.set(service, h);
  }
  return h;
}
