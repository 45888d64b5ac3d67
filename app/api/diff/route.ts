import { diffs } from "@/lib/diff";
import { handle, ndjsonResponse, parse, searchParamsObject } from "@/lib/http";
import { diffQuerySchema } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

// NDJSON: a `start` line (the plan), `row` lines in UTF-8 byte order, the `summary` line last.
// Refusals (unknown pass, other bucket, incomplete pass) are answered before the first line.
export const GET = handle(async (request: Request) => {
  const query = parse(diffQuerySchema, searchParamsObject(request.url));
  return ndjsonResponse(diffs().events(query, request.signal), request.signal);
});
