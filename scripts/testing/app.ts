import { spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface SandboxEndpoint {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

export interface RunningApp {
  url: string;
  pid: number;
  /** Everything the process printed so far. */
  output(): string;
  stop(): Promise<void>;
  /** SIGKILL: the process gets no chance to clean up, like a crash. */
  kill(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts the dashboard exactly as `npm start` does (scripts/start.ts, the access gate included) on a
 * free port, against a sandbox the test started. The build is made once by the globalSetup.
 */
export async function startApp(opts: {
  dataDir: string;
  sandbox: SandboxEndpoint | null;
  env?: Record<string, string>;
  port?: number;
}): Promise<RunningApp> {
  const port = opts.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    BUCKETSCOPE_DATA_DIR: opts.dataDir,
    BUCKETSCOPE_SKIP_BUILD: "1",
    BUCKETSCOPE_SANDBOX: opts.sandbox ? undefined : "off",
    BUCKETSCOPE_SANDBOX_ENDPOINT: opts.sandbox?.endpoint,
    BUCKETSCOPE_SANDBOX_ACCESS_KEY_ID: opts.sandbox?.accessKeyId,
    BUCKETSCOPE_SANDBOX_SECRET_ACCESS_KEY: opts.sandbox?.secretAccessKey,
    BUCKETSCOPE_SANDBOX_REGION: opts.sandbox?.region,
    ...opts.env,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) Reflect.deleteProperty(env, k);

  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "start.ts")], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const url = `http://127.0.0.1:${port}`;
  // Start-up seeds the embedded sandbox (3000 + a few hundred writes) and loads Next: on a shared
  // machine under load that took over a minute. The hooks allow 180 s; this leaves room to stop.
  const readyMs = 150_000;
  const deadline = Date.now() + readyMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode} before it was ready:\n${output}`);
    if (output.includes("dashboard at")) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the app did not become ready in ${readyMs / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    pid: child.pid ?? -1,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
