import { SettingsError } from "./index";

// The limits that keep one dashboard's work bounded: each one an environment variable (README,
// "Configuration"), read once per process. A value that is not a number in range stops start-up.

export interface Limits {
  /** Passes walking at once in this server, watches' passes included (BUCKETSCOPE_MAX_RUNNING_PASSES). */
  maxRunningPasses: number;
  /** Race-lab experiments running at once (BUCKETSCOPE_MAX_RUNNING_EXPERIMENTS). */
  maxRunningExperiments: number;
  /** Watches that may exist (BUCKETSCOPE_MAX_WATCHES). */
  maxWatches: number;
  /** The shortest interval of a watch, in seconds (BUCKETSCOPE_MIN_WATCH_SECONDS). */
  minWatchSeconds: number;
  /** The largest JSON request body, in bytes (BUCKETSCOPE_MAX_JSON_BYTES). */
  maxJsonBytes: number;
  /** How long an experiment may run before it is stopped and cleaned up, in ms (BUCKETSCOPE_EXPERIMENT_MAX_SECONDS). */
  experimentMaxMs: number;
  /** Pages, mutations and phases one experiment may log (BUCKETSCOPE_EXPERIMENT_MAX_EVENTS). */
  experimentMaxEvents: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxRunningPasses: 8,
  maxRunningExperiments: 2,
  maxWatches: 100,
  minWatchSeconds: 10,
  maxJsonBytes: 1024 * 1024,
  experimentMaxMs: 10 * 60 * 1000,
  experimentMaxEvents: 20_000,
};

type Env = Record<string, string | undefined>;

function read(env: Env, name: string, fallback: number, min: number, max: number, integer = true): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw new SettingsError(`${name} must be ${integer ? "a whole number" : "a number"} from ${min} to ${max}, got "${raw}".`);
  }
  return n;
}

export function loadLimits(env: Env = process.env): Limits {
  return {
    maxRunningPasses: read(env, "BUCKETSCOPE_MAX_RUNNING_PASSES", DEFAULT_LIMITS.maxRunningPasses, 1, 10_000),
    maxRunningExperiments: read(env, "BUCKETSCOPE_MAX_RUNNING_EXPERIMENTS", DEFAULT_LIMITS.maxRunningExperiments, 1, 100),
    maxWatches: read(env, "BUCKETSCOPE_MAX_WATCHES", DEFAULT_LIMITS.maxWatches, 1, 100_000),
    minWatchSeconds: read(env, "BUCKETSCOPE_MIN_WATCH_SECONDS", DEFAULT_LIMITS.minWatchSeconds, 1, 86_400),
    maxJsonBytes: read(env, "BUCKETSCOPE_MAX_JSON_BYTES", DEFAULT_LIMITS.maxJsonBytes, 1024, 1024 ** 3),
    experimentMaxMs: Math.round(read(env, "BUCKETSCOPE_EXPERIMENT_MAX_SECONDS", DEFAULT_LIMITS.experimentMaxMs / 1000, 0.1, 7 * 86_400, false) * 1000),
    experimentMaxEvents: read(env, "BUCKETSCOPE_EXPERIMENT_MAX_EVENTS", DEFAULT_LIMITS.experimentMaxEvents, 10, 10_000_000),
  };
}

let cached: Limits | null = null;

/** This process's limits (from process.env, read once). */
export function limits(): Limits {
  cached ??= loadLimits(process.env);
  return cached;
}
