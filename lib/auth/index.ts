import { safeEqual, SESSION_COOKIE, verifySession, type RevokedSessions, type Session } from "./sessions";

// The access gate in front of every page and API request when BUCKETSCOPE_ACCESS_TOKEN is set: a
// bearer token for scripts, a signed, expiring session cookie for browsers (set by /signin).

export { AttemptLimiter } from "./attempts";
export { issueSession, RevokedSessions, SESSION_COOKIE, verifySession, type Session } from "./sessions";

export const SIGNIN_PATH = "/signin";
export const SIGNOUT_PATH = "/signout";
/** Set by the gate on a request that carries a valid browser session, for the pages (never a client's). */
export const SESSION_HEADER = "x-bucketscope-session";

export interface Access {
  token: string;
  sessionMaxAgeMs: number;
  revoked: RevokedSessions;
}

/** `wrong-token`: a bearer token was sent and is not the token (a guess: it counts as an attempt). */
export type GateDecision = "allow" | "unauthorized" | "wrong-token" | "redirect-to-signin";

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim();
}

/** The valid session a request's cookie carries, if any. */
export function sessionOf(access: Access, cookie: string | undefined, now: number): Session | null {
  const value = readCookie(cookie, SESSION_COOKIE);
  if (value === undefined) return null;
  return verifySession(access.token, value, { now, maxAgeMs: access.sessionMaxAgeMs, revoked: access.revoked });
}

function isPublicPath(pathname: string): boolean {
  // The sign-in page needs its own scripts and styles before the visitor has a session.
  return pathname === SIGNIN_PATH || pathname.startsWith("/_next/static/") || pathname === "/favicon.ico";
}

export function decide(
  access: Access | null,
  req: { pathname: string; authorization: string | undefined; cookie: string | undefined },
  now: number,
): GateDecision {
  if (access === null) return "allow";
  const bearer = bearerToken(req.authorization);
  if (bearer !== undefined) return checkToken(access.token, bearer) ? "allow" : "wrong-token";
  if (sessionOf(access, req.cookie, now) !== null) return "allow";
  if (isPublicPath(req.pathname)) return "allow";
  return req.pathname.startsWith("/api/") ? "unauthorized" : "redirect-to-signin";
}

export function checkToken(token: string, candidate: string): boolean {
  return safeEqual(candidate, token);
}

/**
 * Where to go after signing in: `next` resolved by the URL parser against our own origin, the way a
 * browser will resolve the Location we send, and kept only when it stays on that origin. A string
 * test is not enough: browsers drop tabs and newlines from URLs and read `\` as `/`, so
 * `/\t/evil.example` and `/\evil.example` both leave the site.
 */
export function resolveNext(next: string | null | undefined, origin: string): string {
  if (!next) return "/";
  let base: URL;
  let url: URL;
  try {
    base = new URL(origin);
    url = new URL(next, base);
  } catch {
    return "/";
  }
  if (url.origin !== base.origin) return "/";
  // `/.//evil.example` resolves on our origin to the path `//evil.example`, which as a relative
  // Location is another host: one leading slash only.
  return `${url.pathname.replace(/^\/+/, "/")}${url.search}${url.hash}`;
}
