// Behind a reverse proxy the socket's peer is the proxy and TLS ends there. Its X-Forwarded-* headers
// are believed only when BUCKETSCOPE_TRUST_PROXY=1 says a proxy sets them; otherwise any client could
// write them.

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(",") : value;
}

export function requestIsHttps(forwardedProto: string | string[] | undefined, trustProxy: boolean): boolean {
  if (!trustProxy) return false;
  return header(forwardedProto)?.split(",")[0]?.trim().toLowerCase() === "https";
}

/** The client a sign-in attempt is counted against: the address our proxy saw (the last hop it appended). */
export function clientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustProxy: boolean,
): string {
  if (trustProxy) {
    const last = header(forwardedFor)?.split(",").pop()?.trim();
    if (last) return last;
  }
  return remoteAddress ?? "unknown";
}
