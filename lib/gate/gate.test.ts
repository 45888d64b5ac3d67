import { describe, expect, it } from "vitest";
import {
  admit,
  allowedHostsFor,
  clientAddress,
  contentSecurityPolicy,
  hostAllowed,
  originAllowed,
  parseAllowedHosts,
  requestIsHttps,
  type GateRequest,
} from "./index";

const allowed = allowedHostsFor({ bindHost: "127.0.0.1", port: 3100, extra: parseAllowedHosts("dash.example.com, 10.1.2.3:8443") });
const get = (over: Partial<GateRequest> = {}): GateRequest => ({
  method: "GET",
  pathname: "/api/connections",
  host: "127.0.0.1:3100",
  origin: undefined,
  secFetchSite: undefined,
  secFetchMode: undefined,
  secFetchDest: undefined,
  contentType: undefined,
  ...over,
});
const post = (over: Partial<GateRequest> = {}) => get({ method: "POST", pathname: "/api/passes", contentType: "application/json", ...over });

describe("Host allowlist", () => {
  it("answers to the loopback names with its port, and to the configured names", () => {
    for (const host of ["127.0.0.1:3100", "localhost:3100", "LOCALHOST:3100", "[::1]:3100", "dash.example.com", "dash.example.com:443", "10.1.2.3:8443"]) {
      expect(hostAllowed(allowed, host), host).toBe(true);
    }
  });

  it("refuses other names, other ports and malformed values", () => {
    for (const host of [
      "evil.example",
      "evil.example:3100",
      "127.0.0.1:3101",
      "127.0.0.1",
      "localhost",
      "10.1.2.3:8080",
      "127.0.0.2:3100",
      "evil.example@127.0.0.1:3100",
      "127.0.0.1:3100/x",
      "",
      undefined,
    ]) {
      expect(hostAllowed(allowed, host), String(host)).toBe(false);
    }
  });

  it("reads a wildcard bind as every interface address, and the bind address otherwise", () => {
    const wildcard = allowedHostsFor({ bindHost: "0.0.0.0", port: 3000, interfaces: () => ["192.168.1.5", "[fe80::1]"] });
    expect(hostAllowed(wildcard, "192.168.1.5:3000")).toBe(true);
    expect(hostAllowed(wildcard, "[fe80::1]:3000")).toBe(true);
    expect(hostAllowed(wildcard, "0.0.0.0:3000")).toBe(false);
    const named = allowedHostsFor({ bindHost: "box.lan", port: 3000 });
    expect(hostAllowed(named, "box.lan:3000")).toBe(true);
  });

  it("rejects a BUCKETSCOPE_ALLOWED_HOSTS entry that is a URL, not a name", () => {
    expect(() => parseAllowedHosts("https://dash.example.com")).toThrow(/not a host name/);
    expect(() => parseAllowedHosts("dash.example.com/x")).toThrow(/not a host name/);
    expect(parseAllowedHosts(" a.example , b.example:81 ")).toEqual([
      { name: "a.example", port: null },
      { name: "b.example", port: 81 },
    ]);
  });

  it("is refused with 421 before anything else", () => {
    expect(admit(allowed, get({ host: "evil.example:3100" }))).toMatchObject({ kind: "host", status: 421 });
  });
});

describe("cross-site refusal", () => {
  it("accepts scripts (no Origin, no Sec-Fetch-*) and the dashboard's own requests", () => {
    expect(admit(allowed, get())).toBeNull();
    expect(admit(allowed, post())).toBeNull();
    expect(admit(allowed, post({ origin: "http://127.0.0.1:3100", secFetchSite: "same-origin", secFetchMode: "cors" }))).toBeNull();
    expect(admit(allowed, get({ secFetchSite: "none", secFetchMode: "navigate", secFetchDest: "document" }))).toBeNull();
    expect(admit(allowed, post({ origin: "https://dash.example.com", host: "dash.example.com" }))).toBeNull();
  });

  it("refuses a foreign Origin, a null Origin and a non-canonical one", () => {
    for (const origin of ["http://attacker.example", "null", "http://127.0.0.1:3101", "http://127.0.0.1:3100/", "file://"]) {
      expect(admit(allowed, post({ origin })), origin).toMatchObject({ code: "cross_origin" });
    }
    expect(originAllowed(allowed, "http://localhost:3100")).toBe(true);
  });

  it("refuses cross-site requests, and same-site ones that do not name an origin of ours", () => {
    expect(admit(allowed, get({ secFetchSite: "cross-site", secFetchMode: "no-cors", secFetchDest: "image" }))).toMatchObject({
      code: "cross_origin",
    });
    expect(admit(allowed, get({ secFetchSite: "cross-site", secFetchMode: "cors", origin: "http://127.0.0.1:3100" }))).toMatchObject({
      code: "cross_origin",
    });
    // Another port of localhost is the same site.
    expect(admit(allowed, get({ secFetchSite: "same-site", secFetchMode: "no-cors" }))).toMatchObject({ code: "cross_origin" });
    expect(admit(allowed, get({ secFetchSite: "same-site", origin: "http://localhost:8080" }))).toMatchObject({ code: "cross_origin" });
    expect(admit(allowed, get({ secFetchSite: "same-site", origin: "http://localhost:3100", host: "localhost:3100" }))).toBeNull();
  });

  it("lets a link from elsewhere open a page, but never an API route, a download, a frame or a write", () => {
    const link = { secFetchSite: "cross-site", secFetchMode: "navigate", secFetchDest: "document" };
    expect(admit(allowed, get({ ...link, pathname: "/b/sandbox/demo" }))).toBeNull();
    expect(admit(allowed, get({ ...link, pathname: "/api/passes/1/export" }))).toMatchObject({ code: "cross_origin" });
    expect(admit(allowed, get({ ...link, secFetchDest: "iframe", pathname: "/" }))).toMatchObject({ code: "cross_origin" });
    expect(admit(allowed, post({ ...link, pathname: "/signin" }))).toMatchObject({ code: "cross_origin" });
  });

  it("answers 415 to a write that is not JSON, whatever sends it", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      expect(admit(allowed, post({ method, contentType: "text/plain" })), method).toMatchObject({ code: "unsupported_media_type" });
      expect(admit(allowed, post({ method, contentType: undefined })), method).toMatchObject({ code: "unsupported_media_type" });
    }
    expect(admit(allowed, post({ contentType: "application/x-www-form-urlencoded" }))).toMatchObject({ code: "unsupported_media_type" });
    expect(admit(allowed, post({ contentType: "multipart/form-data; boundary=x" }))).toMatchObject({ code: "unsupported_media_type" });
    expect(admit(allowed, post({ contentType: "Application/JSON; charset=utf-8" }))).toBeNull();
  });
});

describe("headers and proxies", () => {
  it("gives Next a nonce and nothing that evaluates strings in production", () => {
    const csp = contentSecurityPolicy("abc123==", false);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self' 'nonce-abc123=='");
    expect(csp).not.toContain("unsafe-eval");
    expect(contentSecurityPolicy("abc123==", true)).toContain("'unsafe-eval'");
  });

  it("believes X-Forwarded-* only when told a proxy sets them", () => {
    expect(requestIsHttps("https", false)).toBe(false);
    expect(requestIsHttps("https", true)).toBe(true);
    expect(requestIsHttps("http", true)).toBe(false);
    expect(clientAddress("127.0.0.1", "1.2.3.4, 5.6.7.8", false)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1", "1.2.3.4, 5.6.7.8", true)).toBe("5.6.7.8");
  });
});
