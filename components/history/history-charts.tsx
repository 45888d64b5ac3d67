"use client";

import { memo } from "react";
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Line,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
  type DotItemDotProps,
  type MouseHandlerDataParam,
  type TooltipContentProps,
} from "recharts";
import { formatBytes, formatCount, formatDuration, formatTime, plural } from "@/components/format";
import { useTimeZone } from "@/components/format/time";
import { ChartFrame, ChartLegend, type ChartConfig } from "@/components/pass/chart-frame";
import type { PassStatus } from "@/lib/wire";
import type { TimelinePoint } from "./chart-data";
import styles from "./history.module.css";

// Three charts over one x axis (the passes, oldest first), hovered together: what the prefix held,
// what changed from one complete pass to the next, and what each listing cost.

const SIZE: ChartConfig<"keys" | "bytes" | "status"> = {
  keys: { label: "keys", color: "var(--chart-1)", kind: "line" },
  bytes: { label: "bytes", color: "var(--chart-5)", kind: "bar" },
  status: { label: "not complete (failed, cancelled, interrupted, running)", color: "var(--bad)", kind: "dot" },
};
const CHANGES: ChartConfig<"added" | "removed" | "changed" | "pageShifts"> = {
  added: { label: "added", color: "var(--chart-3)", kind: "bar" },
  removed: { label: "removed", color: "var(--chart-4)", kind: "bar" },
  changed: { label: "changed", color: "var(--chart-2)", kind: "bar" },
  pageShifts: { label: "page shifts", color: "var(--accent)", kind: "line" },
};
const COST: ChartConfig<"duration" | "pages"> = {
  duration: { label: "listing time", color: "var(--chart-2)", kind: "line" },
  pages: { label: "pages", color: "var(--chart-1)", kind: "bar" },
};

const STATUS_COLOR: Record<PassStatus, string> = {
  complete: "var(--chart-1)",
  running: "var(--accent)",
  failed: "var(--bad)",
  cancelled: "var(--muted)",
  interrupted: "var(--warn)",
};

const AXIS = { tick: { fontSize: 11, fill: "var(--muted)" }, tickLine: false } as const;
const SYNC = "history";

function PassTooltip({ active, payload }: TooltipContentProps) {
  const choice = useTimeZone();
  const p = payload[0]?.payload as TimelinePoint | undefined;
  if (!active || p === undefined) return null;
  return (
    <div className={styles.tooltip}>
      <div className={styles.tooltipTitle}>
        #{p.n} · {formatTime(p.createdAt, choice)} · {p.status}
      </div>
      <div>
        {plural(p.keys, "key")}, {formatBytes(p.bytes)}
      </div>
      <div>
        {p.changesState === "ready"
          ? `+${formatCount(p.added ?? 0)} −${formatCount(p.removed ?? 0)} ~${formatCount(p.changed ?? 0)}${p.pageShifts !== null ? `, ${formatCount(p.pageShifts)} page shifts` : ""}`
          : p.changesState === "first"
            ? "first complete pass: nothing to compare with"
            : p.changesState === "pending"
              ? "changes being computed…"
              : "not compared: the pass did not list everything"}
      </div>
      <div>
        {plural(p.pages, "page")} of {formatCount(p.pageSize)}, listing time {formatDuration(p.durationMs)}
      </div>
      <div className={styles.tooltipHint}>click to select for comparing</div>
    </div>
  );
}

export interface HistoryChartsProps {
  points: readonly TimelinePoint[];
  selected: readonly string[];
  onSelect: (id: string) => void;
}

function clickedPoint(points: readonly TimelinePoint[], state: MouseHandlerDataParam): TimelinePoint | undefined {
  const i = typeof state.activeTooltipIndex === "number" ? state.activeTooltipIndex : Number(state.activeTooltipIndex);
  return Number.isInteger(i) ? points[i] : undefined;
}

function Selection({ points, selected, yAxisId }: { points: readonly TimelinePoint[]; selected: readonly string[]; yAxisId: string }) {
  const order = [...selected].sort((x, y) => points.findIndex((p) => p.id === x) - points.findIndex((p) => p.id === y));
  return (
    <>
      {order.map((id, i) => {
        const p = points.find((q) => q.id === id);
        if (p === undefined) return null;
        const label = order.length === 2 ? (i === 0 ? "A" : "B") : "";
        return (
          <ReferenceLine
            key={id}
            yAxisId={yAxisId}
            x={p.n}
            stroke={label === "A" ? "#8a5a00" : "var(--accent)"}
            strokeDasharray="4 3"
            label={label !== "" ? { value: label, position: "insideTopRight", fontSize: 11, fontWeight: 700, fill: label === "A" ? "#8a5a00" : "var(--accent)" } : undefined}
          />
        );
      })}
    </>
  );
}

