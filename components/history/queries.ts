import { queryOptions } from "@tanstack/react-query";
import { fetchJson } from "@/components/stream/api-error";
import { historyResponseSchema, type HistorySeriesKey } from "@/lib/wire";
import { historyApiUrl } from "./search-params";

export interface HistoryTarget {
  connection: string;
  bucket: string;
  prefix: string;
}

/** Reads again this often while a pass of the prefix runs or its change counts are being computed. */
export const HISTORY_BUSY_POLL_MS = 1_500;
/** ... and this often while a watch of the prefix is active (its next pass lands unannounced). */
export const HISTORY_WATCHED_POLL_MS = 4_000;

/** One series of the prefix's history (null: every pass, each still compared within its own series). */
export function historyQuery(t: HistoryTarget, series: HistorySeriesKey | null) {
  return queryOptions({
    queryKey: ["history", t, series] as const,
    queryFn: ({ signal }) => fetchJson(historyApiUrl(t.connection, t.bucket, t.prefix, series), historyResponseSchema, { signal }),
    retry: false,
  });
}
