import { Readable } from "node:stream";
import { handle, readJson, searchParamsObject } from "@/lib/http";
import { parseFields, passes } from "@/lib/passes";
import { inventoryDownloadQuerySchema, inventoryExportParamsSchema, type InventoryExported } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Writes the pass as an S3 Inventory report into a bucket of a writable connection. */
export const POST = handle(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { id } = await ctx.params;
  const params = parseFields(inventoryExportParamsSchema, await readJson(request));
  const body: InventoryExported = await passes().exportInventory(id, params);
  return Response.json(body, { status: 201, headers: { "Cache-Control": "no-store" } });
});

/** The same report as a tar archive (S3's layout inside), streamed as a download. */
export const GET = handle(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { id } = await ctx.params;
  const query = parseFields(inventoryDownloadQuerySchema, searchParamsObject(request.url));
  const file = passes().downloadInventory(id, query, request.signal);
  request.signal.addEventListener("abort", () => file.stream.destroy(), { once: true });
  return Promise.resolve(
    new Response(Readable.toWeb(file.stream) as ReadableStream<Uint8Array>, {
      headers: {
        "Content-Type": "application/x-tar",
        "Content-Disposition": `attachment; filename="${file.filename}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    }),
  );
});
