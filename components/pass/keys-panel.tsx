"use client";

import { keepPreviousData, useQueries, useQuery, useQueryClient, type UseQueryResult } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { formatCount, visibleKey } from "@/components/format";
import type { EntriesWindow, EntrySort, PageRecord, PagedEntry, SortOrder } from "@/lib/wire";
import { bandIndexOf, bandLayout, itemAt, rowsBefore, type TableItem } from "./bands";
import { KeysTable } from "./keys-table";
import { entriesWindowQuery } from "./queries";
import type { PassView } from "./search-params";
import { BLOCK_ROWS, blocksFor } from "./windows";
import styles from "./pass.module.css";

const TABLE_HEIGHT = 588;
/** A jump (scrollbar drag, End key) waits this long for the scroll to settle before fetching. */
const JUMP_SETTLE_MS = 90;
/** While a pass runs, sorted and searched views are read again at most this often. */
const RUNNING_REFRESH_MS = 1000;
const SEARCH_DEBOUNCE_MS = 250;

const SORT_CHOICES: { sort: EntrySort; order: SortOrder; label: string }[] = [
  { sort: "key", order: "asc", label: "Key (A → Z, byte order)" },
  { sort: "key", order: "desc", label: "Key (Z → A)" },
  { sort: "lastModified", order: "desc", label: "Last modified, newest first" },
  { sort: "lastModified", order: "asc", label: "Last modified, oldest first" },
  { sort: "size", order: "desc", label: "Size, largest first" },
  { sort: "size", order: "asc", label: "Size, smallest first" },
];

type Windows = Map<number, EntriesWindow>;

function byOffset(results: UseQueryResult<EntriesWindow>[]): Windows {
  const map: Windows = new Map();
  for (const r of results) if (r.data !== undefined) map.set(r.data.offset, r.data);
  return map;
}

export interface KeysPanelProps {
  id: string;
  view: PassView;
  pages: readonly PageRecord[];
  /** Keys recorded so far (the summary's count until the stream's replay catches up). */
  liveKeys: number;
  /** Page records of the pass (the summary's count until the replay catches up). */
  pageRecords: number;
  anomalies: number;
  running: boolean;
  /** A parallel pass: while it runs, pages land all over key order, not only at the end. */
  parallel?: boolean;
  /** A snapshot pass: show each key's version id at T. */
  versions?: boolean;
  onView: (patch: Partial<PassView>, how: "push" | "replace") => void;
}

