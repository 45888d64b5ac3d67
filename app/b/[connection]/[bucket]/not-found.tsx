"use client";

import { useQuery } from "@tanstack/react-query";
import { usePathname } from "next/navigation";
import { connectionsQuery } from "@/components/home/queries";
import { NotFound, pathSegments } from "@/components/not-found";

// notFound() gets no params: /b/{connection}/{bucket}[/history] is read from the path, and whether
// the connection exists from the connections list, so the page says which of the two is unknown.
export default function BucketNotFound() {
  const [, connection = "", bucket = ""] = pathSegments(usePathname());
  const known = useQuery(connectionsQuery());
  const connectionKnown = known.data?.connections.some((c) => c.name === connection);
  if (connectionKnown === false) {
    return (
      <NotFound title="Connection not found" back={[{ href: "/", label: "Back to the connections" }]} testId="unknown-connection">
        There is no connection named “{connection}”. Connections are defined on the server (see the README, “Connections”).
      </NotFound>
    );
  }
  return (
    <NotFound title="Bucket not found" back={[{ href: "/", label: "Back to the connections" }]} testId="unknown-bucket">
      Bucket “{bucket}” does not exist on connection “{connection}”{connectionKnown === undefined ? " (or the connection is unknown)" : ""}. It may have
      been deleted, or the link is mistyped.
    </NotFound>
  );
}
