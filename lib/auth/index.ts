import { createHmac, timingSafeEqual } from "node:crypto";

// The access gate in front of every page and API request when BUCKETSCOPE_ACCESS_TOKEN is set.
// The cookie holds an HMAC of the token, never the token itself.

export const SESSION_COOKIE = "bucketscope_session";
export const SIGNIN_PATH = "/signin";

export type GateDecision = "allow" | "unauthorized" | "redirect-to-signin";

export function sessionValue(token: string): string {
  return createHmac("sha256", token).update("bucketscope-session-v1").digest("base64url");
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function isPublicPath(pathname: string): boolean {
  // The sign-in page needs its own scripts and styles before the visitor has a session.
  return pathname === SIGNIN_PATH || pathname.startsWith("/_next/static/") || pathname === "/favicon.ico";
}

export function decide(
  token: string | null,
  req: { pathname: string; authorization: string | undefined; cookie: string | undefined },
): GateDecision {
  if (token === null) return "allow";
  const bearer = /^Bearer\s+(.+)$/i.exec(req.authorization ?? "")?.[1]?.trim();
  if (bearer !== undefined) return safeEqual(bearer, token) ? "allow" : "unauthorized";
  const session = readCookie(req.cookie, SESSION_COOKIE);
  if (session !== undefined && safeEqual(session, sessionValue(token))) return "allow";
  if (isPublicPath(req.pathname)) return "allow";
  return req.pathname.startsWith("/api/") ? "unauthorized" : "redirect-to-signin";
}

export function checkToken(token: string, candidate: string): boolean {
  return safeEqual(candidate, token);
}

/** Only same-site relative paths are followed after sign-in, so the form cannot redirect elsewhere. */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}
