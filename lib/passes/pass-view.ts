import "server-only";

export { entriesWindow, EntryQueries } from "./entry-queries";
export { prefixSummary } from "./prefix-summary";
export { exportPass, type PassExport } from "./export";
