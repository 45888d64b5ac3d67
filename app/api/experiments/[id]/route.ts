import { experiments } from "@/lib/experiments";
import { handle } from "@/lib/http";
import type { ExperimentDetail, ExperimentSummary } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle(async (_request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const body: ExperimentDetail = experiments().detail((await ctx.params).id);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});

/** Stops a running experiment (it still cleans up); 409 when it is not running. */
export const DELETE = handle(async (_request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const body: ExperimentSummary = await experiments().stop((await ctx.params).id);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
