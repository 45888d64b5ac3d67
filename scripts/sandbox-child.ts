import { startSandbox } from "../lib/sandbox/index";

// The embedded sandbox, run by scripts/start.ts as a child process so it has its own event loop
// (and core). It reports its endpoint over IPC and exits when the parent goes away.
const port = Number(process.env.SANDBOX_PORT ?? "0");
const dataDir = process.env.SANDBOX_DATA_DIR;
if (!dataDir || !process.send) {
  console.error("sandbox-child: run me from scripts/start.ts");
  process.exit(2);
}

const sandbox = await startSandbox({ dataDir, port, host: "127.0.0.1", seed: true });
process.send({
  endpoint: sandbox.endpoint,
  accessKeyId: sandbox.accessKeyId,
  secretAccessKey: sandbox.secretAccessKey,
  region: sandbox.region,
});
const stop = () => {
  void sandbox.close().finally(() => process.exit(0));
};
process.on("disconnect", stop);
process.on("SIGTERM", stop);
process.on("SIGINT", () => undefined);
