import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { fetchJson } from "@/components/stream/api-error";
import {
  experimentCreatedSchema,
  experimentDetailSchema,
  experimentListResponseSchema,
  experimentSummarySchema,
  type ExperimentParamsInput,
} from "@/lib/wire";

const RUNNING_POLL_MS = 2_000;
export const experimentPath = (id: string) => `/api/experiments/${encodeURIComponent(id)}`;
export const experimentEventsUrl = (id: string) => `${experimentPath(id)}/events`;

export function experimentListQuery(limit = 50) {
  return queryOptions({
    queryKey: ["experiments", "list", limit] as const,
    queryFn: ({ signal }) => fetchJson(`/api/experiments?limit=${limit}`, experimentListResponseSchema, { signal }),
    refetchInterval: (query) => (query.state.data?.experiments.some((e) => e.status === "running") ? RUNNING_POLL_MS : false),
  });
}

export function experimentDetailQuery(id: string) {
  return queryOptions({
    queryKey: ["experiment", id] as const,
    queryFn: ({ signal }) => fetchJson(experimentPath(id), experimentDetailSchema, { signal }),
    retry: false,
  });
}

export function useCreateExperiment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (params: ExperimentParamsInput) =>
      fetchJson("/api/experiments", experimentCreatedSchema, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(params),
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["experiments"] }),
  });
}

/** Stops a running experiment; it still cleans up, and its events stream ends. */
export function useStopExperiment(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => fetchJson(experimentPath(id), experimentSummarySchema, { method: "DELETE" }),
    onSettled: () => Promise.all([client.invalidateQueries({ queryKey: ["experiment", id] }), client.invalidateQueries({ queryKey: ["experiments"] })]),
  });
}
