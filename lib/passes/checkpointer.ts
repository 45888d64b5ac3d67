import "server-only";
import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";

// WAL checkpoints copy the log into the database file and fsync it: several milliseconds every few
// dozen pages, which would otherwise stall the event loop in the middle of a pass. A worker thread
// with its own connection runs them instead; if it cannot start or dies, SQLite's automatic
// checkpoints on the main connection take over again.

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 5000");
const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (err) {
    parentPort.postMessage({ error: String(err) });
  }
}, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
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
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver: driverPath(), intervalMs } });
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
    console.error("[bucketscope] background checkpoints stopped; SQLite checkpoints inline", err);
    if (!closing) fallback();
  });
  return {
    close: async () => {
      closing = true;
      worker.postMessage("close");
      await exited;
    },
  };
}
