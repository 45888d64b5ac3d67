import { queryOptions } from "@tanstack/react-query";
import { fetchJson } from "@/components/stream/api-error";
import { diffSeekSchema, diffSummarySchema, diffWindowSchema, type DiffOnly } from "@/lib/wire";
import { diffRowsUrl, diffSeekUrl, diffSummaryUrl, type DiffPair } from "./search-params";

// One queryOptions factory per resource. A comparison of two complete passes never changes, so its
// summary and windows stay fresh; windows leave memory soon after they scroll out of view.

const WINDOW_GC_MS = 30_000;

export function diffSummaryQuery(pair: DiffPair) {
  return queryOptions({
    queryKey: ["diff", pair, "summary"] as const,
    queryFn: ({ signal }) => fetchJson(diffSummaryUrl(pair), diffSummarySchema, { signal }),
    staleTime: (q) => (q.state.data?.incomplete === true ? 5_000 : Number.POSITIVE_INFINITY),
    retry: false,
  });
}

/** `live`: a pass of the comparison is still running, so its windows are read again when shown anew. */
export function diffWindowQuery(pair: DiffPair, only: DiffOnly, offset: number, limit: number, live = false) {
  return queryOptions({
    queryKey: ["diff", pair, "rows", only, offset, limit] as const,
    queryFn: ({ signal }) => fetchJson(diffRowsUrl(pair, only, offset, limit), diffWindowSchema, { signal }),
    staleTime: live ? 5_000 : Number.POSITIVE_INFINITY,
    gcTime: WINDOW_GC_MS,
    structuralSharing: false,
    retry: false,
  });
}

/** The first row of the next or previous change seen from item `from` (an action, not cached). */
export function seekChange(pair: DiffPair, only: DiffOnly, from: number, dir: "next" | "prev") {
  return fetchJson(diffSeekUrl(pair, only, from, dir), diffSeekSchema);
}
