import { handle, ndjsonResponse } from "@/lib/http";
import { passes } from "@/lib/passes";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { id } = await ctx.params;
  return ndjsonResponse(passes().events(id, request.signal), request.signal);
});
