"use client";

import { useMemo } from "react";
import { formatCount, formatDuration, visibleKey } from "@/components/format";
import type { PageRecord } from "@/lib/wire";
import { cursorLanes, type RangeSpan } from "./lanes";
import styles from "./pass.module.css";

// Past this many pages a lane draws its ranges as bars without a tick per page.
const MAX_PAGE_TICKS = 1500;
const SHOWN_SPLIT_POINTS = 24;

// The splitter cuts an open-ended range at the end of a block of keys: a prefix followed by U+10FFFF,
// the greatest code point, which fonts draw as an empty box.
const pointText = (key: string) => visibleKey(key).replace(/\u{10FFFF}/gu, "\\u{10FFFF}");
const quoted = (key: string | null, open: string) => (key === null ? open : `“${pointText(key)}”`);

function rangeTitle(s: RangeSpan): string {
  return `Range ${s.range}: after ${quoted(s.after, "the start")} through ${quoted(s.through, "the end")} · ${s.pages} ${s.pages === 1 ? "page" : "pages"} · ${formatCount(s.keys)} keys · ${s.state}`;
}

function rangeColor(s: RangeSpan): string {
  if (s.state === "withdrawn") return "var(--muted)";
  if (s.state === "failed") return "var(--bad)";
  return `hsl(${(s.range * 47) % 360} 55% 52%)`;
}

/**
 * One lane per cursor of a parallel pass: the key ranges it listed one after another over the pass's
 * time, a tick per page, what it lists now; and the split points where ranges meet. Clicking a range
 * opens its first page.
 */
export function CursorLanes({ pages, running, onSelectPage }: { pages: readonly PageRecord[]; running: boolean; onSelectPage: (index: number) => void }) {
  const model = useMemo(() => cursorLanes(pages), [pages]);
  if (model.lanes.length === 0) return null;
  const span = Math.max(1, model.endMs - model.startMs);
  const x = (ms: number) => ((ms - model.startMs) / span) * 1000;
  const ticks = pages.length <= MAX_PAGE_TICKS;
  const shown = model.splitPoints.slice(0, SHOWN_SPLIT_POINTS);
  return (
    <section className={styles.chartPanel} data-testid="cursor-lanes" data-lanes={model.lanes.length} data-ranges={model.ranges}>
      <div className={styles.chartHead}>
        <h2>Cursors</h2>
        <span className="muted" style={{ fontSize: 12 }}>
          {model.lanes.length} {model.lanes.length === 1 ? "lane" : "lanes"} · {model.ranges} key {model.ranges === 1 ? "range" : "ranges"} over {formatDuration(span)} · click a range for its first page
        </span>
      </div>
      <div className={styles.lanes}>
        {model.lanes.map((lane) => {
          const current = lane.spans[lane.spans.length - 1];
          const now = running && current?.state === "listing" ? `listing range ${current.range}` : `${lane.spans.length} ${lane.spans.length === 1 ? "range" : "ranges"}`;
          return (
            <div key={lane.number} className={styles.lane} data-testid="cursor-lane" data-lane={lane.number} data-pages={lane.pages} data-keys={lane.keys}>
              <div className={styles.laneLabel} title={`Cursor ${lane.number}: ${now} · ${formatCount(lane.pages)} pages · ${formatCount(lane.keys)} keys`}>
                <strong>Cursor {lane.number}</strong>{" "}
                <span className="muted">
                  {now} · {formatCount(lane.pages)} {lane.pages === 1 ? "page" : "pages"} · {formatCount(lane.keys)} keys
                </span>
              </div>
              <svg className={styles.laneTrack} viewBox="0 0 1000 16" preserveAspectRatio="none" role="img" aria-label={`Cursor ${lane.number}: ${lane.spans.map((s) => `range ${s.range}`).join(", ")}`}>
                {lane.spans.map((s) => (
                  <g key={s.range} data-testid="lane-range" data-range={s.range} data-state={s.state} data-pages={s.pages} onClick={() => onSelectPage(s.pageIndexes[0] ?? 0)} style={{ cursor: "pointer" }}>
                    <title>{rangeTitle(s)}</title>
                    <rect x={x(s.startMs)} y={2} width={Math.max(2, x(s.endMs) - x(s.startMs))} height={12} fill={rangeColor(s)} opacity={s.state === "listing" ? 0.65 : 0.9} />
                    {ticks ? s.pageEnds.slice(0, -1).map((t, i) => <rect key={i} x={x(t)} y={2} width={1} height={12} fill="var(--panel)" />) : null}
                  </g>
                ))}
              </svg>
            </div>
          );
        })}
      </div>
      <div className={styles.splitPoints} data-testid="split-points" data-count={model.splitPoints.length}>
        <span className="muted">Split points ({model.splitPoints.length}, in key order): </span>
        {model.splitPoints.length === 0 ? <span className="muted">none yet</span> : null}
        {shown.map((p) => (
          <code key={p} className={styles.splitPoint}>
            {pointText(p)}
          </code>
        ))}
        {model.splitPoints.length > shown.length ? <span className="muted"> … and {model.splitPoints.length - shown.length} more</span> : null}
      </div>
    </section>
  );
}
