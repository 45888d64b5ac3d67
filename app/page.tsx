import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { HomeContainer } from "@/components/home/home-container";
import { connectionsQuery, recentPassesQuery } from "@/components/home/queries";
import { getQueryClient } from "@/components/query-client";
import { connections } from "@/lib/connections";
import { passes } from "@/lib/passes";

export const dynamic = "force-dynamic";

// Connections and recorded passes are local reads, so the page arrives with them; bucket lists
// ask each endpoint (which may be slow or down) and load in the browser, each in its own card.
export default async function HomePage() {
  const queryClient = getQueryClient();
  const recent = recentPassesQuery();
  await Promise.all([
    queryClient.prefetchQuery({ ...connectionsQuery(), queryFn: async () => ({ connections: await connections().list() }) }),
    queryClient.prefetchQuery({ ...recent, queryFn: () => ({ passes: passes().list({ limit: recent.queryKey[2], race: "exclude" }) }) }),
  ]);
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <HomeContainer />
    </HydrationBoundary>
  );
}
