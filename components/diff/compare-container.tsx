"use client";

import { keepPreviousData, useQueries, useQuery, type UseQueryResult } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { historyHref } from "@/components/history/search-params";
import { BLOCK_ROWS, blocksFor } from "@/components/pass/windows";
import { ApiError } from "@/components/stream/api-error";
import type { DiffItem, DiffOnly, DiffWindow } from "@/lib/wire";
import { CompareCounts, CompareNotes, ComparePasses } from "./compare-header";
import type { InventorySides } from "./cells";
import { CompareTable, type CompareTableHandle, type ItemRange } from "./compare-table";
import { CompareToolbar } from "./compare-toolbar";
import { diffSummaryQuery, diffWindowQuery, seekChange } from "./queries";
import { compareHref, diffExportUrl, parseCompareView, type CompareView, type DiffPair } from "./search-params";
import styles from "./compare.module.css";

/** The top row is written into the URL once scrolling has settled, so the address is a deep link. */
const URL_SETTLE_MS = 400;

// Moving inside the compare view only changes the query string: history.pushState keeps the loaded
// windows, and Next's router follows it (useSearchParams updates, the back button works).
function pushUrl(href: string): void {
  window.history.pushState(null, "", href);
}
function replaceUrl(href: string): void {
  window.history.replaceState(null, "", href);
}

function sameView(a: CompareView | null, b: CompareView): boolean {
  return a !== null && a.a === b.a && a.b === b.b && a.only === b.only && a.allowIncomplete === b.allowIncomplete && a.allowDifferentBuckets === b.allowDifferentBuckets;
}

function Problem({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className={`error-box ${styles.problem}`} role="alert" data-testid="compare-error">
      <strong>{title}</strong>
      {children}
    </div>
  );
}

export function CompareContainer() {
  const searchParams = useSearchParams();
  const { view, problems } = useMemo(() => parseCompareView(searchParams), [searchParams]);
  if (view === null) {
    return (
      <Problem title="Two passes are needed to compare">
        {problems.map((p) => (
          <p key={p}>{p}</p>
        ))}
        <p>
          Pick two passes on a bucket&rsquo;s history page, or from the <Link href="/passes">pass list</Link>.
        </p>
      </Problem>
    );
  }
  return <CompareLoaded view={view} />;
}

function RefusalBox({ error, view }: { error: Error; view: CompareView }) {
  if (!(error instanceof ApiError)) {
    return (
      <Problem title="The comparison failed">
        <p>{error.message}</p>
      </Problem>
    );
  }
  const anyway =
    error.code === "incomplete_pass"
      ? { href: compareHref({ ...view, allowIncomplete: true, row: 0 }), label: "Compare what it listed (labelled incomplete)" }
      : error.code === "incomparable_passes" && /allowDifferentBuckets/.test(error.message)
        ? { href: compareHref({ ...view, allowDifferentBuckets: true, row: 0 }), label: "Compare the two buckets anyway" }
        : null;
  const title =
    error.code === "incomplete_pass"
      ? "A pass is not complete"
      : error.code === "incomparable_passes"
        ? "These passes cannot be compared as they are"
        : error.code === "unknown_pass"
          ? "Unknown pass"
          : "The comparison failed";
  return (
    <Problem title={title}>
      <p>{error.message}</p>
      <p>
        {anyway !== null ? (
          <Link href={anyway.href} data-testid="compare-anyway">
            {anyway.label}
          </Link>
        ) : (
          <Link href="/passes">Back to the passes</Link>
        )}
      </p>
    </Problem>
  );
}

function CompareLoaded({ view }: { view: CompareView }) {
  const { a, b, allowIncomplete, allowDifferentBuckets } = view;
  const pair: DiffPair = useMemo(() => ({ a, b, allowIncomplete, allowDifferentBuckets }), [a, b, allowIncomplete, allowDifferentBuckets]);
  const summary = useQuery(diffSummaryQuery(pair));
  useEffect(() => {
    document.title = `Compare ${view.a} → ${view.b} · bucketscope`;
  }, [view.a, view.b]);

  if (summary.error !== null) return <RefusalBox error={summary.error} view={view} />;
  const plan = summary.data;
  return (
    <div className={styles.compare}>
      <div className={styles.crumbs}>
        <Link href="/passes">Passes</Link>
        {plan !== undefined ? (
          <>
            {" "}
            /{" "}
            <Link href={historyHref(plan.a.connection, plan.a.bucket, plan.a.prefix, plan.a)}>
              history of {plan.a.bucket}/{plan.a.prefix}
            </Link>
          </>
        ) : null}{" "}
        / compare
      </div>
      {plan === undefined ? (
        <div className={`panel ${styles.loading}`} data-testid="compare-loading">
          Comparing {view.a} with {view.b}…
        </div>
      ) : (
        <>
          <ComparePasses plan={plan} />
          <CompareCounts counts={plan.counts} />
          <CompareNotes plan={plan} />
          <CompareRows
            key={view.only}
            pair={pair}
            view={view}
            live={plan.a.status === "running" || plan.b.status === "running"}
            inventory={{ a: plan.a.kind === "inventory", b: plan.b.kind === "inventory" }}
          />
        </>
      )}
    </div>
  );
}

