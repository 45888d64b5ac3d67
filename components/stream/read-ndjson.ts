import type { z } from "zod";

export class StreamLineError extends Error {
  constructor(
    message: string,
    readonly line: string,
  ) {
    super(message);
    this.name = "StreamLineError";
  }
}

/**
 * Reads an NDJSON body line by line, validating each line with `schema`. A line that does not parse
 * or validate throws (never silently dropped): the caller shows it as an error.
 */
export async function* readNdjson<S extends z.ZodType>(
  body: ReadableStream<Uint8Array>,
  schema: S,
): AsyncGenerator<z.infer<S>> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  const parseLine = (line: string): z.infer<S> => {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new StreamLineError("The server sent a line that is not JSON.", line);
    }
    const result = schema.safeParse(raw);
    if (!result.success) throw new StreamLineError(`The server sent an unexpected event: ${result.error.message}`, line);
    return result.data;
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let nl = buffered.indexOf("\n");
      while (nl !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim() !== "") yield parseLine(line);
        nl = buffered.indexOf("\n");
      }
    }
    buffered += decoder.decode();
    if (buffered.trim() !== "") yield parseLine(buffered);
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
}