export const HistoryCharts = memo(function HistoryCharts({ points, selected, onSelect }: HistoryChartsProps) {
  const data = points as TimelinePoint[];
  const empty = points.length === 0 ? "No passes of this prefix yet." : null;
  const onClick = (state: MouseHandlerDataParam) => {
    const p = clickedPoint(points, state);
    if (p !== undefined) onSelect(p.id);
  };
  const statusDot = ({ cx, cy, index }: DotItemDotProps) => {
    const p = points[index];
    if (p === undefined || cx === undefined || cy === undefined) return <g key={index} />;
    const chosen = selected.includes(p.id);
    const complete = p.status === "complete";
    return (
      <circle
        key={index}
        cx={cx}
        cy={cy}
        r={chosen ? 6 : complete ? 3 : 5}
        fill={complete ? STATUS_COLOR.complete : "#fff"}
        stroke={STATUS_COLOR[p.status]}
        strokeWidth={complete ? 1 : 2.5}
        data-status={p.status}
      />
    );
  };
  const xAxis = <XAxis dataKey="n" {...AXIS} axisLine={{ stroke: "var(--line)" }} tickFormatter={(n: number) => `#${n}`} minTickGap={16} />;
  const common = { data, syncId: SYNC, margin: { top: 10, right: 8, bottom: 0, left: 0 }, onClick, style: { cursor: "pointer" } } as const;

  return (
    <div className={styles.charts} data-testid="history-charts">
      <div className={styles.chartPanel}>
        <div className={styles.chartHead}>
          <h3>Keys and bytes</h3>
          <ChartLegend config={SIZE} />
        </div>
        <ChartFrame height={190} empty={empty}>
          <ComposedChart {...common} barCategoryGap={points.length > 40 ? 1 : "20%"}>
            <CartesianGrid vertical={false} stroke="var(--line)" />
            {xAxis}
            <YAxis yAxisId="keys" {...AXIS} axisLine={false} width={64} tickFormatter={(v: number) => formatCount(v)} />
            <YAxis yAxisId="bytes" orientation="right" {...AXIS} axisLine={false} width={72} tickFormatter={(v: number) => formatBytes(v)} />
            <Tooltip content={PassTooltip} isAnimationActive={false} cursor={{ stroke: "var(--accent)", strokeOpacity: 0.3 }} />
            <Bar yAxisId="bytes" dataKey="bytes" fill={SIZE.bytes.color} fillOpacity={0.18} isAnimationActive={false} maxBarSize={56} />
            <Line yAxisId="keys" dataKey="keys" stroke={SIZE.keys.color} strokeWidth={2} dot={statusDot} activeDot={{ r: 5 }} isAnimationActive={false} />
            <Selection points={points} selected={selected} yAxisId="keys" />
          </ComposedChart>
        </ChartFrame>
      </div>
      <div className={styles.chartPanel}>
        <div className={styles.chartHead}>
          <h3>Changes versus the previous complete pass</h3>
          <ChartLegend config={CHANGES} />
        </div>
        <ChartFrame height={170} empty={empty}>
          <ComposedChart {...common} barCategoryGap={points.length > 40 ? 1 : "20%"}>
            <CartesianGrid vertical={false} stroke="var(--line)" />
            {xAxis}
            <YAxis yAxisId="keys" {...AXIS} axisLine={false} width={64} tickFormatter={(v: number) => formatCount(v)} allowDecimals={false} />
            <YAxis yAxisId="shifts" orientation="right" {...AXIS} axisLine={false} width={72} tickFormatter={(v: number) => formatCount(v)} allowDecimals={false} />
            <Tooltip content={PassTooltip} isAnimationActive={false} cursor={{ fill: "rgb(47 91 211 / 0.06)" }} />
            <Bar yAxisId="keys" dataKey="added" stackId="c" fill={CHANGES.added.color} isAnimationActive={false} maxBarSize={56} />
            <Bar yAxisId="keys" dataKey="removed" stackId="c" fill={CHANGES.removed.color} isAnimationActive={false} maxBarSize={56} />
            <Bar yAxisId="keys" dataKey="changed" stackId="c" fill={CHANGES.changed.color} isAnimationActive={false} maxBarSize={56} />
            <Line yAxisId="shifts" dataKey="pageShifts" stroke={CHANGES.pageShifts.color} strokeWidth={1.5} dot={{ r: 2 }} connectNulls={false} isAnimationActive={false} />
            <Selection points={points} selected={selected} yAxisId="keys" />
          </ComposedChart>
        </ChartFrame>
      </div>
      <div className={styles.chartPanel}>
        <div className={styles.chartHead}>
          <h3>Listing time and pages</h3>
          <ChartLegend config={COST} />
        </div>
        <ChartFrame height={150} empty={empty}>
          <ComposedChart {...common} barCategoryGap={points.length > 40 ? 1 : "20%"}>
            <CartesianGrid vertical={false} stroke="var(--line)" />
            {xAxis}
            <YAxis yAxisId="pages" {...AXIS} axisLine={false} width={64} tickFormatter={(v: number) => formatCount(v)} allowDecimals={false} />
            <YAxis yAxisId="ms" orientation="right" {...AXIS} axisLine={false} width={72} tickFormatter={(v: number) => formatDuration(v)} />
            <Tooltip content={PassTooltip} isAnimationActive={false} cursor={{ fill: "rgb(47 91 211 / 0.06)" }} />
            <Bar yAxisId="pages" dataKey="pages" fill={COST.pages.color} fillOpacity={0.35} isAnimationActive={false} maxBarSize={56} />
            <Line yAxisId="ms" dataKey="durationMs" stroke={COST.duration.color} strokeWidth={2} dot={{ r: 2 }} isAnimationActive={false} />
            <Selection points={points} selected={selected} yAxisId="pages" />
          </ComposedChart>
        </ChartFrame>
      </div>
    </div>
  );
});
