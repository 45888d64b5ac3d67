"use client";

import { useEffect, useReducer, useRef } from "react";
import type { z } from "zod";
import { ensureOk } from "./api-error";
import { readNdjson } from "./read-ndjson";

export interface StreamState<State> {
  state: State;
  status: "idle" | "streaming" | "done" | "error";
  error: Error | null;
}

type Action<State> =
  | { kind: "reset"; state: State }
  | { kind: "apply"; state: State }
  | { kind: "done" }
  | { kind: "error"; error: Error };

function reducer<State>(prev: StreamState<State>, action: Action<State>): StreamState<State> {
  switch (action.kind) {
    case "reset":
      return { state: action.state, status: "streaming", error: null };
    case "apply":
      return { ...prev, state: action.state };
    case "done":
      return { ...prev, status: "done" };
    case "error":
      return { ...prev, status: "error", error: action.error };
  }
}

/** Reading stops to let the browser paint and handle input after this much work. */
const SLICE_MS = 12;

/** A macrotask boundary without setTimeout's 4 ms clamp. */
function yieldToBrowser(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/**
 * Follows an NDJSON endpoint and folds its events into state with `fold`. Events are applied to a
 * local copy as they arrive and committed to React at most once per animation frame, so thousands of
 * lines do not mean thousands of renders. A replay arrives all at once (a finished pass sends every
 * page immediately), so reading yields to the browser every SLICE_MS instead of blocking it for
 * seconds. The request is aborted on unmount or when `url` changes.
 */
export function useNdjsonStream<S extends z.ZodType, State>(
  url: string | null,
  schema: S,
  initial: () => State,
  fold: (state: State, event: z.infer<S>) => State,
): StreamState<State> {
  const [value, dispatch] = useReducer(reducer<State>, undefined, () => ({
    state: initial(),
    status: "idle" as const,
    error: null,
  }));
  const foldRef = useRef(fold);
  const initialRef = useRef(initial);
  useEffect(() => {
    foldRef.current = fold;
    initialRef.current = initial;
  });

  useEffect(() => {
    if (url === null) return;
    const controller = new AbortController();
    let local = initialRef.current();
    let frame: number | null = null;
    const flush = () => {
      frame = null;
      dispatch({ kind: "apply", state: local });
    };
    dispatch({ kind: "reset", state: local });
    void (async () => {
      try {
        const res = await ensureOk(
          await fetch(url, { signal: controller.signal, headers: { Accept: "application/x-ndjson" } }),
        );
        if (!res.body) throw new Error("The server sent no body.");
        let sliceStart = performance.now();
        for await (const event of readNdjson(res.body, schema)) {
          local = foldRef.current(local, event);
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
  }, [url, schema]);

  return value;
}
