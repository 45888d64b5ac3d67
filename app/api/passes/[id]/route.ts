import { handle } from "@/lib/http";
import { passes } from "@/lib/passes";
import type { PassDeleted, PassSummary } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };

export const GET = handle(async (_request: Request, ctx: Ctx) => {
  const body: PassSummary = passes().summary((await ctx.params).id);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});

export const DELETE = handle(async (_request: Request, ctx: Ctx) => {
  const body: PassDeleted = await passes().remove((await ctx.params).id);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
