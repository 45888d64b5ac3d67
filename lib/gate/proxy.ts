// Behind a reverse proxy the socket's peer is the proxy and TLS ends there. Its X-Forwarded-* headers
// are believed only when BUCKETSCOPE_TRUST_PROXY=1 says a proxy sets them; otherwise any client could
// write them.

export function requestIsHttps(forwardedProto: string | undefined, trustProxy: boolean): boolean {
  if (!trustProxy) return false;
  return forwardedProto?.split(",")[0]?.trim().toLowerCase() === "https";
}

/** The client a sign-in attempt is counted against: the address our proxy saw (the last hop it appended). */
export function clientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | undefined,
  trustProxy: boolean,
): string {
  if (trustProxy) {
    const last = forwardedFor?.split(",").pop()?.trim();
    if (last) return last;
  }
  return remoteAddress ?? "unknown";
}