function byOffset(results: UseQueryResult<DiffWindow>[]): Map<number, DiffWindow> {
  const map = new Map<number, DiffWindow>();
  for (const r of results) if (r.data !== undefined) map.set(r.data.offset, r.data);
  return map;
}

function CompareRows({ pair, view, live, inventory }: { pair: DiffPair; view: CompareView; live: boolean; inventory: InventorySides }) {
  const only: DiffOnly = view.only;
  const tableRef = useRef<CompareTableHandle>(null);
  const [initialItem] = useState(view.row);
  const [range, setRange] = useState<ItemRange>({ first: initialItem, last: initialItem + 40 });
  const [shown, setShown] = useState<ItemRange>({ first: initialItem, last: initialItem + 20 });
  const [current, setCurrent] = useState<number | null>(null);
  const [seeking, setSeeking] = useState(false);
  const [seekNote, setSeekNote] = useState<string | null>(null);

  const probe = useQuery(diffWindowQuery(pair, only, 0, BLOCK_ROWS, live));
  const total = probe.data?.total ?? 0;
  const blocks = blocksFor(range.first, range.last, total);
  const windows = useQueries({
    queries: blocks.map((b) => ({ ...diffWindowQuery(pair, only, b.offset, BLOCK_ROWS, live), placeholderData: keepPreviousData })),
    combine: byOffset,
  });
  const itemAt = useCallback(
    (index: number): DiffItem | undefined => {
      const offset = Math.floor(index / BLOCK_ROWS) * BLOCK_ROWS;
      const w = windows.get(offset) ?? (offset === 0 ? probe.data : undefined);
      return w?.offset === offset ? w.items[index - offset] : undefined;
    },
    [windows, probe.data],
  );

  const urlTimer = useRef<number | undefined>(undefined);
  /** The item a jump is scrolling to, until it is in view: scrolling on the way does not let go of it. */
  const landing = useRef<number | null>(null);
  const onRangeChange = useCallback(
    (drawn: ItemRange, inView: ItemRange) => {
      setRange(drawn);
      setShown(inView);
      const within = (item: number) => item >= inView.first && item <= inView.last;
      if (landing.current !== null) {
        if (within(landing.current)) landing.current = null;
      } else {
        // Scrolled away from the change it jumped to: the next jump starts from what is in view.
        setCurrent((c) => (c !== null && !within(c) ? null : c));
      }
      window.clearTimeout(urlTimer.current);
      urlTimer.current = window.setTimeout(() => {
        // Only while the address still shows this view: after a click on "Changes only" the old rows
        // can report a range before they unmount, and writing their view back would undo the click.
        if (!sameView(parseCompareView(new URLSearchParams(window.location.search)).view, view)) return;
        replaceUrl(compareHref({ ...view, row: inView.first }));
      }, URL_SETTLE_MS);
    },
    [view],
  );
  useEffect(() => () => window.clearTimeout(urlTimer.current), []);

  const seek = useCallback(
    async (dir: "prev" | "next") => {
      const from = current ?? (dir === "next" ? shown.first - 1 : shown.first);
      setSeeking(true);
      try {
        const { item } = await seekChange(pair, only, from, dir);
        if (item === null) {
          setSeekNote(dir === "next" ? "No change after this point." : "No change before this point.");
          return;
        }
        setSeekNote(null);
        setCurrent(item);
        landing.current = item;
        tableRef.current?.scrollToItem(item, "center");
      } catch (err) {
        setSeekNote(err instanceof Error ? err.message : String(err));
      } finally {
        setSeeking(false);
      }
    },
    [current, shown.first, pair, only],
  );

  // Updated before paint: a key pressed as soon as a jump's row is drawn must seek from that row, not
  // the one before (a passive effect can run after the key arrives on a loaded machine).
  const seekRef = useRef(seek);
  useLayoutEffect(() => {
    seekRef.current = seek;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.metaKey || e.ctrlKey || e.altKey || target?.closest("input, textarea, select") != null) return;
      if (e.key === "n") void seekRef.current("next");
      else if (e.key === "p") void seekRef.current("prev");
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    <>
      <CompareToolbar
        only={only}
        first={shown.first}
        last={shown.last}
        total={total}
        rows={probe.data?.rows ?? 0}
        seeking={seeking}
        exportHref={(format) => diffExportUrl(pair, only, format)}
        onOnly={(next) => pushUrl(compareHref({ ...view, only: next, row: 0 }))}
        onSeek={(dir) => void seek(dir)}
      />
      {seekNote !== null ? (
        <div className="muted" role="status" data-testid="seek-note" style={{ fontSize: 12.5 }}>
          {seekNote}
        </div>
      ) : null}
      {probe.error !== null ? (
        <Problem title="The rows could not be read">
          <p>{probe.error.message}</p>
        </Problem>
      ) : probe.data === undefined ? (
        <div className={`panel ${styles.loading}`}>Lining the keys up…</div>
      ) : total === 0 ? (
        <div className={`panel ${styles.empty}`} data-testid="compare-empty">
          {only === "changes" ? "No differences: every compared key is the same in both passes." : "No keys in the compared range."}
        </div>
      ) : (
        <CompareTable
          ref={tableRef}
          total={total}
          aligned={only === "all"}
          itemAt={itemAt}
          currentItem={current}
          initialItem={initialItem}
          onRangeChange={onRangeChange}
          inventory={inventory}
        />
      )}
    </>
  );
}
