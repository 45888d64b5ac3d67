"use client";

import { useQuery } from "@tanstack/react-query";
import { ObjectPanel } from "@/components/browser/object-panel";
import { objectDetailsQuery } from "@/components/browser/queries";
import { ApiError } from "@/components/stream/api-error";
import type { PassSummary } from "@/lib/wire";
import { ObjectKeyHistory } from "./key-history-section";
import { coveringPrefixes } from "./search-params";

// The app router follows history updates: closing the panel keeps the pass's loaded rows and scroll.
const pushUrl = (href: string) => window.history.pushState(null, "", href);

/** The pass view's panel for one of its keys: the object as it is now (HEAD) and the key through the recorded passes. */
export function PassKeyPanel({ pass, objectKey, closeHref }: { pass: PassSummary; objectKey: string; closeHref: string }) {
  const { connection, bucket } = pass;
  const details = useQuery(objectDetailsQuery({ connection, bucket, key: objectKey, versionId: null }));
  return (
    <ObjectPanel
      objectKey={objectKey}
      bucket={bucket}
      details={details.data}
      error={details.error !== null ? { code: details.error instanceof ApiError ? details.error.code : "network", message: details.error.message } : null}
      closeHref={closeHref}
      onNavigate={pushUrl}
      hint="The object as it is now (HEAD), which may differ from what this pass listed: the history below says how it changed."
      history={<ObjectKeyHistory connection={connection} bucket={bucket} objectKey={objectKey} prefixes={coveringPrefixes(objectKey, pass.prefix, pass.prefix)} currentPassId={pass.id} />}
    />
  );
}
