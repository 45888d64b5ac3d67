import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { hostAllowed, type AllowedHost } from "../gate/hosts";
import { ADMIN_PREFIX, handleAdmin, type AdminContext } from "./admin";
import { readRequestBody } from "./body";
import type { S3Response, SandboxContext } from "./context";
import { S3Error } from "./errors";
import type { FaultController } from "./faults";
import { parseS3Request, type S3Request } from "./request";
import { routeRequest } from "./router";
import { verifyRequest } from "./sigv4";
import { assertValidBucketName, assertValidKey } from "./validate";
import { errorXml } from "./xml-responses";

// The request pipeline: Host → ids → admin? → parse → SigV4 → route → validate → body → faults → operation.

export interface HandlerOptions {
  ctx: SandboxContext;
  faults: FaultController;
  accessKeyId: string;
  secretAccessKey: string;
  maxBodyBytes: number;
  now: () => number;
  startedAt: number;
  /** The names this server answers to (known once it listens). */
  allowedHosts: () => readonly AllowedHost[];
}

/** S3-style request ids: 16 upper-case hex characters, x-amz-id-2 an opaque base64 string. */
function requestIds(): () => { requestId: string; hostId: string } {
  const prefix = randomBytes(4).toString("hex").toUpperCase();
  const hostSeed = randomBytes(24).toString("base64");
  let counter = 0;
  return () => {
    counter = (counter + 1) >>> 0;
    const requestId = prefix + counter.toString(16).toUpperCase().padStart(8, "0");
    return { requestId, hostId: `${hostSeed}${requestId}` };
  };
}

function sendResponse(res: ServerResponse, isHead: boolean, response: S3Response, ids: { requestId: string; hostId: string }): void {
  const headers: Record<string, string> = { ...response.headers, "x-amz-request-id": ids.requestId, "x-amz-id-2": ids.hostId, server: "AmazonS3" };
  const body = response.body === undefined ? undefined : typeof response.body === "string" ? Buffer.from(response.body, "utf8") : response.body;
  // RFC 9110: no Content-Length on 204 and 304 (S3 sends none either).
  const bodiless = response.status === 204 || response.status === 304;
  if (headers["content-length"] === undefined && !bodiless) headers["content-length"] = String(body?.length ?? 0);
  res.writeHead(response.status, headers);
  if (isHead || body === undefined || bodiless) res.end();
  else res.end(body);
}

function errorHeaders(err: S3Error): Record<string, string> {
  const headers = { ...err.headers };
  // The store signals reads that hit a delete marker with the marker's version id (DeleteMarkerError).
  const markerVersionId: unknown = (err as { deleteMarkerVersionId?: unknown }).deleteMarkerVersionId;
  if (typeof markerVersionId === "string") {
    headers["x-amz-delete-marker"] = "true";
    headers["x-amz-version-id"] = markerVersionId;
  }
  return headers;
}

function errorResponse(err: S3Error, ids: { requestId: string; hostId: string }): S3Response {
  // 304 and HEAD responses carry no body; the caller drops it for HEAD.
  if (err.status === 304) return { status: 304, headers: errorHeaders(err) };
  return { status: err.status, headers: { "content-type": "application/xml", ...errorHeaders(err) }, body: errorXml(err, ids.requestId, ids.hostId) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Bucket-name and key checks S3 makes before anything else. */
function validateAddress(req: S3Request): void {
  if (req.bucket !== "") assertValidBucketName(req.bucket);
  if (req.key !== "") assertValidKey(req.key);
}

/** The request as a server that does not know `start-after` sees it (a fault for tests and demos). */
function withoutStartAfter(req: S3Request): S3Request {
  return { ...req, query: new Map([...req.query].filter(([name]) => name !== "start-after")) };
}

export function createRequestHandler(options: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const nextIds = requestIds();
  const sigv4Settings = {
    region: options.ctx.region,
    now: options.now,
    secretFor: (id: string) => (id === options.accessKeyId ? options.secretAccessKey : undefined),
  };
  const adminContext: AdminContext = {
    store: options.ctx.store,
    faults: options.faults,
    secretAccessKey: options.secretAccessKey,
    region: options.ctx.region,
    startedAt: options.startedAt,
  };

  async function handle(req: IncomingMessage, res: ServerResponse, ids: { requestId: string; hostId: string }): Promise<void> {
    const isHead = req.method === "HEAD";
    try {
      const s3req = parseS3Request(req);
      const verified = verifyRequest(s3req, s3req.query, sigv4Settings);
      const operation = routeRequest(s3req);
      validateAddress(s3req);
      const body = await readRequestBody(req, s3req, verified, { maxBytes: options.maxBodyBytes });
      if (operation.isList) {
        const decision = options.faults.decide(s3req.bucket);
        if (decision.delayMs > 0) await sleep(decision.delayMs);
        if (decision.fault === "reset") {
          req.socket.destroy();
          return;
        }
        if (decision.fault === "InternalError") throw new S3Error("InternalError", "We encountered an internal error. Please try again.");
        if (decision.fault === "SlowDown") throw new S3Error("SlowDown", "Please reduce your request rate.");
      }
      const request = operation.isList && options.faults.ignoresStartAfter(s3req.bucket) ? withoutStartAfter(s3req) : s3req;
      sendResponse(res, isHead, operation.run(options.ctx, request, body), ids);
    } catch (err) {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const s3err =
        err instanceof S3Error
          ? err
          : new S3Error("InternalError", "We encountered an internal error. Please try again.", {
              Detail: err instanceof Error ? err.message : String(err),
            });
      if (!(err instanceof S3Error)) console.error("bucketscope sandbox: internal error", err);
      // Unread request bodies are drained by Node once the response is complete.
      sendResponse(res, isHead, errorResponse(s3err, ids), ids);
    }
  }

  return (req, res) => {
    // Browsers reach the sandbox too (presigned downloads): a page on a foreign name that DNS-rebinds
    // to us is refused before it can sign anything with the published credentials.
    if (!hostAllowed(options.allowedHosts(), req.headers.host)) {
      res.writeHead(421, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      res.end(`This S3 sandbox does not answer to the name "${req.headers.host ?? ""}"; use the endpoint it printed at start.\n`);
      return;
    }
    const ids = nextIds();
    if (req.url?.startsWith(ADMIN_PREFIX)) {
      res.setHeader("x-amz-request-id", ids.requestId);
      handleAdmin(adminContext, req, res).catch((err: unknown) => {
        console.error("bucketscope sandbox: admin error", err);
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: "internal error" }));
        } else res.destroy();
      });
      return;
    }
    void handle(req, res, ids);
  };
}
