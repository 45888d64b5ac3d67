"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { PassParamsInput, PassSummary } from "@/lib/wire";
import { passSummaryQuery, useCreatePass } from "./queries";
import { snapshotAtStartParams } from "./snapshot";

const FOLLOW_POLL_MS = 500;

/**
 * Starts a pass and follows it until it stops: a comparison with it is only meaningful once it has
 * read every key.
 */
export function useFollowedPass() {
  const create = useCreatePass();
  const [passId, setPassId] = useState<string | null>(null);
  const followed = useQuery({
    ...passSummaryQuery(passId ?? ""),
    enabled: passId !== null,
    refetchInterval: (query) => (query.state.data?.status === "running" ? FOLLOW_POLL_MS : false),
  });
  const start = (params: PassParamsInput) => {
    setPassId(null);
    create.mutate(params, { onSuccess: ({ id }) => setPassId(id) });
  };
  const data = passId !== null ? followed.data : undefined;
  const following = passId !== null && followed.error === null && (data === undefined || data.status === "running" || data.status === "complete");
  return {
    start,
    /** Creating the pass, or following it until it completes (then the caller moves on). */
    busy: create.isPending || following,
    /** The API's refusal (e.g. 409 not_versioned) or a network failure. */
    error: create.error ?? followed.error,
    passId,
    pass: data,
  };
}

/**
 * Starts a snapshot pass of the same target as `pass`, as of `pass.createdAt`, and follows it until
 * it stops.
 */
export function useSnapshotAtStart(pass: PassSummary | undefined) {
  const followed = useFollowedPass();
  return {
    start: () => {
      if (pass !== undefined) followed.start(snapshotAtStartParams(pass));
    },
    busy: followed.busy,
    error: followed.error,
    snapshotId: followed.passId,
    snapshot: followed.pass,
  };
}
