import { queryOptions } from "@tanstack/react-query";
import { fetchJson } from "@/components/stream/api-error";
import { inventoryReportsResponseSchema } from "@/lib/wire";
import { reportsApiUrl } from "./search-params";

export function inventoryReportsQuery(connection: string, bucket: string, prefix: string) {
  return queryOptions({
    queryKey: ["inventory", "reports", connection, bucket, prefix] as const,
    queryFn: ({ signal }) => fetchJson(reportsApiUrl(connection, bucket, prefix), inventoryReportsResponseSchema, { signal }),
    retry: false,
  });
}
