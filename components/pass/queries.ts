import { queryOptions, useMutation, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { fetchJson } from "@/components/stream/api-error";
import {
  entriesWindowSchema,
  inventoryExportedSchema,
  passCreatedSchema,
  passListResponseSchema,
  passSummarySchema,
  prefixSummarySchema,
  type EntrySort,
  type InventoryDownloadQuery,
  type InventoryExportParams,
  type PassParamsInput,
  type SortOrder,
} from "@/lib/wire";
import { passListApiUrl, type PassListFilters } from "./search-params";

// One queryOptions factory per resource: the hooks, the server prefetch and the invalidations all
// name a resource through these keys. Per-pass keys start with "pass", lists with "passes" (the home
// page's recent passes live there too, so one invalidation refreshes both).

export const PASS_LIST_LIMIT = 200;
const RUNNING_POLL_MS = 2_000;
/** Windows of the whole-pass table leave memory soon after they scroll out of view. */
const WINDOW_GC_MS = 30_000;

const passPath = (id: string) => `/api/passes/${encodeURIComponent(id)}`;

export function passListQuery(filters: PassListFilters) {
  return queryOptions({
    queryKey: ["passes", "list", filters] as const,
    queryFn: ({ signal }) => fetchJson(passListApiUrl(filters, PASS_LIST_LIMIT), passListResponseSchema, { signal }),
    refetchInterval: (query) => (query.state.data?.passes.some((p) => p.status === "running") ? RUNNING_POLL_MS : false),
  });
}

export function passSummaryQuery(id: string) {
  return queryOptions({
    queryKey: ["pass", id, "summary"] as const,
    queryFn: ({ signal }) => fetchJson(passPath(id), passSummarySchema, { signal }),
    retry: false,
  });
}

export interface EntriesWindowKey {
  sort: EntrySort;
  order: SortOrder;
  q: string;
  /** Only keys that begin with this; "" for all. */
  prefix?: string;
  offset: number;
  limit: number;
}

export function entriesWindowQuery(id: string, w: EntriesWindowKey) {
  const params = new URLSearchParams({ offset: String(w.offset), limit: String(w.limit), sort: w.sort, order: w.order });
  if (w.q !== "") params.set("q", w.q);
  if (w.prefix !== undefined && w.prefix !== "") params.set("prefix", w.prefix);
  return queryOptions({
    queryKey: ["pass", id, "entries", w] as const,
    queryFn: ({ signal }) => fetchJson(`${passPath(id)}/entries?${params.toString()}`, entriesWindowSchema, { signal }),
    gcTime: WINDOW_GC_MS,
    structuralSharing: false,
    retry: false,
  });
}

export function prefixSummaryQuery(id: string, depth: number) {
  return queryOptions({
    queryKey: ["pass", id, "prefixes", depth] as const,
    queryFn: ({ signal }) => fetchJson(`${passPath(id)}/prefixes?depth=${depth}&delimiter=%2F`, prefixSummarySchema, { signal }),
    retry: false,
  });
}

export function exportHref(id: string, format: "csv" | "ndjson"): string {
  return `${passPath(id)}/export?format=${format}`;
}

/** The pass as an S3 Inventory report in a tar archive (the layout S3 writes into a bucket). */
export function inventoryDownloadHref(id: string, q: InventoryDownloadQuery): string {
  const params = new URLSearchParams({ format: q.format, prefix: q.prefix, configId: q.configId });
  if (q.bucket !== undefined) params.set("bucket", q.bucket);
  return `${passPath(id)}/inventory?${params.toString()}`;
}

/** Writes the pass as an S3 Inventory report into a bucket of a writable connection. */
export function useExportInventory(id: string) {
  return useMutation({
    mutationFn: (params: InventoryExportParams) =>
      fetchJson(`${passPath(id)}/inventory`, inventoryExportedSchema, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(params),
      }),
  });
}

/** Everything shown about one pass, and every pass list, is read again. */
export async function invalidatePass(client: QueryClient, id: string): Promise<void> {
  await Promise.all([
    client.invalidateQueries({ queryKey: ["pass", id] }),
    client.invalidateQueries({ queryKey: ["passes"] }),
  ]);
}

/** Cancels a running pass (its recorded pages stay); never deletes one that has just finished. */
export function useCancelPass(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => fetchJson(`${passPath(id)}/cancel`, passSummarySchema, { method: "POST" }),
    onSettled: () => invalidatePass(client, id),
  });
}

export function useResumePass(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => fetchJson(`${passPath(id)}/resume`, passCreatedSchema, { method: "POST" }),
    onSettled: () => invalidatePass(client, id),
  });
}

export function useCreatePass() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (params: PassParamsInput) =>
      fetchJson("/api/passes", passCreatedSchema, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(params),
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["passes"] }),
  });
}
