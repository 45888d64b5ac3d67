import { browseEvents } from "@/lib/browse";
import { handle, ndjsonResponse, searchParamsObject } from "@/lib/http";
import { parseFields } from "@/lib/passes";
import { browseQuerySchema } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle(async (request: Request) => {
  const query = parseFields(browseQuerySchema, searchParamsObject(request.url));
  return ndjsonResponse(browseEvents(query, { signal: request.signal }), request.signal);
});
