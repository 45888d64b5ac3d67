import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readNdjson, StreamLineError } from "./read-ndjson";

const schema = z.object({ n: z.number() });

function bodyOf(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(typeof c === "string" ? enc.encode(c) : c);
      controller.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>) {
  const out: z.infer<typeof schema>[] = [];
  for await (const e of readNdjson(body, schema)) out.push(e);
  return out;
}

describe("reading an NDJSON stream", () => {
  it("reassembles lines split across chunks, multi-byte characters included", async () => {
    const bytes = new TextEncoder().encode('{"n":1}\n{"n":2}\n');
    expect(await collect(bodyOf([bytes.slice(0, 3), bytes.slice(3, 10), bytes.slice(10)]))).toEqual([{ n: 1 }, { n: 2 }]);
    const emoji = new TextEncoder().encode('{"n":3,"k":"😀"}\n');
    expect(await collect(bodyOf([emoji.slice(0, 12), emoji.slice(12)]))).toEqual([{ n: 3 }]);
  });

  it("accepts a last line without a newline", async () => {
    expect(await collect(bodyOf(['{"n":1}\n{"n":2}']))).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("throws on a malformed line instead of dropping it", async () => {
    await expect(collect(bodyOf(['{"n":1}\n{"n":\n']))).rejects.toBeInstanceOf(StreamLineError);
    await expect(collect(bodyOf(['{"n":"x"}\n']))).rejects.toThrow(/unexpected event/);
  });
});
