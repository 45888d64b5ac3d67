import { experiments } from "@/lib/experiments";
import { handle, ndjsonResponse } from "@/lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { id } = await ctx.params;
  return ndjsonResponse(experiments().events(id, request.signal), request.signal);
});
