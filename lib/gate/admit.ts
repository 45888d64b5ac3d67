import type { ErrorCode } from "../http/errors";
import { hostAllowed, originAllowed, type AllowedHost } from "./hosts";

// The checks every request to the dashboard passes before anything else runs (scripts/start.ts).
// A browser marks what a page sends: `Origin` on every POST and on cross-origin fetches, and
// `Sec-Fetch-Site` on every request (Chrome 76+, Firefox 90+, Safari 16.4+). Scripts (curl, the SDKs,
// the tests) send neither and pass. A foreign page that DNS-rebinds its own name to us is caught by
// `Host`.

export interface GateRequest {
  method: string;
  pathname: string;
  host: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
  secFetchMode: string | undefined;
  secFetchDest: string | undefined;
  contentType: string | undefined;
}

export type Refusal =
  | { kind: "host"; status: 421; message: string }
  | { kind: "error"; code: Extract<ErrorCode, "cross_origin" | "unsupported_media_type">; message: string };

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function isJsonContentType(contentType: string | undefined): boolean {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() === "application/json";
}

/**
 * A link followed from another site (a chat message, a ticket) opens a page: a top-level GET
 * navigation. Its response goes to the user's tab, never to the linking page (no framing:
 * frame-ancestors 'none'; no window handle: Cross-Origin-Opener-Policy), and a page is a server shell
 * that starts nothing by itself. API routes, downloads and every write are never reachable this way.
 */
function isPageNavigation(req: GateRequest): boolean {
  return (
    (req.method === "GET" || req.method === "HEAD") &&
    req.secFetchMode === "navigate" &&
    req.secFetchDest === "document" &&
    !req.pathname.startsWith("/api/")
  );
}

function crossOrigin(message: string): Refusal {
  return { kind: "error", code: "cross_origin", message };
}

export function admit(allowed: readonly AllowedHost[], req: GateRequest): Refusal | null {
  if (!hostAllowed(allowed, req.host)) {
    return {
      kind: "host",
      status: 421,
      message:
        `This bucketscope server does not answer to the name "${req.host ?? ""}". If you reach it through a ` +
        `proxy or another name, add that name to BUCKETSCOPE_ALLOWED_HOSTS.\n`,
    };
  }
  const origin = req.origin;
  if (origin !== undefined && !originAllowed(allowed, origin)) {
    return crossOrigin(`Requests from other web pages are refused (Origin ${JSON.stringify(origin)}).`);
  }
  const site = req.secFetchSite;
  // same-site is another origin of the same site (another port on localhost, a sibling subdomain):
  // accepted only when it names itself as one of ours.
  const ownOrigin = origin !== undefined;
  if ((site === "cross-site" || (site === "same-site" && !ownOrigin)) && !isPageNavigation(req)) {
    return crossOrigin(`Requests from other web pages are refused (Sec-Fetch-Site: ${site}).`);
  }
  if (WRITES.has(req.method) && !isJsonContentType(req.contentType)) {
    return {
      kind: "error",
      code: "unsupported_media_type",
      message: `${req.method} requests must send Content-Type: application/json (got ${req.contentType ? JSON.stringify(req.contentType) : "none"}).`,
    };
  }
  return null;
}
