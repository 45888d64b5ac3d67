import type { Metadata } from "next";
import { Suspense } from "react";
import { RaceHome } from "@/components/race/race-home";

export const metadata: Metadata = { title: "Race lab" };

export default function RacePage() {
  // The form reads its cursor count from the address (?concurrency=), so a parallel race is a link.
  return (
    <Suspense fallback={<p className="muted">Loading the race lab…</p>}>
      <RaceHome />
    </Suspense>
  );
}