/** The whole pass: search, sort, page bands; rows fetched in blocks for what is on screen. */
export function KeysPanel({ id, view, pages, liveKeys, pageRecords, anomalies, running, parallel = false, versions = false, onView }: KeysPanelProps) {
  const { sort, order, q, prefix } = view;
  // In key order without anomalies the rows are the pages' rows in sequence: the row count is
  // known from the stream, and a band can be drawn where each page begins.
  const listing = sort === "key" && order === "asc" && q === "" && prefix === "" && anomalies === 0;
  const layout = useMemo(() => (listing ? bandLayout(pages) : null), [listing, pages]);
  const viewKey = `${sort}:${order}:${q}:${prefix}`;
  const selectKey = useCallback((key: string) => onView({ key }, "push"), [onView]);

  const probe = useQuery({ ...entriesWindowQuery(id, { sort, order, q, prefix, offset: 0, limit: BLOCK_ROWS }), enabled: !listing });
  // Rows of pages the stream has not replayed yet follow the last band and their bands slot in as
  // they arrive; counting those bands from the start keeps the table's length steady meanwhile.
  const total = layout !== null ? Math.max(layout.rows, liveKeys) : (probe.data?.total ?? 0);
  const itemCount = layout !== null ? total + Math.max(layout.pages.length, pageRecords) : total;
  const item = useCallback((index: number): TableItem => (layout !== null ? itemAt(layout, index) : { kind: "row", row: index }), [layout]);

  const [fetchRange, setFetchRange] = useState({ viewKey, first: 0, last: 60 });
  const settleTimer = useRef<number | undefined>(undefined);
  const onItemsShown = useCallback(
    (first: number, last: number) => {
      window.clearTimeout(settleTimer.current);
      setFetchRange((prev) => {
        if (prev.viewKey !== viewKey || Math.abs(first - prev.first) <= 2 * BLOCK_ROWS) return { viewKey, first, last };
        settleTimer.current = window.setTimeout(() => setFetchRange({ viewKey, first, last }), JUMP_SETTLE_MS);
        return prev;
      });
    },
    [viewKey],
  );
  useEffect(() => () => window.clearTimeout(settleTimer.current), []);

  const range = fetchRange.viewKey === viewKey ? fetchRange : { first: 0, last: 60 };
  const firstRow = layout !== null ? rowsBefore(layout, range.first) : range.first;
  const lastRow = (layout !== null ? rowsBefore(layout, range.last + 1) : range.last + 1) - 1;
  const blocks = blocksFor(firstRow, lastRow, total).map((b) =>
    // A listing block's size says how many rows it holds, so a growing pass refetches only the last one.
    listing ? b : { offset: b.offset, limit: BLOCK_ROWS },
  );
  const windows = useQueries({
    queries: blocks.map((b) => ({ ...entriesWindowQuery(id, { sort, order, q, prefix, ...b }), placeholderData: keepPreviousData })),
    combine: byOffset,
  });
  const entryAt = useCallback(
    (row: number): PagedEntry | undefined => {
      const offset = Math.floor(row / BLOCK_ROWS) * BLOCK_ROWS;
      return (windows.get(offset) ?? (offset === 0 ? probe.data : undefined))?.entries[row - offset];
    },
    [windows, probe.data],
  );

  const client = useQueryClient();
  const lastRefresh = useRef(0);
  // Listing windows stay valid while a sequential pass appends; a parallel pass inserts rows anywhere.
  const refreshed = !listing || parallel;
  useEffect(() => {
    if (!refreshed) return;
    const refresh = () => {
      lastRefresh.current = Date.now();
      void client.invalidateQueries({ queryKey: ["pass", id, "entries"] });
    };
    const wait = RUNNING_REFRESH_MS - (Date.now() - lastRefresh.current);
    if (!running) {
      if (lastRefresh.current !== 0) refresh();
      return;
    }
    const t = window.setTimeout(refresh, Math.max(0, wait));
    return () => window.clearTimeout(t);
  }, [pages.length, running, refreshed, client, id]);

  // Scroll to the selected page's band once it has arrived (deep links, clicks in the chart).
  const [scroll, setScroll] = useState<{ page: number | null; request: { index: number; seq: number } | null }>({ page: null, request: null });
  // A parallel pass's band sits after every page of the ranges before it, and those may replay
  // after the selected page: its place is known once the replay has caught up.
  const placed = !parallel || pages.length >= pageRecords;
  const band = layout !== null && view.page !== null && placed ? bandIndexOf(layout, view.page) : null;
  if (view.page !== scroll.page && (band !== null || view.page === null)) {
    setScroll({ page: view.page, request: band !== null ? { index: band, seq: (scroll.request?.seq ?? 0) + 1 } : scroll.request });
  }

  const [draft, setDraft] = useState(q);
  const [seenQ, setSeenQ] = useState(q);
  if (seenQ !== q) {
    setSeenQ(q);
    setDraft(q);
  }
  const searchTimer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(searchTimer.current), []);
  const onSearch = (value: string) => {
    setDraft(value);
    window.clearTimeout(searchTimer.current);
    searchTimer.current = window.setTimeout(() => onView({ q: value }, "replace"), SEARCH_DEBOUNCE_MS);
  };

  const selectPage = useCallback((page: number) => onView({ page }, "push"), [onView]);
  const choice = `${sort}:${order}`;
  const loading = !listing && probe.isPending;
  return (
    <section>
      <div className={styles.toolbar}>
        <input
          type="search"
          className={styles.search}
          placeholder="Search keys (substring, whole pass)"
          aria-label="Search keys"
          data-testid="keys-search"
          value={draft}
          spellCheck={false}
          onChange={(e) => onSearch(e.target.value)}
        />
        <label>
          Sort
          <select
            data-testid="keys-sort"
            value={choice}
            onChange={(e) => {
              const picked = SORT_CHOICES.find((c) => `${c.sort}:${c.order}` === e.target.value);
              if (picked !== undefined) onView({ sort: picked.sort, order: picked.order }, "push");
            }}
          >
            {SORT_CHOICES.map((c) => (
              <option key={`${c.sort}:${c.order}`} value={`${c.sort}:${c.order}`}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        {prefix !== "" ? (
          <span className={styles.prefixChip} data-testid="keys-prefix" title="Only keys that begin with this prefix (from the Prefixes tab)">
            begins with <code>{visibleKey(prefix)}</code>
            <button type="button" aria-label="Show every key" title="Show every key" onClick={() => onView({ prefix: "" }, "push")}>
              ×
            </button>
          </span>
        ) : null}
        <span className={styles.count} data-testid="keys-count" data-total={loading ? undefined : total} data-view={viewKey}>
          {loading ? (
            "Counting…"
          ) : q !== "" || prefix !== "" ? (
            <>
              <b>{formatCount(total)}</b> {total === 1 ? "key" : "keys"}
              {prefix !== "" ? ` ${total === 1 ? "begins" : "begin"} with “${visibleKey(prefix)}”` : ""}
              {prefix !== "" && q !== "" ? " and" : ""}
              {q !== "" ? ` ${total === 1 ? "contains" : "contain"} “${visibleKey(q)}”` : ""} · of {formatCount(liveKeys)}
            </>
          ) : (
            <>
              <b>{formatCount(total)}</b> {total === 1 ? "key" : "keys"}
              {listing ? ` in ${formatCount(pages.length)} ${pages.length === 1 ? "page" : "pages"}` : ""}
            </>
          )}
        </span>
      </div>
      {probe.error !== null && !listing ? <div className="error-box">{probe.error.message}</div> : null}
      {listing ? (
        <p className={styles.hint}>Yellow bands mark where each page of the listing begins. Sorted or searched, the Page column tells which page delivered a key.</p>
      ) : sort === "key" && anomalies > 0 && q === "" ? (
        <p className={styles.hint}>
          This pass has {formatCount(anomalies)} anomalies (keys out of order or repeated), so in key order the pages interleave and no bands are drawn; the
          Page column shows where each key came from.
        </p>
      ) : null}
      <KeysTable
        key={viewKey}
        viewName={viewKey}
        itemCount={itemCount}
        itemAt={item}
        entryAt={entryAt}
        q={q}
        filtered={prefix !== ""}
        selectedPage={view.page}
        onSelectPage={selectPage}
        onItemsShown={onItemsShown}
        scrollTo={layout !== null ? scroll.request : null}
        height={TABLE_HEIGHT}
        versions={versions}
        selectedKey={view.key}
        onSelectKey={selectKey}
      />
    </section>
  );
}
