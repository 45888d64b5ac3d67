import "server-only";
import { errorResponse } from "./errors";

const encoder = new TextEncoder();

export function ndjsonLine(value: unknown): Uint8Array {
  return encoder.encode(`${JSON.stringify(value)}\n`);
}

/**
 * Streams an async iterator as NDJSON. The first item is awaited before the response is committed,
 * so a failure to start (unknown pass, bad bucket) still gets its proper status instead of a 200.
 * When the client goes away (`signal` aborts or the body is cancelled) the iterator is returned,
 * which stops the work behind it.
 */
export async function ndjsonResponse<T>(
  events: AsyncIterator<T>,
  signal: AbortSignal,
): Promise<Response> {
  let first: IteratorResult<T>;
  try {
    first = await events.next();
  } catch (err) {
    return errorResponse(err);
  }

  let stopped = false;
  let cancelled = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    void events.return?.();
  };
  signal.addEventListener("abort", stop, { once: true });

  let pending: IteratorResult<T> | null = first;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: IteratorResult<T>;
      try {
        next = pending ?? (await events.next());
        pending = null;
      } catch (err) {
        console.error("[bucketscope] stream failed after it started", err);
        if (cancelled) return;
        const message = err instanceof Error ? err.message : String(err);
        controller.enqueue(ndjsonLine({ type: "error", error: { code: "internal", message } }));
        stopped = true;
        controller.close();
        return;
      }
      // A cancelled stream is already closed: touching its controller again would throw.
      if (cancelled) return;
      if (next.done || stopped) {
        stopped = true;
        signal.removeEventListener("abort", stop);
        controller.close();
        return;
      }
      controller.enqueue(ndjsonLine(next.value));
    },
    cancel() {
      cancelled = true;
      stop();
    },
  });

  return new Response(body, {
    status: 200,
    headers: {
      "Content-Type": "application/x-ndjson; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
