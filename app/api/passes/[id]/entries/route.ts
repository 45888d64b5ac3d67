import { handle, searchParamsObject } from "@/lib/http";
import { parseFields, passes } from "@/lib/passes";
import { entriesQuerySchema, type EntriesResponse } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { id } = await ctx.params;
  const query = parseFields(entriesQuerySchema, searchParamsObject(request.url));
  const body: EntriesResponse = passes().entries(id, query);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
