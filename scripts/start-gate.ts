import type { IncomingMessage, ServerResponse } from "node:http";
import {
  AttemptLimiter,
  bearerToken,
  checkToken,
  decide,
  issueSession,
  resolveNext,
  SESSION_COOKIE,
  SESSION_HEADER,
  sessionOf,
  SIGNIN_PATH,
  SIGNOUT_PATH,
  type Access,
} from "../lib/auth/index";
import { admit, clientAddress, newNonce, requestIsHttps, securityHeaders, type AllowedHost } from "../lib/gate/index";
import { errorBody, errorStatus, internalError, type ErrorCode } from "../lib/http/errors";

// The one gate in front of Next (scripts/start.ts): security headers on every response, then the
// request checks (lib/gate), then the access token (lib/auth), then Next with the page's CSP nonce.
// Nothing behind it runs for a refused request.

export interface GateOptions {
  dev: boolean;
  access: Access | null;
  trustProxy: boolean;
  /** Read per request: the port is known only once the server listens. */
  allowedHosts: () => readonly AllowedHost[];
  now?: () => number;
}

const SIGNIN_BODY_LIMIT = 4096;

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sendError(res: ServerResponse, code: ErrorCode, message: string, headers: Record<string, string> = {}, id?: string): void {
  res.writeHead(errorStatus[code], { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers });
  res.end(JSON.stringify(errorBody(code, message, id)));
}

function sendJson(res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

async function readSmallJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > SIGNIN_BODY_LIMIT) throw new Error("too large");
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
}

function tooManyAttempts(res: ServerResponse, waitMs: number): void {
  const seconds = Math.ceil(waitMs / 1000);
  sendError(res, "too_many_attempts", `Too many sign-in attempts from this address; try again in ${seconds} s.`, {
    "Retry-After": String(seconds),
  });
}

export function createGate(opts: GateOptions): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const now = opts.now ?? Date.now;
  const limiter = new AttemptLimiter();
  const maxAgeSeconds = opts.access ? Math.floor(opts.access.sessionMaxAgeMs / 1000) : 0;

  const clientOf = (req: IncomingMessage) => clientAddress(req.socket.remoteAddress, header(req.headers["x-forwarded-for"]), opts.trustProxy);

  function cookie(req: IncomingMessage, value: string, maxAge: number): string {
    const secure = requestIsHttps(header(req.headers["x-forwarded-proto"]), opts.trustProxy) ? "; Secure" : "";
    return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${maxAge}${secure}`;
  }

  async function signIn(access: Access, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const client = clientOf(req);
    const wait = limiter.retryAfterMs(client, now());
    if (wait > 0) return tooManyAttempts(res, wait);
    let body: unknown;
    try {
      body = await readSmallJson(req);
    } catch {
      return sendError(res, "bad_request", 'Send {"token": "…", "next": "/path"} as JSON (at most 4 KiB).');
    }
    const { token, next } = (typeof body === "object" && body !== null ? body : {}) as { token?: unknown; next?: unknown };
    if (typeof token !== "string" || !checkToken(access.token, token)) {
      limiter.record(client, now());
      return sendError(res, "unauthorized", "That token is not right.");
    }
    const scheme = requestIsHttps(header(req.headers["x-forwarded-proto"]), opts.trustProxy) ? "https" : "http";
    const target = resolveNext(typeof next === "string" ? next : null, `${scheme}://${req.headers.host ?? "localhost"}`);
    sendJson(res, { next: target }, { "Set-Cookie": cookie(req, issueSession(access.token, now()), maxAgeSeconds) });
  }

  function signOut(access: Access, req: IncomingMessage, res: ServerResponse): void {
    const session = sessionOf(access, req.headers.cookie, now());
    if (session !== null) access.revoked.revoke(session);
    sendJson(res, { signedOut: true }, { "Set-Cookie": cookie(req, "", 0) });
  }

  return (req, res, next) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    const nonce = newNonce();
    const headers = securityHeaders(nonce, opts.dev);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);

    const refusal = admit(opts.allowedHosts(), {
      method,
      pathname: url.pathname,
      host: req.headers.host,
      origin: header(req.headers.origin),
      secFetchSite: header(req.headers["sec-fetch-site"]),
      secFetchMode: header(req.headers["sec-fetch-mode"]),
      secFetchDest: header(req.headers["sec-fetch-dest"]),
      contentType: req.headers["content-type"],
    });
    if (refusal?.kind === "host") {
      res.writeHead(refusal.status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" });
      res.end(refusal.message);
      return;
    }
    if (refusal) return sendError(res, refusal.code, refusal.message);

    const access = opts.access;
    if (method === "POST" && (url.pathname === SIGNIN_PATH || url.pathname === SIGNOUT_PATH)) {
      if (access === null) return sendError(res, "not_found", "This dashboard has no access token: there is no session to sign in to or out of.");
      const failed = (err: unknown) => {
        const e = internalError(err, url.pathname === SIGNIN_PATH ? "Signing in failed on the server" : "Signing out failed on the server");
        if (!res.headersSent) sendError(res, e.code, e.message, {}, e.id);
      };
      if (url.pathname === SIGNOUT_PATH) {
        try {
          signOut(access, req, res);
        } catch (err) {
          failed(err);
        }
        return;
      }
      signIn(access, req, res).catch(failed);
      return;
    }
    if (access !== null && bearerToken(req.headers.authorization) !== undefined) {
      const wait = limiter.retryAfterMs(clientOf(req), now());
      if (wait > 0) return tooManyAttempts(res, wait);
    }
    const decision = decide(access, { pathname: url.pathname, authorization: req.headers.authorization, cookie: req.headers.cookie }, now());
    if (decision === "wrong-token") {
      limiter.record(clientOf(req), now());
      return sendError(res, "unauthorized", "That access token is not right.");
    }
    if (decision === "unauthorized") return sendError(res, "unauthorized", "A valid access token is required.");
    if (decision === "redirect-to-signin") {
      res.writeHead(303, { Location: `${SIGNIN_PATH}?next=${encodeURIComponent(url.pathname + url.search)}`, "Cache-Control": "no-store" });
      res.end();
      return;
    }
    // Next reads the nonce for its scripts from the request's policy; a client's own is never used.
    req.headers["content-security-policy"] = headers["Content-Security-Policy"];
    delete req.headers["content-security-policy-report-only"];
    // The nav offers a sign-out to a browser session (app/layout.tsx); only the gate may say so.
    if (access !== null && sessionOf(access, req.headers.cookie, now()) !== null) req.headers[SESSION_HEADER] = "1";
    else delete req.headers[SESSION_HEADER];
    next();
  };
}
