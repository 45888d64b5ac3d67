import { experiments } from "@/lib/experiments";
import { handle } from "@/lib/http";
import type { ExperimentDetail } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle(async (_request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const body: ExperimentDetail = experiments().detail((await ctx.params).id);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
