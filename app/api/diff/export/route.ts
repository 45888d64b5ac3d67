import { diffs } from "@/lib/diff";
import { handle, parse, searchParamsObject } from "@/lib/http";
import { diffExportQuerySchema } from "@/lib/wire";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = handle((request: Request) => {
  const { format, ...query } = parse(diffExportQuerySchema, searchParamsObject(request.url));
  const file = diffs().exportDiff(query, format);
  return Promise.resolve(
    new Response(file.body, {
      headers: {
        "Content-Type": file.contentType,
        "Content-Disposition": `attachment; filename="${file.filename}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    }),
  );
});
