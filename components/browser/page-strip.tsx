"use client";

import { Bar, BarChart, ResponsiveContainer, Tooltip, YAxis, type TooltipContentProps } from "recharts";
import { formatBytes, formatCount, formatDuration, plural } from "@/components/format";
import type { PageBand } from "./listing";
import styles from "./browser.module.css";

export interface StripDatum {
  /** 1-based page number; null for a slot no page has reached yet. */
  page: number | null;
  /** Latency of an answered page; 0 when it failed (drawn in `failedMs`). */
  okMs: number;
  failedMs: number;
  /** A ghost bar where the page being waited for will land. */
  loadingMs: number;
  /** Transparent, up to the tallest bar: the rest of an answered page's column takes clicks too. */
  hitMs: number;
  keys: number;
  folders: number;
  bytes: number;
  failed: boolean;
}

// Pages fill the strip from the left; a short listing does not stretch its few bars across it.
const MIN_SLOTS = 48;

/** One bar per page, its height the request latency: the listing as it arrived. */
export function stripData(bands: readonly PageBand[], loadingPage: number | null): StripDatum[] {
  const data: StripDatum[] = bands.map((b) => ({
    page: b.index + 1,
    okMs: b.error === null ? b.durationMs : 0,
    failedMs: b.error === null ? 0 : Math.max(b.durationMs, 1),
    loadingMs: 0,
    hitMs: 0,
    keys: b.objectCount,
    folders: b.folderCount,
    bytes: b.bytes,
    failed: b.error !== null,
  }));
  const empty = { okMs: 0, failedMs: 0, loadingMs: 0, hitMs: 0, keys: 0, folders: 0, bytes: 0, failed: false };
  const tallest = data.reduce((m, d) => Math.max(m, d.okMs, d.failedMs), 0);
  for (const d of data) d.hitMs = tallest - d.okMs - d.failedMs;
  if (loadingPage !== null) data.push({ ...empty, page: loadingPage, loadingMs: tallest > 0 ? tallest : 1 });
  while (data.length < MIN_SLOTS) data.push({ ...empty, page: null });
  return data;
}

function StripTooltip({ active, activeIndex, data }: Pick<TooltipContentProps, "active" | "activeIndex"> & { data: StripDatum[] }) {
  const d = active && activeIndex != null ? data[Number(activeIndex)] : undefined;
  if (d === undefined || d.page === null) return null;
  if (d.loadingMs > 0) return <div className={styles.tooltip}>Page {formatCount(d.page)} loading…</div>;
  return (
    <div className={styles.tooltip}>
      <strong>Page {formatCount(d.page)}</strong>
      <div>
        {formatDuration(d.failed ? d.failedMs : d.okMs)}
        {d.failed ? " · failed" : ""}
      </div>
      <div>
        {plural(d.keys, "key")}
        {d.folders > 0 ? ` · ${plural(d.folders, "folder")}` : ""} · {formatBytes(d.bytes)}
      </div>
    </div>
  );
}

/** `onSelectPage` gets the page's number (from 1). A click anywhere in a page's column selects it. */
export function PageStrip({ bands, loadingPage, onSelectPage }: { bands: readonly PageBand[]; loadingPage: number | null; onSelectPage: (pageNumber: number) => void }) {
  const data = stripData(bands, loadingPage);
  const select = (index: number) => {
    if (index >= 0 && index < bands.length) onSelectPage(index + 1);
  };
  const label = `${plural(bands.length, "page")} · request latency (ms)${loadingPage !== null ? ` · loading page ${formatCount(loadingPage)}…` : ""}`;
  return (
    <div className={styles.strip} data-testid="page-strip" aria-label={label}>
      <span className={styles.stripLabel}>{label}</span>
      {bands.length === 0 && loadingPage === null ? (
        <div className={styles.stripEmpty}>no pages</div>
      ) : (
        <ResponsiveContainer width="100%" height="100%">
          <BarChart
            data={data}
            margin={{ top: 18, right: 6, bottom: 2, left: 0 }}
            barCategoryGap={data.length > 120 ? 0 : 1}
            onClick={(state) => select(Number(state.activeTooltipIndex ?? -1))}
            style={{ cursor: "pointer" }}
          >
            <YAxis width={34} tick={{ fontSize: 10, fill: "var(--muted)" }} tickLine={false} axisLine={false} tickCount={3} allowDecimals={false} />
            <Tooltip cursor={{ fill: "var(--accent-soft)" }} content={(props) => <StripTooltip active={props.active} activeIndex={props.activeIndex} data={data} />} isAnimationActive={false} />
            <Bar dataKey="okMs" stackId="ms" maxBarSize={40} fill="var(--chart-1)" isAnimationActive={false} onClick={(_d, index) => select(index)} cursor="pointer" />
            <Bar dataKey="failedMs" stackId="ms" maxBarSize={40} fill="var(--chart-4)" isAnimationActive={false} onClick={(_d, index) => select(index)} cursor="pointer" />
            <Bar dataKey="loadingMs" stackId="ms" maxBarSize={40} fill="var(--accent-soft)" stroke="var(--accent)" strokeDasharray="3 2" isAnimationActive={false} />
            <Bar dataKey="hitMs" stackId="ms" maxBarSize={40} fill="transparent" isAnimationActive={false} onClick={(_d, index) => select(index)} cursor="pointer" />
          </BarChart>
        </ResponsiveContainer>
      )}
    </div>
  );
}
