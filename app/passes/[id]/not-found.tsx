"use client";

import { usePathname } from "next/navigation";
import { UnknownPass } from "@/components/pass/pass-view-container";

// notFound() gets no params, and the id belongs in the message: it is the last path segment.
export default function PassNotFound() {
  const last = usePathname().split("/").pop() ?? "";
  let id = last;
  try {
    id = decodeURIComponent(last);
  } catch {
    // A malformed escape is shown as typed.
  }
  return <UnknownPass id={id} />;
}
