import "server-only";
import { clientError, errorResponse } from "./errors";

/** Arrays longer than this are written in slices of this many elements (a page's entries). */
const SLICE = 128;
/** A line's UTF-8 is sent in chunks of about this many characters. */
const CHUNK = 16 * 1024;

/**
 * `JSON.stringify(value) + "\n"` as UTF-8, byte for byte, in chunks of ~16 KB (a short line is one
 * chunk). A page event's line is ~150 KB: V8 makes a string over 128 KB in its large-object space and
 * a buffer that size is fresh memory each time (page faults), both costing more than the stringify.
 * A plain object's long arrays are stringified a slice at a time and no string or buffer gets large.
 */
export function ndjsonChunks(value: unknown): Uint8Array[] {
  const parts = typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype && !("toJSON" in value) ? objectParts(value) : null;
  if (parts === null) return [Buffer.from(`${JSON.stringify(value)}\n`)];
  const chunks: Uint8Array[] = [];
  let pending = "";
  for (const p of parts) {
    pending += p;
    if (pending.length >= CHUNK) {
      chunks.push(Buffer.from(pending));
      pending = "";
    }
  }
  if (pending !== "") chunks.push(Buffer.from(pending));
  return chunks;
}

/** The same bytes as one buffer, for callers that need the line whole. */
export function ndjsonLine(value: unknown): Uint8Array {
  const chunks = ndjsonChunks(value);
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
}

function objectParts(value: object): string[] {
  const parts: string[] = [];
  let sep = "{";
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v) && v.length > SLICE) {
      parts.push(`${sep}${JSON.stringify(k)}:`);
      for (let i = 0; i < v.length; i += SLICE) {
        // A slice's "[…]" without its brackets; JSON.stringify writes what it cannot represent (undefined, a function, a hole) as null, slice or not.
        const json = JSON.stringify(v.slice(i, i + SLICE));
        if (i === 0) parts.push(json.slice(0, -1));
        else parts.push(",", json.slice(1, -1));
      }
      parts.push("]");
    } else {
      const s = JSON.stringify(v);
      // As JSON.stringify leaves out a property it cannot represent.
      if (s === undefined) continue;
      parts.push(`${sep}${JSON.stringify(k)}:${s}`);
    }
    sep = ",";
  }
  parts.push(sep === "{" ? "{}\n" : "}\n");
  return parts;
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
        const error = clientError(err, "The stream failed on a server error");
        if (cancelled) return;
        for (const chunk of ndjsonChunks({ type: "error", error })) controller.enqueue(chunk);
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
      for (const chunk of ndjsonChunks(next.value)) controller.enqueue(chunk);
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
