import { handle, parse, readJson } from "@/lib/http";
import { watches } from "@/lib/watches";
import { watchPatchSchema, type Watch, type WatchDeleted } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };

export const GET = handle(async (_request: Request, ctx: Ctx) => {
  const body: Watch = watches().get((await ctx.params).id);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});

export const PATCH = handle(async (request: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const patch = parse(watchPatchSchema, await readJson(request));
  const body: Watch = watches().update(id, patch);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});

export const DELETE = handle(async (_request: Request, ctx: Ctx) => {
  const body: WatchDeleted = await watches().remove((await ctx.params).id);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
