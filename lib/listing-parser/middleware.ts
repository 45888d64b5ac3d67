import { Readable } from "node:stream";
import type { DeserializeHandlerOutput, DeserializeMiddleware, HandlerExecutionContext, MetadataBearer, Pluggable } from "@smithy/types";
import { parseListObjectsV2, parseListObjectVersions, type ParsedBody } from "./parse";

// The SDK keeps everything but the reading of a listing body: credentials, endpoints, signing,
// retries, error responses, header-bound members and $metadata. Two deserialize-step middlewares
// wrap its deserializer: the inner one, next to the HTTP handler, reads a 200 listing body and
// parses it; when the parser takes the body, the SDK's deserializer is handed an empty one (so it
// only reads headers) and the outer one puts the parsed members into its output. When the parser
// refuses, the SDK gets the original bytes and parses them itself.

/** Who read a listing body: "bucketscope", or the SDK with the reason the fast parser refused it. */
export type ListingParse = { parser: "bucketscope" } | { parser: "sdk"; reason: string };

const PARSE = Symbol.for("bucketscope.listingParse");
const VERSION_ORDER = Symbol.for("bucketscope.versionOrder");

type Operation = "ListObjectsV2" | "ListObjectVersions";

interface Taken {
  body: object | null;
  order: string[] | null;
  parse: ListingParse;
}

/** Per request (a retried attempt overwrites it): what the inner middleware read for the outer one. */
const taken = new WeakMap<HandlerExecutionContext, Taken>();

interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body?: unknown;
}

function operationOf(context: HandlerExecutionContext): Operation | null {
  if (context.commandName === "ListObjectsV2Command") return "ListObjectsV2";
  if (context.commandName === "ListObjectVersionsCommand") return "ListObjectVersions";
  return null;
}

function isRawResponse(x: unknown): x is RawResponse {
  return typeof x === "object" && x !== null && typeof (x as { statusCode?: unknown }).statusCode === "number";
}

async function collect(body: unknown): Promise<Buffer | null> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (!(body instanceof Readable)) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

/** A body that fails as the original did, so the SDK reports a broken response its own way. */
function failing(err: unknown): Readable {
  return new Readable({
    read() {
      this.destroy(err instanceof Error ? err : new Error(String(err)));
    },
  });
}

/** The <Version>/<DeleteMarker> order of a body the parser refused, read as before it existed. */
function scanVersionOrder(xml: string): string[] {
  const order: string[] = [];
  for (const m of xml.matchAll(/<(Version|DeleteMarker)>/g)) order.push(m[1] === "Version" ? "v" : "d");
  return order;
}

const readBody = <I extends object, O extends MetadataBearer>(): DeserializeMiddleware<I, O> => (next, context) => async (args) => {
  const out = await next(args);
  const operation = operationOf(context);
  taken.delete(context);
  const response = out.response;
  if (operation === null || !isRawResponse(response) || response.statusCode !== 200) return out;
  let bytes: Buffer | null;
  try {
    bytes = await collect(response.body);
  } catch (err) {
    response.body = failing(err);
    return out;
  }
  if (bytes === null) return out;
  const parsed: ParsedBody<object> = operation === "ListObjectsV2" ? parseListObjectsV2(bytes) : parseListObjectVersions(bytes);
  if (parsed.ok) {
    taken.set(context, { body: parsed.body, order: parsed.order, parse: { parser: "bucketscope" } });
    response.body = new Uint8Array(0);
  } else {
    const order = operation === "ListObjectVersions" ? scanVersionOrder(bytes.toString("utf8")) : null;
    taken.set(context, { body: null, order, parse: { parser: "sdk", reason: parsed.refusal.reason } });
    response.body = bytes;
  }
  return out;
};

const putParsed = <I extends object, O extends MetadataBearer>(): DeserializeMiddleware<I, O> => (next, context) => async (args) => {
  const out: DeserializeHandlerOutput<O> = await next(args);
  const t = taken.get(context);
  taken.delete(context);
  if (t === undefined) return out;
  let output = out.output;
  if (t.body !== null && output !== undefined) {
    // The SDK's own output order: header-bound members, body members, $metadata.
    const { $metadata, ...headerMembers } = output;
    output = { ...headerMembers, ...t.body, $metadata } as O;
  }
  if (output === undefined) return out;
  Object.defineProperty(output, PARSE, { value: t.parse, enumerable: false });
  if (t.order !== null) Object.defineProperty(output, VERSION_ORDER, { value: t.order, enumerable: false });
  return { ...out, output };
};

/** The listing parser for a client's or a command's stack: `client.middlewareStack.use(listingParser())`. */
export function listingParser<I extends object, O extends MetadataBearer>(): Pluggable<I, O> {
  return {
    applyToStack(stack) {
      stack.addRelativeTo(putParsed<I, O>(), { relation: "before", toMiddleware: "deserializerMiddleware", name: "bucketscopeListingResult", override: true });
      stack.addRelativeTo(readBody<I, O>(), { relation: "after", toMiddleware: "deserializerMiddleware", name: "bucketscopeListingBody", override: true });
    },
  };
}

function hidden<T>(output: object, key: symbol): T | null {
  return (Object.getOwnPropertyDescriptor(output, key)?.value as T | undefined) ?? null;
}

/** Who parsed this ListObjectsV2 / ListObjectVersions output, or null on a client without the parser. */
export function listingParseOf(output: object): ListingParse | null {
  return hidden<ListingParse>(output, PARSE);
}

/** "v"/"d" per <Version>/<DeleteMarker> of a ListObjectVersions body in document order, when known. */
export function versionOrderOf(output: object): string[] | null {
  return hidden<string[]>(output, VERSION_ORDER);
}
