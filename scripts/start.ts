import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { checkToken, decide, safeNextPath, SESSION_COOKIE, sessionValue, SIGNIN_PATH } from "../lib/auth/index";
import { loadSettings, sandboxPortFrom, SettingsError, type AppSettings } from "../lib/config/index";
import { ConnectionConfigError, validateConnectionsConfig } from "../lib/connections/config";
import { buildIsStale } from "./build-state";
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

function redirect(res: ServerResponse, location: string, cookie?: string) {
  const headers: Record<string, string> = { Location: location, "Cache-Control": "no-store" };
  if (cookie) headers["Set-Cookie"] = cookie;
  res.writeHead(303, headers).end();
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 4096) break;
  }
  return new URLSearchParams(body);
}

async function signIn(token: string, req: IncomingMessage, res: ServerResponse, url: URL) {
  const form = await readForm(req);
  const nextPath = safeNextPath(form.get("next") ?? url.searchParams.get("next"));
  if (!checkToken(token, form.get("token") ?? "")) {
    redirect(res, `${SIGNIN_PATH}?error=1&next=${encodeURIComponent(nextPath)}`);
    return;
  }
  const secure = req.headers["x-forwarded-proto"] === "https" ? "; Secure" : "";
  redirect(res, nextPath, `${SESSION_COOKIE}=${sessionValue(token)}; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000${secure}`);
}

async function main() {
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

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (token !== null && req.method === "POST" && url.pathname === SIGNIN_PATH) {
      void signIn(token, req, res, url);
      return;
    }
    const decision = decide(token, {
      pathname: url.pathname,
      authorization: req.headers.authorization,
      cookie: req.headers.cookie,
    });
    if (decision === "unauthorized") {
      res.writeHead(401, { "Content-Type": "application/json", "Cache-Control": "no-store" });
      res.end(JSON.stringify({ error: { code: "unauthorized", message: "A valid access token is required." } }));
      return;
    }
    if (decision === "redirect-to-signin") {
      redirect(res, `${SIGNIN_PATH}?next=${encodeURIComponent(url.pathname + url.search)}`);
      return;
    }
    void handleNext(req, res);
  });
  server.on("error", (err) => fail(`cannot listen on ${settings.host}:${settings.port}: ${err.message}`));
  server.listen(settings.port, settings.host, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : settings.port;
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
