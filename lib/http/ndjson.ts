import "server-only";
import { clientError, errorResponse } from "./errors";

/** Arrays longer than this are written element by element (a page's entries). */
const PIECEWISE_ARRAY = 64;

/**
 * `JSON.stringify(value) + "\n"` as UTF-8, byte for byte. A page event's line is ~150 KB: V8 builds
 * a string that large as a rope that must be flattened (a large-object allocation) before it can be
 * encoded, which cost more than the stringify itself. A plain object whose long arrays are written
 * element by element into one buffer of the exact size skips that.
 */
export function ndjsonLine(value: unknown): Uint8Array {
  const parts = typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype && !("toJSON" in value) ? objectParts(value) : null;
  if (parts === null) return Buffer.from(`${JSON.stringify(value)}\n`);
  let size = 0;
  for (const p of parts) size += Buffer.byteLength(p);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const p of parts) at += out.write(p, at);
  return out;
}

function objectParts(value: object): string[] {
  const parts: string[] = [];
  let sep = "{";
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v) && v.length > PIECEWISE_ARRAY) {
      parts.push(`${sep}${JSON.stringify(k)}:[`);
      // As JSON.stringify writes an element it cannot represent (undefined, a function): null.
      for (let i = 0; i < v.length; i++) parts.push(`${i === 0 ? "" : ","}${JSON.stringify(v[i]) ?? "null"}`);
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
        controller.enqueue(ndjsonLine({ type: "error", error }));
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
