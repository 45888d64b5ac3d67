import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildIsStale } from "../build-state";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

// Vitest globalSetup for the integration and browser projects: one production build per run, and
// only when the sources are newer than the last one.
export default function setup(): void {
  if (!buildIsStale(root)) return;
  const result = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
}
