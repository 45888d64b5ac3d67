import { handle, readJson, searchParamsObject } from "@/lib/http";
import { parseFields } from "@/lib/passes";
import { watches } from "@/lib/watches";
import { watchCreateSchema, watchListQuerySchema, type Watch, type WatchListResponse } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle((request: Request) => {
  const query = parseFields(watchListQuerySchema, searchParamsObject(request.url));
  const body: WatchListResponse = { watches: watches().list(query) };
  return Promise.resolve(Response.json(body, { headers: { "Cache-Control": "no-store" } }));
});

export const POST = handle(async (request: Request) => {
  const input = parseFields(watchCreateSchema, await readJson(request));
  const body: Watch = await watches().create(input);
  return Response.json(body, { status: 201, headers: { "Cache-Control": "no-store" } });
});
