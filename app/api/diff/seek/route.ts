import { diffs } from "@/lib/diff";
import { handle, parse, searchParamsObject } from "@/lib/http";
import { diffSeekQuerySchema, type DiffSeek } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle(async (request: Request) => {
  const query = parse(diffSeekQuerySchema, searchParamsObject(request.url));
  const body: DiffSeek = await diffs().seek(query);
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
