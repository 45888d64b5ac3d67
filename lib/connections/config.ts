import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { dataDirFrom } from "@/lib/config";
import { concurrencySchema, connectionNameSchema } from "@/lib/wire";

// Extra connections from BUCKETSCOPE_CONNECTIONS (a JSON array) and a config file. This module reads
// no SDK and no secrets beyond parsing them, so the start script can validate before anything runs.

type Env = Record<string, string | undefined>;

export const RESERVED_CONNECTION_NAMES = ["sandbox", "aws"] as const;

export const connectionConfigSchema = z
  .strictObject({
    name: connectionNameSchema.refine(
      (n) => !(RESERVED_CONNECTION_NAMES as readonly string[]).includes(n),
      "'sandbox' and 'aws' are built-in connection names",
    ),
    endpoint: z
      .url({ protocol: /^https?$/, error: "endpoint must be an http:// or https:// URL" })
      .refine((u) => {
        const url = new URL(u);
        return url.username === "" && url.password === "" && url.search === "" && url.hash === "";
      }, "endpoint must not carry credentials, a query or a fragment")
      .optional(),
    region: z.string().min(1).optional(),
    forcePathStyle: z.boolean().optional(),
    profile: z.string().min(1).optional(),
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    sessionToken: z.string().min(1).optional(),
    writable: z.boolean().default(false),
    /** The most cursors one pass may list this connection with (a parallel pass asking more gets this many). */
    maxConcurrency: concurrencySchema.optional(),
  })
  .refine((c) => (c.accessKeyId === undefined) === (c.secretAccessKey === undefined), {
    message: "accessKeyId and secretAccessKey must be given together",
  })
  .refine((c) => c.profile === undefined || c.accessKeyId === undefined, {
    message: "give either profile or accessKeyId/secretAccessKey, not both",
  });

export type ConnectionConfig = z.infer<typeof connectionConfigSchema>;

export class ConnectionConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConnectionConfigError";
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}

function parseEntries(raw: unknown, source: string): ConnectionConfig[] {
  const list: unknown = raw !== null && typeof raw === "object" && !Array.isArray(raw) && "connections" in raw ? raw.connections : raw;
  if (!Array.isArray(list)) {
    throw new ConnectionConfigError(`${source} must be a JSON array of connections (or {"connections": [...]}).`);
  }
  return list.map((entry: unknown, i) => {
    const label =
      entry !== null && typeof entry === "object" && "name" in entry && typeof entry.name === "string"
        ? `connection "${entry.name}"`
        : `connection #${i + 1}`;
    const result = connectionConfigSchema.safeParse(entry);
    if (!result.success) {
      throw new ConnectionConfigError(`${source}: ${label} is invalid: ${describeIssues(result.error)}`);
    }
    return result.data;
  });
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConnectionConfigError(`${source} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function configFilePath(env: Env = process.env): { file: string; explicit: boolean } {
  const explicit = env.BUCKETSCOPE_CONFIG !== undefined && env.BUCKETSCOPE_CONFIG !== "";
  return {
    file: explicit ? path.resolve(env.BUCKETSCOPE_CONFIG as string) : path.join(dataDirFrom(env), "connections.json"),
    explicit,
  };
}

/**
 * Reads and checks every configured extra connection; throws ConnectionConfigError naming the
 * first malformed entry. The start script calls this to refuse start-up on a bad configuration.
 */
export function validateConnectionsConfig(env: Env = process.env): ConnectionConfig[] {
  const out: ConnectionConfig[] = [];
  const fromEnv = env.BUCKETSCOPE_CONNECTIONS;
  if (fromEnv !== undefined && fromEnv.trim() !== "") {
    out.push(...parseEntries(parseJson(fromEnv, "BUCKETSCOPE_CONNECTIONS"), "BUCKETSCOPE_CONNECTIONS"));
  }
  const { file, explicit } = configFilePath(env);
  if (explicit || fs.existsSync(file)) {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      throw new ConnectionConfigError(`Cannot read the connections file ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    out.push(...parseEntries(parseJson(text, file), file));
  }
  const seen = new Set<string>();
  for (const c of out) {
    if (seen.has(c.name)) throw new ConnectionConfigError(`connection "${c.name}" is defined more than once.`);
    seen.add(c.name);
  }
  return out;
}
