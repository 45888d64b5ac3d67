import http from "node:http";
import type { AddressInfo } from "node:net";
import { SANDBOX_DEFAULTS } from "../config/index";
import { allowedHostsFor, type AllowedHost } from "../gate/hosts";
import { FaultController, type FaultSettingsPatch } from "./faults";
import { seedDemo, seedDemoInventory } from "./seed";
import { createRequestHandler } from "./server";
import { createStore } from "./store/index";
import type { SandboxStore } from "./store-types";

// The embedded S3-compatible sandbox: path-style S3 over plain node:http, SigV4-authenticated, backed
// by the SQLite store. Runs standalone (tsx) as well as inside the app's start script and the tests.

export type { FaultController, FaultKind, FaultSettings, FaultState, VersionsEndEarly } from "./faults";

export interface SandboxOptions {
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  accessKeyId?: string;
  secretAccessKey?: string;
  region?: string;
  /** Seed the demo buckets when the store has none. */
  seed?: boolean;
  faults?: FaultSettingsPatch;
  /** Largest accepted request body (decoded), default 1 GiB; the whole body is held in memory. */
  maxBodyBytes?: number;
  /** Clock for SigV4 checks (tests of skew and expiry). */
  now?: () => number;
  /** Names it answers to beyond loopback and `host` (a proxy's, say), each `name` or `name:port`. */
  allowedHosts?: readonly AllowedHost[];
}

export interface Sandbox {
  endpoint: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  store: SandboxStore;
  faults: FaultController;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024 * 1024;

function endpointFor(host: string, port: number): string {
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const host = options.host ?? "127.0.0.1";
  const accessKeyId = options.accessKeyId ?? SANDBOX_DEFAULTS.accessKeyId;
  const secretAccessKey = options.secretAccessKey ?? SANDBOX_DEFAULTS.secretAccessKey;
  const region = options.region ?? SANDBOX_DEFAULTS.region;
  const store = createStore(options.dataDir);
  if (options.seed && store.listBuckets().length === 0) {
    seedDemo(store);
    await seedDemoInventory(store);
  }
  const faults = new FaultController(options.faults);

  let endpoint = "";
  let allowedHosts: readonly AllowedHost[] = [];
  const handler = createRequestHandler({
    ctx: {
      store,
      region,
      owner: { id: Buffer.from(`bucketscope:${accessKeyId}`).toString("hex").padEnd(64, "0").slice(0, 64), displayName: accessKeyId },
      endpoint: () => endpoint,
      faults,
    },
    faults,
    accessKeyId,
    secretAccessKey,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    now: options.now ?? Date.now,
    startedAt: Date.now(),
    allowedHosts: () => allowedHosts,
  });
  const server = http.createServer({ keepAliveTimeout: 65_000, headersTimeout: 70_000 }, handler);
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    store.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  endpoint = endpointFor(host, port);
  allowedHosts = allowedHostsFor({ bindHost: host, port, extra: options.allowedHosts });

  let closing: Promise<void> | undefined;
  return {
    endpoint,
    port,
    accessKeyId,
    secretAccessKey,
    region,
    store,
    faults,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          store.close();
          resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
