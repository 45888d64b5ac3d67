import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PassViewContainer } from "@/components/pass/pass-view-container";
import { passSummaryQuery } from "@/components/pass/queries";
import { getQueryClient } from "@/components/query-client";
import { passes } from "@/lib/passes";

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
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <PassViewContainer id={id} />
    </HydrationBoundary>
  );
}
