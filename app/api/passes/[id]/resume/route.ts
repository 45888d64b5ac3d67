import { handle } from "@/lib/http";
import { passes } from "@/lib/passes";
import type { PassCreated } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = handle(async (_request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const body: PassCreated = { id: await passes().resume((await ctx.params).id) };
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
