import type { Metadata } from "next";
import { WatchesSection } from "@/components/watches/watches-section";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Watches" };

export default function WatchesPage() {
  return (
    <>
      <h1>Watches</h1>
      <WatchesSection target={null} title="Every watch" />
    </>
  );
}
