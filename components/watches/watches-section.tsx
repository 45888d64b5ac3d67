"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { connectionsQuery } from "@/components/home/queries";
import type { WatchListQuery } from "@/lib/wire";
import { useCreateWatch, useDeleteWatch, useUpdateWatch, watchesQuery } from "./queries";
import { WatchForm, type WatchTarget } from "./watch-form";
import { WatchList } from "./watch-list";
import styles from "./watches.module.css";

/** The clock for countdowns: one tick a second while something is scheduled. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, [active]);
  return now;
}

/** Watches of one bucket/prefix (`target`), or every watch with a form that asks where to watch. */
export function WatchesSection({
  target,
  title,
  defaults = null,
}: {
  target: WatchTarget | null;
  title: string;
  /** The setting a new watch starts from (the history series on show). */
  defaults?: { pageSize: number; delimiter: string | null } | null;
}) {
  const filter: WatchListQuery = target ?? {};
  const list = useQuery(watchesQuery(filter));
  const connections = useQuery({ ...connectionsQuery(), enabled: target === null });
  const create = useCreateWatch();
  const update = useUpdateWatch();
  const remove = useDeleteWatch();
  const watches = list.data?.watches ?? [];
  const now = useNow(watches.some((w) => w.state === "active"));
  const busyId = update.isPending ? (update.variables?.id ?? null) : remove.isPending ? (remove.variables ?? null) : null;
  const actionError = update.error ?? remove.error;

  return (
    <section className={styles.section} data-testid="watches-section">
      <div className={styles.sectionHead}>
        <h2>{title}</h2>
        <span className={styles.hint}>Passes run on the server on schedule, also while nobody has this page open; never two of one watch at once.</span>
      </div>
      {list.error !== null ? <div className={`error-box ${styles.empty}`}>{list.error.message}</div> : null}
      {actionError !== null ? (
        <div className="error-box" role="alert" style={{ margin: "8px 14px" }}>
          {actionError.message}
        </div>
      ) : null}
      {list.data !== undefined ? (
        <WatchList
          watches={watches}
          now={now}
          showTarget={target === null}
          busyId={busyId}
          onPause={(id, paused) => update.mutate({ id, patch: { state: paused ? "paused" : "active" } })}
          onDelete={(id) => remove.mutate(id)}
        />
      ) : (
        <div className={styles.empty}>Loading watches…</div>
      )}
      <WatchForm
        defaults={defaults}
        target={target}
        connections={connections.data?.connections.map((c) => c.name) ?? []}
        pending={create.isPending}
        error={create.error?.message ?? null}
        onSubmit={(input) => create.mutate(input)}
      />
    </section>
  );
}
