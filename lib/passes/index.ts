import "server-only";

export { PassService, passes, runningPasses, type PassServiceOptions } from "./service";
export { PassStore, type KeyLookup, type PassRow, type ResumePoint } from "./store";
export { PassRows, coveredIntervals, coversEverything, spanOfId, spanOfKey, type Layout, type PageSpan, type PassLocation, type RowTuple } from "./pass-rows";
export { CHANGE, END_OF_KEYS, fieldMask, recordedChanges, type ComparedFields, type RecordedChange } from "./spans";
export { parseFields } from "./params";
export { entriesWindow, prefixSummary, exportPass, type PassExport } from "./pass-view";
export { searchEntries } from "./entry-queries";
export { SearchIndex } from "./search-index";
export { PendingEnds, storageProblem } from "./storage";
