import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PassViewContainer } from "@/components/pass/pass-view-container";
import { passSummaryQuery } from "@/components/pass/queries";
import { getQueryClient } from "@/components/query-client";
import { bucketHistory } from "@/lib/browse";
import { AppError } from "@/lib/http";
import { passes } from "@/lib/passes";
import type { Unavailable } from "@/components/unavailable";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Pass ${(await params).id}` };
}

// The summary is read here so an unknown id is answered at once and the header arrives with the
// page; the pages, keys and live figures stream in the browser.
export default async function PassPage({ params }: Props) {
  const { id } = await params;
  const summary = passes().store.summary(id);
  if (summary === null) notFound();
  const queryClient = getQueryClient();
  queryClient.setQueryData(passSummaryQuery(id).queryKey, summary);
  const snapshotUnavailable = summary.kind === "list" ? await whySnapshotCannotWork(summary.connection, summary.bucket) : null;
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <PassViewContainer id={id} snapshotUnavailable={snapshotUnavailable} />
    </HydrationBoundary>
  );
}

/** "Snapshot at this pass's start" rebuilds the bucket from its versions: said beforehand when it cannot. */
async function whySnapshotCannotWork(connection: string, bucket: string): Promise<Unavailable | null> {
  try {
    const history = await bucketHistory(connection, bucket);
    if (history !== "never") return null;
    return {
      short: "needs versioning",
      reason: `“${bucket}” has never had versioning enabled, so S3 keeps only each key's current version: the bucket as it was when this pass started cannot be rebuilt.`,
    };
  } catch (err) {
    if (err instanceof AppError && err.code === "no_such_bucket") return { short: "bucket gone", reason: `Bucket “${bucket}” no longer exists, so its versions cannot be read.` };
    if (err instanceof AppError && err.code === "unknown_connection") return { short: "connection gone", reason: `Connection “${connection}” is no longer configured.` };
    return null;
  }
}
