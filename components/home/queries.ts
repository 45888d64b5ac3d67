import { queryOptions } from "@tanstack/react-query";
import { fetchJson } from "@/components/stream/api-error";
import { bucketsResponseSchema, connectionsResponseSchema, passListResponseSchema } from "@/lib/wire";

export const RECENT_PASSES = 15;
const RUNNING_POLL_MS = 2_000;

export function connectionsQuery() {
  return queryOptions({
    queryKey: ["connections"] as const,
    queryFn: ({ signal }) => fetchJson("/api/connections", connectionsResponseSchema, { signal }),
  });
}

export function bucketsQuery(connection: string) {
  return queryOptions({
    queryKey: ["connections", connection, "buckets"] as const,
    queryFn: ({ signal }) => fetchJson(`/api/connections/${encodeURIComponent(connection)}/buckets`, bucketsResponseSchema, { signal }),
    // The answer (denied, unreachable) is shown in place; asking again at once rarely changes it.
    retry: false,
    staleTime: 30_000,
  });
}

export function recentPassesQuery(limit: number = RECENT_PASSES) {
  return queryOptions({
    queryKey: ["passes", "recent", limit] as const,
    // Race passes belong to their experiments (/race): a demo's worth of them would bury the rest.
    queryFn: ({ signal }) => fetchJson(`/api/passes?limit=${limit}&race=exclude`, passListResponseSchema, { signal }),
    refetchInterval: (query) => (query.state.data?.passes.some((p) => p.status === "running") ? RUNNING_POLL_MS : false),
  });
}
