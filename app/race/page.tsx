import type { Metadata } from "next";
import { RaceHome } from "@/components/race/race-home";

export const metadata: Metadata = { title: "Race lab" };

export default function RacePage() {
  return <RaceHome />;
}
