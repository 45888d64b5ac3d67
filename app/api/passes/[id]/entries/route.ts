import { AppError, handle, searchParamsObject } from "@/lib/http";
import { entriesWindow, parseFields, passes } from "@/lib/passes";
import { entriesQuerySchema, entriesWindowQuerySchema, type EntriesResponse, type EntriesWindow } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

// `offset`, `sort` or `order` ask for a window by row index (the pass view); otherwise keyset paging by `after`.
const WINDOW_PARAMS = ["offset", "sort", "order"];

export const GET = handle(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { id } = await ctx.params;
  const params = searchParamsObject(request.url);
  if (WINDOW_PARAMS.some((p) => p in params)) {
    if ("after" in params) throw new AppError("bad_request", "after cannot be combined with offset, sort or order.");
    const window: EntriesWindow = await entriesWindow(passes().store, id, parseFields(entriesWindowQuerySchema, params));
    return Response.json(window, { headers: { "Cache-Control": "no-store" } });
  }
  const query = parseFields(entriesQuerySchema, params);
  const body: EntriesResponse = passes().entries(id, query);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
