"use client";

import { useNdjsonStream } from "@/components/stream/use-ndjson-stream";
import { passEventSchema, type PassEvent } from "@/lib/wire";
import { emptyLivePass, foldPassEvent, type LivePass } from "./live";

const fold = (state: LivePass, event: PassEvent) => foldPassEvent(state, event);

/**
 * Follows `GET /api/passes/{id}/events` until its end line. The stream is attached again by
 * remounting the caller (a new React key) after a resume, since a finished stream never reopens.
 */
export function useLivePass(id: string) {
  return useNdjsonStream(`/api/passes/${encodeURIComponent(id)}/events`, passEventSchema, emptyLivePass, fold);
}
