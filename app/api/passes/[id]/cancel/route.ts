import { handle } from "@/lib/http";
import { passes } from "@/lib/passes";
import type { PassSummary } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };

export const POST = handle(async (_request: Request, ctx: Ctx) => {
  const body: PassSummary = await passes().cancel((await ctx.params).id);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
