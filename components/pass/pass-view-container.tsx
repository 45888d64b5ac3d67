"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useCallback, useDeferredValue, useEffect, useMemo, useState, type MouseEvent } from "react";
import { compareHref } from "@/components/diff/search-params";
import { formatCount, formatDuration } from "@/components/format";
import { PassKeyPanel } from "@/components/key-history/pass-key-panel";
import { ApiError } from "@/components/stream/api-error";
import type { Unavailable } from "@/components/unavailable";
import { latencyStats, pagePoints } from "./chart-data";
import { CursorLanes } from "./cursor-lanes";
import { explainFlags, explainParallel, explainPass } from "./explain";
import { livePassParams } from "./inventory";
import { InventoryExport } from "./inventory-export";
import { CompareWithLiveButton, InventoryPanel, LiveComparisonProgress } from "./inventory-panel";
import { KeysPanel } from "./keys-panel";
import { currentSummary, displayTotals, elapsedMs } from "./live";
import { PagesChart } from "./pages-chart";
import { PageDetail, PagesTable } from "./pages-table";
import { ExplanationBox, LiveStats, PassHeader } from "./pass-header";
import { PrefixPanel } from "./prefix-panel";
import { SnapshotAtStartButton, SnapshotProgress } from "./snapshot-action";
import { SnapshotPanel } from "./snapshot-panel";
import { invalidatePass, passSummaryQuery, useCancelPass, useResumePass } from "./queries";
import { passHref, parsePassView, PASS_TABS, type PassTab, type PassView } from "./search-params";
import { useLivePass } from "./use-live-pass";
import { useFollowedPass, useSnapshotAtStart } from "./use-snapshot-at-start";
import styles from "./pass.module.css";

const TAB_LABEL: Record<PassTab, string> = { keys: "Keys", pages: "Pages", prefixes: "Prefixes" };
const PARALLEL_POLL_MS = 2_000;

export function UnknownPass({ id }: { id: string }) {
  return (
    <div>
      <div className={styles.crumbs}>
        <Link href="/passes">Passes</Link>
      </div>
      <h1>Pass not found</h1>
      <div className="error-box" data-testid="unknown-pass">
        There is no pass with id “{id}”. It may have been deleted, or the link is mistyped. <Link href="/passes">See all passes</Link>.
      </div>
    </div>
  );
}

/** A pass, live while it runs. A resume remounts the live part so it attaches to the new run. */
export function PassViewContainer({ id, snapshotUnavailable = null }: { id: string; snapshotUnavailable?: Unavailable | null }) {
  const [attachment, setAttachment] = useState(0);
  const reattach = useCallback(() => setAttachment((n) => n + 1), []);
  return <LivePassView key={attachment} id={id} onReattach={reattach} snapshotUnavailable={snapshotUnavailable} />;
}

