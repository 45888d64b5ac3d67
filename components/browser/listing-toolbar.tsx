"use client";

import { useEffect, useRef, useState } from "react";
import { KeyText } from "./key-text";
import { PAGE_SIZE_CHOICES } from "./search-params";
import styles from "./browser.module.css";

const FILTER_DEBOUNCE_MS = 350;

export interface ListingToolbarProps {
  folder: string;
  filter: string;
  pageSize: number;
  flat: boolean;
  /** Pages that can be jumped to, numbered from 1. */
  pageCount: number;
  /** The page jumped to (from the URL), or null. */
  page: number | null;
  streaming: boolean;
  onFilterChange: (filter: string) => void;
  onPageSizeChange: (pageSize: number) => void;
  onFlatChange: (flat: boolean) => void;
  onJumpToPage: (pageNumber: number) => void;
  onStop: () => void;
  onRefresh: () => void;
}

export function ListingToolbar(props: ListingToolbarProps) {
  const { folder, filter, pageSize, flat, pageCount, page, streaming } = props;
  const [draft, setDraft] = useState(filter);
  const [sent, setSent] = useState(filter);
  const [seenFilter, setSeenFilter] = useState(filter);
  // A filter that arrives from the URL (back button, a link) replaces what is typed; the echo of
  // what this input sent does not, so typing on while the URL catches up loses nothing.
  if (seenFilter !== filter) {
    setSeenFilter(filter);
    if (filter !== sent) {
      setDraft(filter);
      setSent(filter);
    }
  }
  const onFilterChange = useRef(props.onFilterChange);
  useEffect(() => {
    onFilterChange.current = props.onFilterChange;
  });
  const send = (value: string) => {
    setSent(value);
    onFilterChange.current(value);
  };
  useEffect(() => {
    if (draft === sent) return;
    const timer = setTimeout(() => {
      setSent(draft);
      onFilterChange.current(draft);
    }, FILTER_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [draft, sent]);

  const sizes: number[] = PAGE_SIZE_CHOICES.includes(pageSize as (typeof PAGE_SIZE_CHOICES)[number]) ? [...PAGE_SIZE_CHOICES] : [...PAGE_SIZE_CHOICES, pageSize].sort((a, b) => a - b);

  return (
    <div className={styles.toolbar} role="toolbar" aria-label="Listing options">
      <label className={styles.filter} title="Lists only keys that begin with the folder plus this text (a ListObjectsV2 prefix)">
        <span className={styles.filterFolder}>{folder === "" ? "prefix" : <KeyText value={folder} />}</span>
        <input
          type="search"
          aria-label="Prefix filter"
          placeholder="filter by prefix…"
          value={draft}
          spellCheck={false}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") send(draft);
          }}
        />
      </label>
      <label className={styles.field}>
        Page size
        <select aria-label="Page size" value={pageSize} onChange={(e) => props.onPageSizeChange(Number(e.target.value))}>
          {sizes.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <label className={styles.field} title="Flat lists every key under the prefix; folders roll keys up at “/”">
        View
        <select aria-label="View" value={flat ? "flat" : "folders"} onChange={(e) => props.onFlatChange(e.target.value === "flat")}>
          <option value="folders">folders ( / )</option>
          <option value="flat">flat (all keys)</option>
        </select>
      </label>
      <label className={styles.field}>
        Go to page
        <select
          aria-label="Go to page"
          value={page !== null && page <= pageCount ? String(page) : ""}
          disabled={pageCount === 0}
          onChange={(e) => {
            if (e.target.value !== "") props.onJumpToPage(Number(e.target.value));
          }}
        >
          <option value="">—</option>
          {Array.from({ length: pageCount }, (_, i) => (
            <option key={i} value={i + 1}>
              {i + 1}
            </option>
          ))}
        </select>
      </label>
      <span className={styles.spacer} />
      {streaming ? (
        <button type="button" className={styles.small} onClick={props.onStop}>
          Stop
        </button>
      ) : (
        <button type="button" className={styles.small} onClick={props.onRefresh}>
          List again
        </button>
      )}
    </div>
  );
}
