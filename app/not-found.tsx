import type { Metadata } from "next";
import { NotFound } from "@/components/not-found";

export const metadata: Metadata = { title: "Not found" };

export default function PageNotFound() {
  return (
    <NotFound
      title="Page not found"
      back={[
        { href: "/", label: "Connections" },
        { href: "/passes", label: "Passes" },
        { href: "/watches", label: "Watches" },
        { href: "/race", label: "Race lab" },
      ]}
    >
      There is nothing at this address. It may be mistyped, or it belonged to an older version of bucketscope.
    </NotFound>
  );
}
