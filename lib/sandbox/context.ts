import type { FaultController } from "./faults";
import type { SandboxStore } from "./store-types";
import type { Owner } from "./xml-responses";

// What every S3 operation handler gets, and what it returns.

export interface SandboxContext {
  store: SandboxStore;
  region: string;
  owner: Owner;
  /** http://host:port, for the Location of CompleteMultipartUpload. */
  endpoint: () => string;
  /** The compatibility switches (listings that end early, Content-MD5 required) live with the faults. */
  faults: FaultController;
}

export interface S3Response {
  status: number;
  headers: Record<string, string>;
  /** Omitted for empty responses. HEAD responses carry their Content-Length in `headers`. */
  body?: Buffer | string;
}

export function xmlResponse(body: string | Buffer, headers: Record<string, string> = {}, status = 200): S3Response {
  return { status, headers: { "content-type": "application/xml", ...headers }, body };
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): S3Response {
  return { status, headers };
}
