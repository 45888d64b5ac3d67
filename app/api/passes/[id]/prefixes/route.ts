import { handle, searchParamsObject } from "@/lib/http";
import { parseFields, passes, prefixSummary } from "@/lib/passes";
import { prefixSummaryQuerySchema, type PrefixSummary } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { id } = await ctx.params;
  const query = parseFields(prefixSummaryQuerySchema, searchParamsObject(request.url));
  const body: PrefixSummary = await prefixSummary(passes().store, id, query);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
