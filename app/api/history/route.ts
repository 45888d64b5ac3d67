import { history } from "@/lib/diff";
import { handle, searchParamsObject } from "@/lib/http";
import { parseFields } from "@/lib/passes";
import { historyQuerySchema, type HistoryResponse } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle(async (request: Request) => {
  const query = parseFields(historyQuerySchema, searchParamsObject(request.url));
  const body: HistoryResponse = await history().timeline(query);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
