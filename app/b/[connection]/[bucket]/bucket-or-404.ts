import "server-only";
import { notFound } from "next/navigation";
import { bucketHistory } from "@/lib/browse";
import { AppError } from "@/lib/http";
import type { BucketHistory } from "@/lib/wire";

/** An unknown connection or bucket is a 404 page (./not-found.tsx); anything else the browser explains in place. */
export async function bucketHistoryOr404(connection: string, bucket: string): Promise<BucketHistory> {
  try {
    return await bucketHistory(connection, bucket);
  } catch (err) {
    if (err instanceof AppError && (err.code === "unknown_connection" || err.code === "no_such_bucket")) notFound();
    return "unchecked";
  }
}