function LivePassView({ id, onReattach, snapshotUnavailable }: { id: string; onReattach: () => void; snapshotUnavailable: Unavailable | null }) {
  const searchParams = useSearchParams();
  const { value: view, problems } = useMemo(() => parsePassView(searchParams), [searchParams]);
  // A parallel pass's cursors and notes change while it runs: its summary is read again meanwhile.
  const loaded = useQuery({
    ...passSummaryQuery(id),
    refetchInterval: (q) => (q.state.data?.status === "running" && q.state.data.parallel !== null ? PARALLEL_POLL_MS : false),
  });
  const stream = useLivePass(id);
  const live = stream.state;
  const pass = currentSummary(live, loaded.data);
  const status = live.status ?? pass?.status ?? "running";
  const client = useQueryClient();

  useEffect(() => {
    if (live.ended) void invalidatePass(client, id);
  }, [live.ended, client, id]);

  const cancel = useCancelPass(id);
  const resume = useResumePass(id);
  const router = useRouter();
  const snapshotAtStart = useSnapshotAtStart(pass);
  const liveComparison = useFollowedPass();
  const liveDone = liveComparison.pass?.status === "complete" ? liveComparison.pass.id : null;
  useEffect(() => {
    // The report is the "before" side: the bucket as of its creation, against the bucket now.
    if (liveDone !== null) router.push(compareHref({ a: id, b: liveDone }));
  }, [liveDone, id, router]);
  const snapshotDone = snapshotAtStart.snapshot?.status === "complete" ? snapshotAtStart.snapshot.id : null;
  const compareIncomplete = pass !== undefined && pass.status !== "complete";
  useEffect(() => {
    // The snapshot is the "before" side: what the bucket was when this pass began.
    if (snapshotDone !== null) router.push(compareHref({ a: snapshotDone, b: id, allowIncomplete: compareIncomplete }));
  }, [snapshotDone, id, compareIncomplete, router]);
  const onView = useCallback(
    (patch: Partial<PassView>, how: "push" | "replace") => {
      const href = passHref(id, { ...view, ...patch });
      // The app router follows history updates, so the view changes without a server round trip.
      if (how === "push") window.history.pushState(null, "", href);
      else window.history.replaceState(null, "", href);
    },
    [id, view],
  );
  const selectPage = useCallback((page: number) => onView({ page }, "push"), [onView]);

  const chartPages = useDeferredValue(live.pages);
  const points = useMemo(() => pagePoints(chartPages), [chartPages]);
  const latency = useMemo(() => latencyStats(chartPages), [chartPages]);

  const gone = [loaded.error, stream.error].some((e) => e instanceof ApiError && e.status === 404);
  if (gone) return <UnknownPass id={id} />;
  if (pass === undefined) {
    return loaded.error !== null ? <div className="error-box">{loaded.error.message}</div> : <p className="muted">Loading the pass…</p>;
  }

  const running = status === "running";
  const totals = displayTotals(live, pass);
  const explanation = explainPass(status, pass.error, pass.totals.pages + pass.totals.failedPages);
  const flagged = explainFlags(live.pages);
  const streamProblem = live.streamError?.message ?? (stream.status === "error" ? (stream.error?.message ?? "unknown error") : null);
  const actionError = cancel.error?.message ?? resume.error?.message ?? null;
  const selected = view.page !== null ? live.pages[view.page] : undefined;
  const fresher = loaded.data !== undefined && loaded.data.updatedAt > pass.updatedAt ? loaded.data : pass;
  const parallel = fresher.parallel !== null ? explainParallel(fresher.parallel, running) : null;

  const tabClick = (e: MouseEvent<HTMLAnchorElement>, tab: PassTab) => {
    e.preventDefault();
    onView({ tab }, "push");
  };

  return (
    <div data-testid="pass-view" data-status={status} data-stream={stream.status}>
      {problems.length > 0 ? (
        <div className={styles.notice} data-testid="view-problems">
          Some settings in this link could not be used, so their defaults are shown: {problems.join("; ")}.
        </div>
      ) : null}
      <PassHeader
        pass={pass}
        status={status}
        actions={{
          onCancel: () => cancel.mutate(),
          onResume: () => resume.mutate(undefined, { onSuccess: onReattach }),
          cancelling: cancel.isPending,
          resuming: resume.isPending,
          error: actionError,
        }}
        extraActions={
          pass.kind === "list" && !running ? (
            <SnapshotAtStartButton onStart={snapshotAtStart.start} busy={snapshotAtStart.busy} unavailable={snapshotUnavailable} />
          ) : pass.kind === "inventory" && status === "complete" ? (
            <CompareWithLiveButton onStart={() => liveComparison.start(livePassParams(pass))} busy={liveComparison.busy} />
          ) : null
        }
      />
      {pass.kind === "inventory" ? (
        <LiveComparisonProgress pass={pass} error={liveComparison.error} liveId={liveComparison.passId} live={liveComparison.pass} />
      ) : null}
      {pass.kind === "list" ? (
        <SnapshotProgress pass={pass} error={snapshotAtStart.error} snapshotId={snapshotAtStart.snapshotId} snapshot={snapshotAtStart.snapshot} />
      ) : null}
      <LiveStats status={status} totals={totals} elapsedAt={(now) => (live.pass !== null ? elapsedMs(live, now) : pass.activeMs)} />
      {explanation !== null ? <ExplanationBox explanation={explanation} /> : null}
      {parallel !== null ? <ExplanationBox explanation={parallel} testId="parallel-explanation" /> : null}
      {flagged !== null ? <ExplanationBox explanation={flagged} testId="pass-flags" /> : null}
      {pass.kind === "snapshot" ? <SnapshotPanel info={pass.snapshot} pages={live.pages} status={status} keys={totals.keys} /> : null}
      {pass.kind === "inventory" ? <InventoryPanel pass={pass} status={status} pages={live.pages} /> : null}
      {status === "complete" ? <InventoryExport pass={pass} /> : null}
      {streamProblem !== null ? (
        <div className="error-box" style={{ marginTop: 12 }}>
          Live updates stopped: {streamProblem}{" "}
          <button type="button" onClick={onReattach}>
            Reconnect
          </button>
        </div>
      ) : null}

      <section className={styles.chartPanel}>
        <div className={styles.chartHead}>
          <h2>Pages: latency and size</h2>
          <span className="muted" style={{ fontSize: 12 }}>
            {latency.slowest !== null
              ? `median ${formatDuration(latency.median)} · slowest page ${formatCount(latency.slowest.index + 1)} (${formatDuration(latency.slowest.durationMs)}) · click a page for details`
              : ""}
          </span>
        </div>
        <PagesChart points={points} selectedPage={view.page} onSelectPage={selectPage} />
      </section>
      {pass.concurrency > 1 ? <CursorLanes pages={chartPages} running={running} onSelectPage={selectPage} /> : null}

      <nav className={styles.tabs} aria-label="Pass views">
        {PASS_TABS.map((tab) => (
          <a
            key={tab}
            href={passHref(id, { ...view, tab })}
            onClick={(e) => tabClick(e, tab)}
            className={`${styles.tab} ${view.tab === tab ? styles.tabActive : ""}`}
            aria-current={view.tab === tab ? "page" : undefined}
            data-testid={`tab-${tab}`}
          >
            {TAB_LABEL[tab]}
            {tab === "keys" ? <span className={styles.tabCount}>{formatCount(totals.keys)}</span> : null}
            {tab === "pages" ? <span className={styles.tabCount}>{formatCount(live.pages.length)}</span> : null}
          </a>
        ))}
      </nav>

      {view.tab === "keys" ? (
        <div className={view.key !== null ? styles.keysWithPanel : undefined}>
        <KeysPanel
          id={id}
          view={view}
          pages={live.pages}
          liveKeys={totals.keys}
          pageRecords={totals.pages + totals.failedPages}
          anomalies={totals.anomalies}
          running={running}
          parallel={pass.concurrency > 1}
          versions={pass.kind === "snapshot" || pass.inventory?.versions === true}
          onView={onView}
        />
        {view.key !== null ? <PassKeyPanel pass={pass} objectKey={view.key} closeHref={passHref(id, { ...view, key: null })} /> : null}
        </div>
      ) : null}
      {view.tab === "pages" ? (
        <div className={styles.split}>
          <PagesTable pages={live.pages} versions={pass.kind === "snapshot"} selectedPage={view.page} onSelectPage={selectPage} />
          <PageDetail page={selected} />
        </div>
      ) : null}
      {view.tab === "prefixes" ? <PrefixPanel id={id} view={view} running={running} onView={onView} /> : null}
    </div>
  );
}
