import { connections, listBuckets } from "@/lib/connections";
import { handle, parse } from "@/lib/http";
import { connectionNameSchema, type BucketsResponse } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle(async (_request: Request, ctx: { params: Promise<{ name: string }> }) => {
  const name = parse(connectionNameSchema, (await ctx.params).name, "unknown_connection");
  const conn = await connections().get(name);
  const body: BucketsResponse = { connection: conn.name, buckets: await listBuckets(conn) };
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
