"use client";

import { useNdjsonStream, type StreamState } from "@/components/stream/use-ndjson-stream";
import { emptyLivePass, foldPassEvent, liveEventSchema, type LivePass } from "./live";

/** User Timing mark set when the stream's first page arrives (`npm run bench:ui` reads it). */
export const FIRST_PAGE_MARK = "bucketscope:first-page";

const foldMarkingFirstPage: typeof foldPassEvent = (state, event) => {
  if (event.type === "page" && state.pages.length === 0) performance.mark(FIRST_PAGE_MARK);
  return foldPassEvent(state, event);
};

/** Follows `GET /api/passes/{id}/events?entries=0` until its end line. A resume re-attaches by remounting the caller (a new key). */
export function useLivePass(id: string): StreamState<LivePass> {
  return useNdjsonStream(`/api/passes/${encodeURIComponent(id)}/events?entries=0`, liveEventSchema, emptyLivePass, foldMarkingFirstPage);
}
