"use client";

import { QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { TimeZoneChoice } from "./format";
import { TimeZoneProvider } from "./format/time";
import { getQueryClient } from "./query-client";

export function Providers({ timeZone, children }: { timeZone: TimeZoneChoice; children: ReactNode }) {
  const queryClient = getQueryClient();
  return (
    <QueryClientProvider client={queryClient}>
      <TimeZoneProvider initial={timeZone}>{children}</TimeZoneProvider>
    </QueryClientProvider>
  );
}
