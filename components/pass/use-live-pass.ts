"use client";

import { useEffect, useReducer } from "react";
import { ensureOk } from "@/components/stream/api-error";
import { readNdjson } from "@/components/stream/read-ndjson";
import type { StreamState } from "@/components/stream/use-ndjson-stream";
import { emptyLivePass, foldPassEvent, liveEventSchema, type LivePass } from "./live";

/** User Timing mark set when the stream's first page arrives (`npm run bench:ui` reads it). */
export const FIRST_PAGE_MARK = "bucketscope:first-page";

/** Reading stops to let the browser paint and handle input after this much work. */
const SLICE_MS = 12;

type Action = { kind: "reset" } | { kind: "apply"; state: LivePass } | { kind: "done" } | { kind: "error"; error: Error };

function reducer(prev: StreamState<LivePass>, action: Action): StreamState<LivePass> {
  switch (action.kind) {
    case "reset":
      return { state: emptyLivePass(), status: "streaming", error: null };
    case "apply":
      return { ...prev, state: action.state };
    case "done":
      return { ...prev, status: "done" };
    case "error":
      return { ...prev, status: "error", error: action.error };
  }
}

/** A macrotask boundary without setTimeout's 4 ms clamp. */
function yieldToBrowser(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/**
 * Follows `GET /api/passes/{id}/events` until its end line, like useNdjsonStream (validated lines,
 * at most one React update per animation frame, aborted on unmount) with one difference: a finished
 * pass replays all its pages at once, and reading them in one go would block the page for seconds,
 * so the loop yields every SLICE_MS. A resume re-attaches by remounting the caller (a new key).
 */
export function useLivePass(id: string): StreamState<LivePass> {
  const [value, dispatch] = useReducer(reducer, undefined, () => ({ state: emptyLivePass(), status: "idle" as const, error: null }));
  useEffect(() => {
    const controller = new AbortController();
    let local = emptyLivePass();
    let frame: number | null = null;
    const flush = () => {
      frame = null;
      dispatch({ kind: "apply", state: local });
    };
    dispatch({ kind: "reset" });
    void (async () => {
      try {
        const res = await ensureOk(
          await fetch(`/api/passes/${encodeURIComponent(id)}/events`, { signal: controller.signal, headers: { Accept: "application/x-ndjson" } }),
        );
        if (!res.body) throw new Error("The server sent no body.");
        let sliceStart = performance.now();
        for await (const event of readNdjson(res.body, liveEventSchema)) {
          if (event.type === "page" && local.pages.length === 0) performance.mark(FIRST_PAGE_MARK);
          local = foldPassEvent(local, event);
          frame ??= requestAnimationFrame(flush);
          if (performance.now() - sliceStart > SLICE_MS) {
            await yieldToBrowser();
            if (controller.signal.aborted) return;
            sliceStart = performance.now();
          }
        }
        if (frame !== null) cancelAnimationFrame(frame);
        flush();
        dispatch({ kind: "done" });
      } catch (err) {
        if (controller.signal.aborted) return;
        if (frame !== null) cancelAnimationFrame(frame);
        flush();
        dispatch({ kind: "error", error: err instanceof Error ? err : new Error(String(err)) });
      }
    })();
    return () => {
      controller.abort();
      if (frame !== null) cancelAnimationFrame(frame);
    };
  }, [id]);
  return value;
}
