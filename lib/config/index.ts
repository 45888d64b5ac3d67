import path from "node:path";
import { AllowedHostsError, parseAllowedHosts, type AllowedHost } from "../gate/hosts";
import { loadLimits } from "./limits";

export { DEFAULT_LIMITS, limits, loadLimits, type Limits } from "./limits";

// Runtime settings shared by the start script, the Next server and the tests. No secrets are read
// here that could reach a browser bundle: this module is only imported by server code.

export const SANDBOX_DEFAULTS = {
  accessKeyId: "bucketscope",
  secretAccessKey: "bucketscope-sandbox-secret",
  region: "us-east-1",
  port: 9100,
} as const;

export interface AppSettings {
  host: string;
  port: number;
  dataDir: string;
  accessToken: string | null;
  /** How long a browser session lasts (BUCKETSCOPE_SESSION_MAX_AGE). */
  sessionMaxAgeMs: number;
  /** Extra names the dashboard answers to (BUCKETSCOPE_ALLOWED_HOSTS), beyond loopback and HOST. */
  allowedHosts: AllowedHost[];
  /** Believe X-Forwarded-Proto and X-Forwarded-For (BUCKETSCOPE_TRUST_PROXY=1). */
  trustProxy: boolean;
  sandbox: SandboxSettings | null;
}

export interface SandboxSettings {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

type Env = Record<string, string | undefined>;

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingsError";
  }
}

function parsePort(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new SettingsError(`${name} must be a port number (0-65535), got "${value}".`);
  }
  return n;
}

const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };

/** `7d`, `12h`, `30m`, `45s` or a number of seconds. */
export function parseDuration(value: string | undefined, fallbackMs: number, name: string): number {
  if (value === undefined || value.trim() === "") return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/.exec(value.trim());
  const ms = m?.[1] !== undefined ? Number(m[1]) * (DURATION_UNITS[m[2] || "s"] ?? 1000) : NaN;
  if (!Number.isFinite(ms) || ms < 1000) {
    throw new SettingsError(`${name} must be a duration of at least 1 s such as 7d, 12h, 30m or 45s, got "${value}".`);
  }
  return Math.round(ms);
}

function parseFlag(value: string | undefined, name: string): boolean {
  if (value === undefined || value === "" || value === "0") return false;
  if (value === "1") return true;
  throw new SettingsError(`${name} must be 1 or 0, got "${value}".`);
}

export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

export function dataDirFrom(env: Env = process.env): string {
  return path.resolve(env.BUCKETSCOPE_DATA_DIR && env.BUCKETSCOPE_DATA_DIR !== "" ? env.BUCKETSCOPE_DATA_DIR : ".data");
}

export function loadSettings(env: Env = process.env): AppSettings {
  const host = env.HOST && env.HOST !== "" ? env.HOST : "127.0.0.1";
  const port = parsePort(env.PORT, 3000, "PORT");
  const token = env.BUCKETSCOPE_ACCESS_TOKEN && env.BUCKETSCOPE_ACCESS_TOKEN !== "" ? env.BUCKETSCOPE_ACCESS_TOKEN : null;
  if (!isLoopbackHost(host) && token === null) {
    throw new SettingsError(
      `Refusing to listen on ${host}: it is reachable beyond this machine. Set BUCKETSCOPE_ACCESS_TOKEN ` +
        `(every page and API request will then need it), or bind to 127.0.0.1.`,
    );
  }
  if (token !== null && token.length < 12) {
    throw new SettingsError("BUCKETSCOPE_ACCESS_TOKEN must be at least 12 characters long.");
  }
  // Read here too so that a bad limit stops start-up instead of failing the first request.
  loadLimits(env);
  const endpoint = env.BUCKETSCOPE_SANDBOX_ENDPOINT;
  const sandbox: SandboxSettings | null =
    endpoint && endpoint !== ""
      ? {
          endpoint,
          accessKeyId: env.BUCKETSCOPE_SANDBOX_ACCESS_KEY_ID ?? SANDBOX_DEFAULTS.accessKeyId,
          secretAccessKey: env.BUCKETSCOPE_SANDBOX_SECRET_ACCESS_KEY ?? SANDBOX_DEFAULTS.secretAccessKey,
          region: env.BUCKETSCOPE_SANDBOX_REGION ?? SANDBOX_DEFAULTS.region,
        }
      : null;
  let allowedHosts: AllowedHost[];
  try {
    allowedHosts = parseAllowedHosts(env.BUCKETSCOPE_ALLOWED_HOSTS);
  } catch (err) {
    if (err instanceof AllowedHostsError) throw new SettingsError(err.message);
    throw err;
  }
  return {
    host,
    port,
    dataDir: dataDirFrom(env),
    accessToken: token,
    sessionMaxAgeMs: parseDuration(env.BUCKETSCOPE_SESSION_MAX_AGE, 7 * 86_400_000, "BUCKETSCOPE_SESSION_MAX_AGE"),
    allowedHosts,
    trustProxy: parseFlag(env.BUCKETSCOPE_TRUST_PROXY, "BUCKETSCOPE_TRUST_PROXY"),
    sandbox,
  };
}

export function sandboxPortFrom(env: Env = process.env): number {
  return parsePort(env.BUCKETSCOPE_SANDBOX_PORT, SANDBOX_DEFAULTS.port, "BUCKETSCOPE_SANDBOX_PORT");
}
