import { queryOptions } from "@tanstack/react-query";
import { fetchJson } from "@/components/stream/api-error";
import { keyHistoryResponseSchema, keyPrefixHistoryResponseSchema } from "@/lib/wire";
import { keyHistoryApiUrl, keyPrefixHistoryApiUrl, type KeyHistoryTarget } from "./search-params";

/** Keys listed per pass in the prefix timeline (the counts cover all of them). */
export const PREFIX_TIMELINE_KEYS = 50;

/** One key through the passes of a target. */
export function keyHistoryQuery(t: KeyHistoryTarget, key: string) {
  return queryOptions({
    queryKey: ["key-history", t, key] as const,
    queryFn: ({ signal }) => fetchJson(keyHistoryApiUrl(t, key), keyHistoryResponseSchema, { signal }),
    retry: false,
  });
}

/** The keys under a prefix through the passes of a target. */
export function keyPrefixHistoryQuery(t: KeyHistoryTarget, keyPrefix: string, keyLimit = PREFIX_TIMELINE_KEYS) {
  return queryOptions({
    queryKey: ["key-prefix-history", t, keyPrefix, keyLimit] as const,
    queryFn: ({ signal }) => fetchJson(keyPrefixHistoryApiUrl(t, keyPrefix, keyLimit), keyPrefixHistoryResponseSchema, { signal }),
    retry: false,
  });
}
