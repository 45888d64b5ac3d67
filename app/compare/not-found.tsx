"use client";

import { useQueries } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { NotFound } from "@/components/not-found";
import { passSummaryQuery } from "@/components/pass/queries";

// notFound() gets no params: the ids come from the address, and which of them is unknown from the API.
export default function CompareNotFound() {
  const search = useSearchParams();
  const ids = [search.get("a") ?? "", search.get("b") ?? ""] as const;
  const known = useQueries({ queries: ids.map((id) => ({ ...passSummaryQuery(id), enabled: id !== "" })) });
  const unknown = ids.filter((id, i) => known[i]?.isError === true);
  const named = unknown.length > 0 ? unknown : ids;
  return (
    <NotFound title="Pass not found" back={[{ href: "/passes", label: "See all passes" }]} testId="unknown-compare">
      There is no pass with id {named.map((id) => `“${id}”`).join(" or ")}, so there is nothing to compare. A pass may have been deleted (a watch keeps only its
      latest passes), or the link is mistyped.
    </NotFound>
  );
}
