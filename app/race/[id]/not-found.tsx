"use client";

import { usePathname } from "next/navigation";
import { NotFound, pathSegments } from "@/components/not-found";

// notFound() gets no params, and the id belongs in the message: it is the last path segment.
export default function ExperimentNotFound() {
  const id = pathSegments(usePathname()).at(-1) ?? "";
  return (
    <NotFound title="Experiment not found" back={[{ href: "/race", label: "See all experiments" }]} testId="unknown-experiment">
      There is no experiment with id “{id}”. It may have been recorded in another data directory, or the link is mistyped.
    </NotFound>
  );
}
