"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useRef, useState, useTransition, type ReactNode } from "react";
import { formatTime } from "@/components/format";
import { useTimeZone } from "@/components/format/time";
import { HistoryLink } from "@/components/history/history-link";
import { ObjectKeyHistory } from "@/components/key-history/key-history-section";
import { coveringPrefixes } from "@/components/key-history/search-params";
import { ConcurrencySelect } from "@/components/pass/concurrency";
import { ApiError } from "@/components/stream/api-error";
import type { Unavailable } from "@/components/unavailable";
import type { BucketHistory } from "@/lib/wire";
import { AsOfBanner, type AsOfCounts } from "./as-of-banner";
import { AsOfControl } from "./as-of-control";
import { Breadcrumbs, type BreadcrumbItem } from "./breadcrumbs";
import { ListingStatus, type ListingPhase } from "./listing-status";
import { ListingTable, type ListingTableHandle } from "./listing-table";
import { ListingToolbar } from "./listing-toolbar";
import { ObjectPanel } from "./object-panel";
import { PageStrip } from "./page-strip";
import { listingQuery, objectDetailsQuery, useRecordListing } from "./queries";
import { breadcrumbs, browseHref, changeView, listingTarget, parseBrowseView, splitPrefix, type BrowseView } from "./search-params";
import styles from "./browser.module.css";

// Moving around inside the browser only changes the query string: history.pushState keeps this
// component, its loaded listing and its scroll position, and Next's router still follows it
// (useSearchParams updates, the back button works).
function pushUrl(href: string): void {
  window.history.pushState(null, "", href);
}
function replaceUrl(href: string): void {
  window.history.replaceState(null, "", href);
}

const ERROR_TITLES: Record<string, string> = {
  unknown_connection: "Unknown connection",
  no_such_bucket: "No such bucket",
  invalid_bucket_name: "Invalid bucket name",
  invalid_prefix: "Invalid prefix",
  invalid_page_size: "Invalid page size",
  access_denied: "Access denied",
  throttled: "S3 is throttling requests",
  upstream_unreachable: "The S3 endpoint cannot be reached",
  upstream_error: "The S3 endpoint failed",
  not_versioned: "This bucket has no history to go back in time with",
  bad_request: "This request cannot be answered",
};

/**
 * Every way to record (this button, "Start a pass", a watch) defaults to a flat listing: a recorded
 * pass exists to be compared, and only a flat pass holds every key under the prefix (a pass rolled up
 * by "/" compares just the keys directly in its folder, so changes in subfolders never show in the
 * history). One default also keeps passes recorded from anywhere in one history series.
 */
function recordTitle(prefix: string, pageSize: number): string {
  return `Record every key under “${prefix === "" ? "the bucket" : prefix}” as a pass (flat, pages of ${pageSize}), kept with every page and key: passes, watches and the history default to flat listings, so this pass compares with the others`;
}

function describeError(err: Error): { title: string; message: string; code: string } {
  if (err instanceof ApiError) return { title: ERROR_TITLES[err.code] ?? "The listing failed", message: err.message, code: err.code };
  return { title: "The listing failed", message: err.message, code: "network" };
}

function ProblemBox({ title, message, children }: { title: string; message: string; children?: ReactNode }) {
  return (
    <div className={`error-box ${styles.message}`} role="alert" data-testid="browse-error">
      <strong>{title}</strong>
      <p>{message}</p>
      {children}
    </div>
  );
}

/** Why the bucket cannot be shown as of T, in a few words and in full; null when it can (or is not known yet). */
export function asOfUnavailable(bucket: string, history: BucketHistory): Unavailable | null {
  if (history !== "never") return null;
  return {
    short: "needs versioning",
    reason: `“${bucket}” has never had versioning enabled, so S3 keeps only the current version of each key: there is no earlier moment to rebuild. Enable versioning on the bucket, or record passes now and compare them over time.`,
  };
}

