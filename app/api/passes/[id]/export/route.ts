import { handle, searchParamsObject } from "@/lib/http";
import { exportPass, parseFields, passes } from "@/lib/passes";
import { exportQuerySchema } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { id } = await ctx.params;
  const { format } = parseFields(exportQuerySchema, searchParamsObject(request.url));
  const file = exportPass(passes().store, id, format);
  return new Response(file.body, {
    headers: {
      "Content-Type": file.contentType,
      "Content-Disposition": `attachment; filename="${file.filename}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
});
