import { queryOptions, useMutation, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { fetchJson } from "@/components/stream/api-error";
import { watchDeletedSchema, watchListResponseSchema, watchSchema, type WatchCreateInput, type WatchListQuery, type WatchPatch } from "@/lib/wire";

// Watches are one resource: every list lives under ["watches"], so a mutation refreshes them all,
// and the history of the watched prefix with them (a started or deleted watch changes what it shows).

const ACTIVE_POLL_MS = 3_000;

function listUrl(filter: WatchListQuery): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v !== undefined) params.set(k, v);
  const q = params.toString();
  return q === "" ? "/api/watches" : `/api/watches?${q}`;
}

export function watchesQuery(filter: WatchListQuery = {}) {
  return queryOptions({
    queryKey: ["watches", filter] as const,
    queryFn: ({ signal }) => fetchJson(listUrl(filter), watchListResponseSchema, { signal }),
    // Active watches change on their own (next run, running pass, pass count).
    refetchInterval: (q) => (q.state.data?.watches.some((w) => w.state === "active") ? ACTIVE_POLL_MS : false),
  });
}

async function invalidateWatches(client: QueryClient): Promise<void> {
  await Promise.all([client.invalidateQueries({ queryKey: ["watches"] }), client.invalidateQueries({ queryKey: ["history"] })]);
}

export function useCreateWatch() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: WatchCreateInput) =>
      fetchJson("/api/watches", watchSchema, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(input) }),
    onSettled: () => invalidateWatches(client),
  });
}

export function useUpdateWatch() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: WatchPatch }) =>
      fetchJson(`/api/watches/${encodeURIComponent(id)}`, watchSchema, {
        method: "PATCH",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(patch),
      }),
    onSettled: () => invalidateWatches(client),
  });
}

export function useDeleteWatch() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => fetchJson(`/api/watches/${encodeURIComponent(id)}`, watchDeletedSchema, { method: "DELETE" }),
    onSettled: () => invalidateWatches(client),
  });
}