export function BrowserContainer({ connection, bucket, history }: { connection: string; bucket: string; history: BucketHistory }) {
  const searchParams = useSearchParams();
  const { view, problems } = useMemo(() => parseBrowseView(searchParams), [searchParams]);
  const router = useRouter();
  const queryClient = useQueryClient();
  const tableRef = useRef<ListingTableHandle>(null);
  const choice = useTimeZone();

  const hrefFor = (patch: Partial<BrowseView>) => browseHref(connection, bucket, changeView(view, patch));
  const target = listingTarget(connection, bucket, view);
  const listingOptions = listingQuery(target);
  const listing = useQuery({ ...listingOptions, enabled: problems.length === 0 });
  // The new pass's page takes a moment to load after the POST answers: the button stays busy until it has.
  const [opening, startOpening] = useTransition();
  const openPass = (created: { id: string }) => startOpening(() => router.push(`/passes/${encodeURIComponent(created.id)}`));
  const record = useRecordListing(openPass);
  const snapshot = useRecordListing(openPass);
  // Busy from the click itself: the mutation's own state arrives a tick later.
  const [recording, setRecording] = useState(false);
  const recordBusy = recording || record.isPending || opening;
  const [recordConcurrency, setRecordConcurrency] = useState(1);
  const startRecording = () => {
    setRecording(true);
    // Flat whatever the view shows: see recordTitle.
    record.mutate({ connection, bucket, prefix: view.prefix, pageSize: view.pageSize, concurrency: recordConcurrency }, { onError: () => setRecording(false) });
  };
  const asOf = view.asOf;

  const { folder, filter } = splitPrefix(view.prefix);
  const asOfTitle = asOf !== null ? ` as of ${formatTime(asOf, choice, { ms: "auto" })}` : "";
  useEffect(() => {
    document.title = `${folder === "" ? bucket : `${bucket}/${folder}`}${asOfTitle} · bucketscope`;
  }, [bucket, folder, asOfTitle]);

  const crumbs: BreadcrumbItem[] = [
    { label: bucket, href: hrefFor({ prefix: "", key: null }) },
    ...breadcrumbs(folder).map((c) => ({ label: c.label, href: hrefFor({ prefix: c.prefix, key: null }) })),
  ];

  const data = listing.data;
  const ended = data?.end != null;
  const streaming = listing.isFetching && !ended;
  const loadingPage = streaming ? (data?.bands.length ?? 0) + 1 : null;
  const failure = data?.end?.error ?? data?.streamError ?? (listing.error !== null ? { message: listing.error.message } : null);
  // "complete" only once nothing is being fetched: a cached listing being listed again is not done.
  const phase: ListingPhase =
    failure !== null
      ? { kind: "failed", message: failure.message, endedEarly: "code" in failure && failure.code === "short_listing" }
      : listing.isFetching
        ? { kind: "listing", loadingPage: loadingPage ?? (data?.bands.length ?? 0) + 1 }
        : data?.end
          ? { kind: "complete", durationMs: data.end.durationMs }
          : { kind: "stopped" };
  const figures = { pages: data?.bands.length ?? 0, keys: data?.objects ?? 0, folders: data?.folders ?? 0, bytes: data?.bytes ?? 0 };

  // "Go to page" is in the URL: the page's band is scrolled to once it has arrived, for each listing.
  const bandRow = view.page !== null ? data?.bandRows[view.page - 1] : undefined;
  const scrolledTo = useRef<string | null>(null);
  useEffect(() => {
    if (bandRow === undefined || data === undefined) return;
    const mark = `${data.generation}:${view.page}`;
    if (scrolledTo.current === mark) return;
    scrolledTo.current = mark;
    tableRef.current?.scrollToRow(bandRow);
  }, [bandRow, data, view.page]);
  const goToPage = (pageNumber: number) => {
    scrolledTo.current = null;
    replaceUrl(hrefFor({ page: pageNumber }));
    const row = data?.bandRows[pageNumber - 1];
    if (row !== undefined) tableRef.current?.scrollToRow(row);
  };

  // Esc closes the object's details, unless it is meant for a field being typed in.
  const closeHref = hrefFor({ key: null, version: null });
  const open = view.key !== null;
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      const field = e.target instanceof HTMLElement && e.target.closest("input, textarea, select") !== null;
      if (e.key === "Escape" && !field && !e.defaultPrevented) pushUrl(closeHref);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open, closeHref]);
  const emptyMessage =
    data?.end && data.objects + data.folders === 0 && asOf !== null
      ? view.prefix === ""
        ? "Nothing in this bucket existed at T."
        : filter !== ""
          ? "No key beginning with this prefix existed at T."
          : "Nothing under this folder existed at T."
      : data?.end && data.objects + data.folders === 0
        ? view.prefix === ""
          ? "This bucket is empty."
          : filter !== ""
            ? "Nothing here begins with this prefix."
            : "This folder is empty."
        : null;

  const startError = listing.error !== null && (data === undefined || data.bands.length === 0) ? describeError(listing.error) : null;
  const counts: AsOfCounts = data?.end?.asOf ?? {
    versions: data?.bands.reduce((n, b) => n + (b.versions?.versions ?? 0), 0) ?? 0,
    deleteMarkers: data?.bands.reduce((n, b) => n + (b.versions?.deleteMarkers ?? 0), 0) ?? 0,
    absentKeys: data?.bands.reduce((n, b) => n + (b.versions?.absentKeys ?? 0), 0) ?? 0,
    ties: data?.bands.reduce((n, b) => n + (b.versions?.ties ?? 0), 0) ?? 0,
  };
  const liveHref = hrefFor({ asOf: null, key: null, version: null });
  // Nothing to list, filter or record here: the controls would only fail again.
  const gone = startError !== null && (startError.code === "unknown_connection" || startError.code === "no_such_bucket");

  return (
    <div className={styles.browser}>
      <div className={styles.head}>
        <Breadcrumbs connection={connection} items={crumbs} onNavigate={pushUrl} />
        <div className={styles.actions}>
          {gone ? null : (
            <AsOfControl
              connection={connection}
              bucket={bucket}
              asOf={asOf}
              unavailable={asOf === null ? asOfUnavailable(bucket, history) : null}
              onApply={(t) => pushUrl(hrefFor({ asOf: t, key: null, version: null }))}
              onNow={() => pushUrl(liveHref)}
            />
          )}
          {gone ? null : <HistoryLink connection={connection} bucket={bucket} />}
          {record.error !== null ? (
            <span className={styles.actionError} role="alert">
              {record.error.message}
            </span>
          ) : null}
          {asOf === null && !gone ? (
            <span className={styles.record}>
              <ConcurrencySelect value={recordConcurrency} onChange={setRecordConcurrency} label="Cursors for the recorded listing" compact />
              <button
                type="button"
                className="primary"
                disabled={recordBusy || problems.length > 0 || startError !== null}
                aria-busy={recordBusy}
                title={recordTitle(view.prefix, view.pageSize)}
                data-testid="record-pass"
                onClick={startRecording}
              >
                {recordBusy ? "Recording…" : "Record a pass"}
              </button>
            </span>
          ) : null}
        </div>
      </div>

      {gone ? null : (
        <ListingToolbar
          folder={folder}
          filter={filter}
          pageSize={view.pageSize}
          flat={view.flat}
          pageCount={data?.bands.length ?? 0}
          page={view.page}
          streaming={streaming}
          onFilterChange={(next) => replaceUrl(hrefFor({ prefix: folder + next }))}
          onPageSizeChange={(pageSize) => pushUrl(hrefFor({ pageSize }))}
          onFlatChange={(flat) => pushUrl(hrefFor({ flat }))}
          onJumpToPage={goToPage}
          onStop={() => void queryClient.cancelQueries({ queryKey: listingOptions.queryKey })}
          onRefresh={() => void queryClient.resetQueries({ queryKey: listingOptions.queryKey })}
        />
      )}

      {problems.length > 0 ? (
        <ProblemBox title="This link has a parameter that cannot be used" message={problems.join(" ")}>
          <p>
            <Link href={browseHref(connection, bucket)}>Open the bucket&rsquo;s root</Link>
            {asOf === null && searchParams.has("asOf") ? (
              <>
                {" · "}
                <Link href={liveHref}>Browse it live</Link>
              </>
            ) : null}
          </p>
        </ProblemBox>
      ) : startError !== null ? (
        <ProblemBox title={startError.title} message={startError.message}>
          <p>
            {startError.code === "unknown_connection" || startError.code === "no_such_bucket" ? (
              <Link href="/">Back to the connections</Link>
            ) : asOf !== null && (startError.code === "not_versioned" || startError.code === "bad_request") ? (
              <Link
                href={liveHref}
                onClick={(e) => {
                  e.preventDefault();
                  pushUrl(liveHref);
                }}
                data-testid="browse-live-link"
              >
                Browse it live
              </Link>
            ) : (
              <button type="button" className={styles.small} onClick={() => void queryClient.resetQueries({ queryKey: listingOptions.queryKey })}>
                Try again
              </button>
            )}
          </p>
        </ProblemBox>
      ) : (
        <>
          {asOf !== null ? (
            <AsOfBanner
              asOf={asOf}
              info={data?.start?.asOf ?? null}
              counts={counts}
              ties={data?.ties ?? []}
              folders={!view.flat}
              complete={ended}
              snapshot={{
                pending: snapshot.isPending || opening,
                error: snapshot.error?.message ?? null,
                disabled: false,
                onRecord: () => snapshot.mutate({ kind: "snapshot", asOf, connection, bucket, prefix: view.prefix, pageSize: view.pageSize }),
              }}
            />
          ) : null}
          <div className={styles.summary}>
            <ListingStatus phase={phase} figures={figures} listing={data?.url ?? null} generation={data?.generation ?? null} />
            <PageStrip bands={data?.bands ?? []} loadingPage={loadingPage} onSelectPage={goToPage} />
          </div>
          <div className={`${styles.body} ${view.key !== null ? styles.bodyWithPanel : ""}`}>
            <ListingTable
              ref={tableRef}
              rows={data?.rows ?? []}
              rowCount={data?.rowCount ?? 0}
              bandRows={data?.bandRows ?? []}
              folder={folder}
              selectedKey={view.key}
              loadingPage={loadingPage}
              emptyMessage={emptyMessage}
              folderHref={(prefix) => hrefFor({ prefix, key: null })}
              objectHref={(key, versionId) => hrefFor({ key, version: asOf !== null ? versionId : null })}
              asOf={asOf}
              onNavigate={pushUrl}
            />
            {view.key !== null ? (
              <ObjectPanelContainer
                connection={connection}
                bucket={bucket}
                objectKey={view.key}
                versionId={view.version}
                asOf={asOf}
                closeHref={closeHref}
                history={
                  <ObjectKeyHistory
                    connection={connection}
                    bucket={bucket}
                    objectKey={view.key}
                    prefixes={coveringPrefixes(view.key, view.prefix, folder)}
                    recordBusy={recordBusy}
                    onRecord={asOf === null ? startRecording : undefined}
                  />
                }
              />
            ) : null}
          </div>
        </>
      )}
    </div>
  );
}

function ObjectPanelContainer(props: { connection: string; bucket: string; objectKey: string; versionId: string | null; asOf: string | null; closeHref: string; history: ReactNode }) {
  const { connection, bucket, objectKey, versionId, asOf, closeHref, history } = props;
  const details = useQuery(objectDetailsQuery({ connection, bucket, key: objectKey, versionId }));
  return (
    <ObjectPanel
      objectKey={objectKey}
      bucket={bucket}
      details={details.data}
      error={details.error !== null ? { code: details.error instanceof ApiError ? details.error.code : "network", message: details.error.message } : null}
      closeHref={closeHref}
      onNavigate={pushUrl}
      asOf={asOf}
      history={history}
    />
  );
}
