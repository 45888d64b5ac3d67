import "server-only";
import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";

// WAL checkpoints copy the log into the database file and fsync it: several milliseconds every few
// dozen pages, which would otherwise stall the event loop in the middle of a pass. A worker thread
// with its own connection runs them instead; if it cannot start or dies, SQLite's automatic
// checkpoints on the main connection take over again.

// `stopped` is set by the owner the moment it closes, before it may delete the data directory: the
// worker checks it before it opens the database and before every checkpoint, and an error once it is
// set is the directory going away, not a failure to report.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const stopped = () => Atomics.load(workerData.stopped, 0) === 1;
let db = null;
let timer = null;
const stop = () => {
  if (timer !== null) clearInterval(timer);
  if (db !== null && db.open) db.close();
  parentPort.close();
};
parentPort.on("message", stop);
if (stopped()) stop();
else {
  try {
    const Database = require(workerData.driver);
    db = new Database(workerData.file);
    db.pragma("busy_timeout = 5000");
    timer = setInterval(() => {
      if (stopped()) return;
      try {
        db.pragma("wal_checkpoint(PASSIVE)");
      } catch (err) {
        if (!stopped()) parentPort.postMessage({ error: String(err) });
      }
    }, workerData.intervalMs);
  } catch (err) {
    if (!stopped()) throw err;
    stop();
  }
}
`;

export interface Checkpointer {
  close(): Promise<void>;
}

function driverPath(): string {
  return createRequire(path.join(process.cwd(), "package.json")).resolve("better-sqlite3");
}

/** Starts background checkpoints for `file`; `fallback` re-enables automatic ones if that fails. */
export function startCheckpointer(file: string, fallback: () => void, intervalMs = 250): Checkpointer {
  let worker: Worker;
  const stopped = new Int32Array(new SharedArrayBuffer(4));
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver: driverPath(), intervalMs, stopped } });
  } catch (err) {
    console.error("[bucketscope] background checkpoints unavailable; SQLite checkpoints inline", err);
    fallback();
    return { close: () => Promise.resolve() };
  }
  let closing = false;
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.unref();
  worker.on("message", (m: { error?: string }) => console.error(`[bucketscope] background checkpoint failed: ${m.error ?? "unknown"}`));
  worker.on("error", (err) => {
    if (closing) return;
    console.error("[bucketscope] background checkpoints stopped; SQLite checkpoints inline", err);
    fallback();
  });
  return {
    close: async () => {
      closing = true;
      Atomics.store(stopped, 0, 1);
      worker.postMessage("close");
      await exited;
    },
  };
}
