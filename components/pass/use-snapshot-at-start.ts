"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { PassSummary } from "@/lib/wire";
import { passSummaryQuery, useCreatePass } from "./queries";
import { snapshotAtStartParams } from "./snapshot";

const SNAPSHOT_POLL_MS = 500;

/**
 * Starts a snapshot pass of the same target as `pass`, as of `pass.createdAt`, and follows it until
 * it stops: the comparison is only meaningful once the snapshot has read every key.
 */
export function useSnapshotAtStart(pass: PassSummary | undefined) {
  const create = useCreatePass();
  const [snapshotId, setSnapshotId] = useState<string | null>(null);
  const snapshot = useQuery({
    ...passSummaryQuery(snapshotId ?? ""),
    enabled: snapshotId !== null,
    refetchInterval: (query) => (query.state.data?.status === "running" ? SNAPSHOT_POLL_MS : false),
  });
  const start = () => {
    if (pass === undefined) return;
    setSnapshotId(null);
    create.mutate(snapshotAtStartParams(pass), { onSuccess: ({ id }) => setSnapshotId(id) });
  };
  const data = snapshotId !== null ? snapshot.data : undefined;
  const following = snapshotId !== null && snapshot.error === null && (data === undefined || data.status === "running" || data.status === "complete");
  return {
    start,
    /** Creating the snapshot, or following it until it completes (then the caller moves on). */
    busy: create.isPending || following,
    /** The API's refusal (e.g. 409 not_versioned) or a network failure. */
    error: create.error ?? snapshot.error,
    snapshotId,
    snapshot: data,
  };
}
