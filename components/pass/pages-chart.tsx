"use client";

import { memo } from "react";
import { Bar, CartesianGrid, ComposedChart, Line, ReferenceLine, Tooltip, XAxis, YAxis, type DotItemDotProps, type TooltipContentProps } from "recharts";
import { formatBytes, formatCount, formatDuration, plural } from "@/components/format";
import { ChartFrame, ChartLegend, type ChartConfig } from "./chart-frame";
import { pointLabel, type PageMark, type PagePoint } from "./chart-data";
import { versionCountsText } from "./snapshot";
import styles from "./pass.module.css";

const CONFIG: ChartConfig<"keys" | "prefixes" | "latency" | "retried" | "anomaly" | "failed"> = {
  keys: { label: "keys per page", color: "var(--chart-1)", kind: "bar" },
  prefixes: { label: "folders (common prefixes)", color: "var(--chart-5)", kind: "bar" },
  latency: { label: "latency", color: "var(--chart-2)", kind: "line" },
  retried: { label: "retried", color: "var(--warn)", kind: "dot" },
  anomaly: { label: "anomaly", color: "var(--chart-5)", kind: "dot" },
  failed: { label: "failed", color: "var(--bad)", kind: "dot" },
};

const { prefixes: _prefixes, ...CONFIG_WITHOUT_PREFIXES } = CONFIG;

const MARK_COLOR: Record<Exclude<PageMark, null>, string> = {
  retried: CONFIG.retried.color,
  anomaly: CONFIG.anomaly.color,
  failed: CONFIG.failed.color,
};

function ChartTooltip({ active, payload }: TooltipContentProps) {
  const point = payload[0]?.payload as PagePoint | undefined;
  if (!active || point === undefined) return null;
  const many = point.page !== point.lastPage;
  return (
    <div className={styles.tooltip}>
      <div className={styles.tooltipTitle}>{pointLabel(point)}</div>
      <div>
        {many ? "slowest " : ""}latency {formatDuration(point.latencyMs)}
      </div>
      <div>
        {plural(point.keys, "key")}
        {point.prefixes > 0 ? `, ${plural(point.prefixes, "folder")}` : ""}
        {many ? " per page" : ""}
      </div>
      {point.versions !== null ? (
        <div>
          {versionCountsText(point.versions, point.deleteMarkers ?? 0)} read{many ? " per page" : ""}
        </div>
      ) : null}
      <div>{formatBytes(point.bytes)}{many ? " per page" : ""}</div>
      {point.attempts > point.lastPage - point.page + 1 ? <div>{point.attempts} requests (retries)</div> : null}
      {point.anomalies > 0 ? <div>{plural(point.anomalies, "anomaly", "anomalies")}</div> : null}
      {point.failed > 0 ? <div>{point.failed} failed</div> : null}
    </div>
  );
}

export interface PagesChartProps {
  points: readonly PagePoint[];
  selectedPage: number | null;
  onSelectPage: (page: number) => void;
  height?: number;
}

/** Per-page latency (line) and size (bars); retried, anomalous and failed pages marked on the line. */
export const PagesChart = memo(function PagesChart({ points, selectedPage, onSelectPage, height = 190 }: PagesChartProps) {
  const selected = selectedPage === null ? undefined : points.find((p) => p.page <= selectedPage && selectedPage <= p.lastPage);
  const hasPrefixes = points.some((p) => p.prefixes > 0);
  const renderDot = ({ cx, cy, index }: DotItemDotProps) => {
    const mark = points[index]?.mark ?? null;
    if (mark === null || cx === undefined || cy === undefined) return <g key={index} />;
    return <circle key={index} cx={cx} cy={cy} r={4} fill={MARK_COLOR[mark]} stroke="#fff" strokeWidth={1} />;
  };
  return (
    <>
      {hasPrefixes ? <ChartLegend config={CONFIG} /> : <ChartLegend config={CONFIG_WITHOUT_PREFIXES} />}
      <ChartFrame height={height} empty={points.length === 0 ? "Waiting for the first page…" : null}>
        <ComposedChart
          data={points}
          margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
          barCategoryGap={points.length > 60 ? 0 : "15%"}
          onClick={(state) => {
            const point = typeof state.activeTooltipIndex === "number" ? points[state.activeTooltipIndex] : points[Number(state.activeTooltipIndex)];
            if (point !== undefined) onSelectPage(point.page);
          }}
          style={{ cursor: "pointer" }}
        >
          <CartesianGrid vertical={false} stroke="var(--line)" />
          <XAxis
            dataKey="page"
            tick={{ fontSize: 11, fill: "var(--muted)" }}
            tickLine={false}
            axisLine={{ stroke: "var(--line)" }}
            minTickGap={24}
            tickFormatter={(index: number) => formatCount(index + 1)}
          />
          <YAxis
            yAxisId="size"
            tick={{ fontSize: 11, fill: "var(--muted)" }}
            tickLine={false}
            axisLine={false}
            width={48}
            tickFormatter={(v: number) => formatCount(v)}
          />
          <YAxis
            yAxisId="latency"
            orientation="right"
            tick={{ fontSize: 11, fill: "var(--muted)" }}
            tickLine={false}
            axisLine={false}
            width={56}
            tickFormatter={(v: number) => formatDuration(v)}
          />
          <Tooltip content={ChartTooltip} isAnimationActive={false} cursor={{ fill: "rgb(47 91 211 / 0.06)" }} />
          <Bar yAxisId="size" dataKey="keys" stackId="size" fill={CONFIG.keys.color} fillOpacity={0.55} isAnimationActive={false} />
          {hasPrefixes ? (
            <Bar yAxisId="size" dataKey="prefixes" stackId="size" fill={CONFIG.prefixes.color} fillOpacity={0.45} isAnimationActive={false} />
          ) : null}
          <Line
            yAxisId="latency"
            dataKey="latencyMs"
            stroke={CONFIG.latency.color}
            strokeWidth={1.5}
            dot={renderDot}
            activeDot={{ r: 4 }}
            isAnimationActive={false}
          />
          {selected !== undefined ? <ReferenceLine yAxisId="size" x={selected.page} stroke="var(--accent)" strokeDasharray="3 3" /> : null}
        </ComposedChart>
      </ChartFrame>
    </>
  );
});
