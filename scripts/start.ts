import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { RevokedSessions } from "../lib/auth/index";
import { loadSettings, sandboxPortFrom, SettingsError, type AppSettings } from "../lib/config/index";
import { ConnectionConfigError, validateConnectionsConfig } from "../lib/connections/config";
import { allowedHostsFor } from "../lib/gate/index";
import { claimDataDir, DataDirInUseError, type DataDirClaim } from "../lib/instance-lock/index";
import { buildIsStale } from "./build-state";
import { createGate } from "./start-gate";
import { startWatchSchedule } from "./start-watches";

// `npm start`: the embedded sandbox (unless BUCKETSCOPE_SANDBOX_ENDPOINT names one, or
// BUCKETSCOPE_SANDBOX=off), a production build when the sources are newer than it, and the dashboard
// behind the access gate. `npm run dev` runs the same with `next dev`.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dev = process.argv.includes("--dev");
process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

function fail(message: string): never {
  console.error(`bucketscope: ${message}`);
  process.exit(1);
}

let settings: AppSettings;
try {
  settings = loadSettings();
  validateConnectionsConfig();
} catch (err) {
  if (err instanceof SettingsError || err instanceof ConnectionConfigError) fail(err.message);
  throw err;
}

let claimed: DataDirClaim | null = null;
process.on("exit", () => claimed?.release());
const children: ChildProcess[] = [];
function stopChildren() {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
}
process.on("exit", stopChildren);

async function startEmbeddedSandbox(): Promise<NonNullable<AppSettings["sandbox"]>> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "sandbox-child.ts")], {
    cwd: root,
    env: {
      ...process.env,
      SANDBOX_PORT: String(sandboxPortFrom()),
      SANDBOX_DATA_DIR: path.join(settings.dataDir, "sandbox"),
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.push(child);
  return await new Promise((resolve, reject) => {
    child.once("message", (msg) => resolve(msg as NonNullable<AppSettings["sandbox"]>));
    child.once("exit", (code) =>
      reject(new Error(`the embedded sandbox exited (code ${code}) before it was ready; is port ${sandboxPortFrom()} free?`)),
    );
  });
}

async function buildIfNeeded(): Promise<void> {
  if (dev || process.env.BUCKETSCOPE_SKIP_BUILD === "1" || !buildIsStale(root)) return;
  console.log("bucketscope: building the dashboard (sources are newer than the last build)…");
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
      cwd: root,
      stdio: "inherit",
      env: process.env,
    });
    children.push(child);
    child.once("exit", resolve);
  });
  if (code !== 0) fail(`next build failed (exit ${code}).`);
}

async function main() {
  // Before anything touches the data directory: a second server would mark the first one's running
  // passes interrupted and clean up its running experiments.
  try {
    claimed = await claimDataDir(settings.dataDir, { port: settings.port, host: settings.host });
  } catch (err) {
    if (err instanceof DataDirInUseError) fail(err.message);
    throw err;
  }
  if (!settings.sandbox && process.env.BUCKETSCOPE_SANDBOX !== "off") {
    settings.sandbox = await startEmbeddedSandbox();
  }
  if (settings.sandbox) {
    process.env.BUCKETSCOPE_SANDBOX_ENDPOINT = settings.sandbox.endpoint;
    process.env.BUCKETSCOPE_SANDBOX_ACCESS_KEY_ID = settings.sandbox.accessKeyId;
    process.env.BUCKETSCOPE_SANDBOX_SECRET_ACCESS_KEY = settings.sandbox.secretAccessKey;
    process.env.BUCKETSCOPE_SANDBOX_REGION = settings.sandbox.region;
  }
  process.env.BUCKETSCOPE_DATA_DIR = settings.dataDir;
  await buildIfNeeded();

  const app = next({ dev, dir: root, hostname: settings.host, port: settings.port });
  const handleNext = app.getRequestHandler();
  await app.prepare();
  const token = settings.accessToken;
  let allowedHosts = allowedHostsFor({ bindHost: settings.host, port: settings.port, extra: settings.allowedHosts });
  const gate = createGate({
    dev,
    trustProxy: settings.trustProxy,
    allowedHosts: () => allowedHosts,
    access:
      token === null
        ? null
        : {
            token,
            sessionMaxAgeMs: settings.sessionMaxAgeMs,
            revoked: new RevokedSessions(path.join(settings.dataDir, "revoked-sessions.json")),
          },
  });

  const server = createServer((req, res) => gate(req, res, () => void handleNext(req, res)));
  let listening = false;
  let acceptErrors = 0;
  server.on("error", (err: NodeJS.ErrnoException) => {
    if (!listening) fail(`cannot listen on ${settings.host}:${settings.port}: ${err.message}`);
    // Once listening, a server's only errors are accept() failures (EMFILE, ENFILE under a connection
    // flood). On Linux and macOS libuv (>= 1.45) never reports them: it sheds the waiting connections
    // and retries on the next loop turn (scripts/connection-flood.int.test.ts). Where one is reported
    // it must not end the passes and watches this process runs: logged, at most every 10 s.
    if (acceptErrors++ === 0) {
      console.error(`bucketscope: could not accept a connection (${err.code ?? err.message}); still serving`);
      setTimeout(() => {
        if (acceptErrors > 1) console.error(`bucketscope: ${acceptErrors - 1} more connections could not be accepted`);
        acceptErrors = 0;
      }, 10_000).unref();
    }
  });
  server.listen(settings.port, settings.host, () => {
    listening = true;
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : settings.port;
    allowedHosts = allowedHostsFor({ bindHost: settings.host, port, extra: settings.allowedHosts });
    claimed?.update(port);
    const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host;
    console.log(`bucketscope: dashboard at http://${host}:${port}${token ? " (access token required)" : ""}`);
    if (settings.sandbox) console.log(`bucketscope: sandbox S3 at ${settings.sandbox.endpoint}`);
    console.log(`bucketscope: data in ${settings.dataDir}`);
    void startWatchSchedule(settings.host, port, token);
  });

  const shutdown = () => {
    server.close();
    stopChildren();
    setTimeout(() => process.exit(0), 500).unref();
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
