import Link from "next/link";
import { raceExperimentOf } from "@/lib/wire";

/** Marks a pass that lists a race lab experiment's prefix, linking back to the experiment. */
export function RacePassLink({ prefix, long = false }: { prefix: string; long?: boolean }) {
  const id = raceExperimentOf(prefix);
  if (id === null) return null;
  return (
    <Link href={`/race/${id}`} className="badge warn" title={`Recorded by the race lab: experiment ${id} writes and deletes keys under this prefix while it lists it`} data-testid="race-pass" prefetch={false}>
      {long ? `race lab experiment ${id}` : "race lab"}
    </Link>
  );
}
