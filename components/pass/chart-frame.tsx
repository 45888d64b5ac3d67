"use client";

import type { ReactElement } from "react";
import { ResponsiveContainer } from "recharts";
import styles from "./pass.module.css";

// The one place recharts is mounted: a parent with a real height, a legend drawn from a typed series
// config, colours from the CSS variables. Charts pass their recharts element as the child.

export type SeriesKind = "bar" | "line" | "dot";

export interface SeriesStyle {
  label: string;
  /** A CSS colour, usually one of the --chart-N variables. */
  color: string;
  kind: SeriesKind;
}

export type ChartConfig<Key extends string> = Record<Key, SeriesStyle>;

function Swatch({ s }: { s: SeriesStyle }) {
  const className = s.kind === "bar" ? styles.swatch : s.kind === "line" ? styles.swatchLine : styles.swatchDot;
  return <span className={className} style={{ background: s.color }} />;
}

export function ChartLegend<Key extends string>({ config }: { config: ChartConfig<Key> }) {
  return (
    <div className={styles.legend}>
      {Object.values<SeriesStyle>(config).map((s) => (
        <span key={s.label} className={styles.legendItem}>
          <Swatch s={s} />
          {s.label}
        </span>
      ))}
    </div>
  );
}

export function ChartFrame({ height, children, empty }: { height: number; children: ReactElement; empty?: string | null }) {
  if (empty) {
    return (
      <div className={`${styles.chartFrame} ${styles.chartEmpty}`} style={{ height }}>
        {empty}
      </div>
    );
  }
  return (
    <div className={styles.chartFrame} style={{ height }}>
      <ResponsiveContainer width="100%" height="100%" debounce={50}>
        {children}
      </ResponsiveContainer>
    </div>
  );
}
