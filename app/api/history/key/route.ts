import { diffs, keyHistory } from "@/lib/diff";
import { handle, searchParamsObject } from "@/lib/http";
import { parseFields } from "@/lib/passes";
import { keyHistoryQuerySchema, type KeyHistoryResponse } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle(async (request: Request) => {
  const query = parseFields(keyHistoryQuerySchema, searchParamsObject(request.url));
  const body: KeyHistoryResponse = await Promise.resolve(keyHistory(diffs().store, query));
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
