import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { PassListContainer } from "@/components/pass/pass-list-container";
import { PASS_LIST_LIMIT, passListQuery } from "@/components/pass/queries";
import { parsePassListFilters } from "@/components/pass/search-params";
import { getQueryClient } from "@/components/query-client";
import { passes } from "@/lib/passes";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Passes" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

// The list is a local read, so the page arrives with it; the client keeps it fresh while passes run.
export default async function PassesPage({ searchParams }: Props) {
  const { value: filters } = parsePassListFilters(await searchParams);
  const queryClient = getQueryClient();
  await queryClient.prefetchQuery({
    ...passListQuery(filters),
    queryFn: () => ({ passes: passes().list({ ...filters, limit: PASS_LIST_LIMIT }) }),
  });
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <PassListContainer />
    </HydrationBoundary>
  );
}
