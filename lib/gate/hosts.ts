import { networkInterfaces } from "node:os";

// Which names a server answers to. A browser puts the name it resolved into `Host` (and, for a page,
// into `Origin`), so a page on a foreign name that DNS-rebinds to 127.0.0.1 is recognised by its name.

/** A name and port this server answers to; `port: null` accepts the name on any port. */
export interface AllowedHost {
  name: string;
  port: number | null;
}

const HOST_SYNTAX = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/;

/** Lower-cased, IPv4 and IPv6 in canonical form (as browsers write them), IPv6 in brackets. */
function canonicalName(name: string): string | null {
  try {
    return new URL(`http://${name}/`).hostname;
  } catch {
    return null;
  }
}

/** `name`, `name:port`, `[v6]` or `[v6]:port`; nothing else (no userinfo, path or scheme). */
export function parseHostPort(value: string): { name: string; port: number | null } | null {
  const m = HOST_SYNTAX.exec(value.trim());
  if (!m?.[1]) return null;
  const name = canonicalName(m[1]);
  if (name === null || name === "") return null;
  if (m[2] === undefined) return { name, port: null };
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { name, port } : null;
}

export class AllowedHostsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AllowedHostsError";
  }
}

/** Parses BUCKETSCOPE_ALLOWED_HOSTS: a comma list of `name` (any port) or `name:port`. */
export function parseAllowedHosts(list: string | undefined): AllowedHost[] {
  if (list === undefined || list.trim() === "") return [];
  return list
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((entry) => {
      const parsed = parseHostPort(entry);
      if (parsed === null) {
        throw new AllowedHostsError(
          `BUCKETSCOPE_ALLOWED_HOSTS: "${entry}" is not a host name: write names like dash.example.com or ` +
            `dash.example.com:8443, separated by commas (no scheme, no path).`,
        );
      }
      return parsed;
    });
}

function isWildcard(bindHost: string): boolean {
  return ["0.0.0.0", "::", "[::]", ""].includes(bindHost.trim());
}

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((i) => (i.family === "IPv6" ? `[${i.address.replace(/%.*$/, "")}]` : i.address));
}

/**
 * The names a server bound to `bindHost:port` answers to: the loopback names with its port, the bind
 * address itself (every interface address for a wildcard bind), and the extra names.
 */
export function allowedHostsFor(opts: {
  bindHost: string;
  port: number;
  extra?: readonly AllowedHost[];
  interfaces?: () => string[];
}): AllowedHost[] {
  const names = ["127.0.0.1", "localhost", "[::1]"];
  if (isWildcard(opts.bindHost)) names.push(...(opts.interfaces ?? interfaceAddresses)());
  else names.push(opts.bindHost.includes(":") && !opts.bindHost.startsWith("[") ? `[${opts.bindHost}]` : opts.bindHost);
  const own = names.flatMap((n) => {
    const name = canonicalName(n);
    return name === null ? [] : [{ name, port: opts.port }];
  });
  return [...own, ...(opts.extra ?? [])];
}

function matches(allowed: readonly AllowedHost[], name: string, port: number): boolean {
  return allowed.some((a) => a.name === name && (a.port === null || a.port === port));
}

/** Whether a `Host` header names this server; a Host without a port means the scheme's default. */
export function hostAllowed(allowed: readonly AllowedHost[], hostHeader: string | undefined, defaultPort = 80): boolean {
  if (hostHeader === undefined) return false;
  const parsed = parseHostPort(hostHeader);
  return parsed !== null && matches(allowed, parsed.name, parsed.port ?? defaultPort);
}

/** Whether an `Origin` header names a page of this server (any allowed name, http or https). */
export function originAllowed(allowed: readonly AllowedHost[], origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  // Browsers serialise Origin canonically: anything else (a path, userinfo, odd case) is not a page's.
  if (url.origin !== origin) return false;
  const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  return matches(allowed, url.hostname, port);
}
