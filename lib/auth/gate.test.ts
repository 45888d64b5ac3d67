import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  AttemptLimiter,
  decide,
  issueSession,
  resolveNext,
  RevokedSessions,
  SESSION_COOKIE,
  verifySession,
  type Access,
} from "./index";

const token = "a-long-enough-token";
const DAY = 86_400_000;
const now = Date.UTC(2026, 0, 10, 12);
const access = (over: Partial<Access> = {}): Access => ({
  token,
  sessionMaxAgeMs: 7 * DAY,
  revoked: new RevokedSessions(null, () => now),
  ...over,
});
const req = (over: Partial<Parameters<typeof decide>[1]>) => ({
  pathname: "/",
  authorization: undefined,
  cookie: undefined,
  ...over,
});

describe("access gate", () => {
  it("lets everything through when no token is configured", () => {
    expect(decide(null, req({ pathname: "/api/passes" }), now)).toBe("allow");
  });

  it("answers 401 to an API call without a token and sends a page visit to the sign-in form", () => {
    expect(decide(access(), req({ pathname: "/api/passes" }), now)).toBe("unauthorized");
    expect(decide(access(), req({ pathname: "/b/sandbox/demo" }), now)).toBe("redirect-to-signin");
  });

  it("accepts the right bearer token and calls a wrong one a guess, even on public paths", () => {
    expect(decide(access(), req({ pathname: "/api/passes", authorization: `Bearer ${token}` }), now)).toBe("allow");
    expect(decide(access(), req({ pathname: "/signin", authorization: "Bearer nope" }), now)).toBe("wrong-token");
  });

  it("accepts a session cookie it issued, not the raw token as a cookie", () => {
    const cookie = `x=1; ${SESSION_COOKIE}=${issueSession(token, now - DAY)}`;
    expect(decide(access(), req({ pathname: "/api/x", cookie }), now)).toBe("allow");
    expect(decide(access(), req({ pathname: "/api/x", cookie: `${SESSION_COOKIE}=${token}` }), now)).toBe("unauthorized");
  });
});

describe("sessions", () => {
  it("expire after the session max age, counted from the issued-at inside the signed value", () => {
    const value = issueSession(token, now);
    expect(verifySession(token, value, { now: now + 7 * DAY - 1, maxAgeMs: 7 * DAY })).not.toBeNull();
    expect(verifySession(token, value, { now: now + 7 * DAY, maxAgeMs: 7 * DAY })).toBeNull();
    expect(verifySession(token, value, { now: now + 2000, maxAgeMs: 1000 })).toBeNull();
  });

  it("cannot be extended or forged: a changed issued-at, another token or a far-future date fail", () => {
    const value = issueSession(token, now);
    const [, id, mac] = value.split(".");
    expect(verifySession(token, `${now + DAY}.${id}.${mac}`, { now: now + 8 * DAY, maxAgeMs: 7 * DAY })).toBeNull();
    expect(verifySession("another-long-token", value, { now, maxAgeMs: 7 * DAY })).toBeNull();
    expect(verifySession(token, issueSession(token, now + DAY), { now, maxAgeMs: 7 * DAY })).toBeNull();
    expect(verifySession(token, `${value}.x`, { now, maxAgeMs: 7 * DAY })).toBeNull();
  });

  describe("sign-out", () => {
    let dir = "";
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("ends the session for good: the revocation outlives a restart and is forgotten once the session would have expired", () => {
      dir = mkdtempSync(path.join(os.tmpdir(), "bucketscope-sessions-"));
      const file = path.join(dir, "revoked.json");
      let clock = now;
      const value = issueSession(token, now);
      const other = issueSession(token, now);
      const revoked = new RevokedSessions(file, () => clock);
      const session = verifySession(token, value, { now, maxAgeMs: 7 * DAY, revoked });
      expect(session).not.toBeNull();
      revoked.revoke(session!);
      expect(verifySession(token, value, { now, maxAgeMs: 7 * DAY, revoked })).toBeNull();
      expect(verifySession(token, other, { now, maxAgeMs: 7 * DAY, revoked })).not.toBeNull();

      const afterRestart = new RevokedSessions(file, () => clock);
      expect(verifySession(token, value, { now, maxAgeMs: 7 * DAY, revoked: afterRestart })).toBeNull();
      clock = now + 7 * DAY;
      expect(afterRestart.has(session!.id)).toBe(false);
    });
  });
});

describe("sign-in attempts", () => {
  it("allows 10 a minute per client, then refuses every attempt until the oldest leaves the window", () => {
    const limiter = new AttemptLimiter();
    for (let i = 0; i < 10; i++) {
      expect(limiter.retryAfterMs("10.0.0.1", now + i)).toBe(0);
      limiter.record("10.0.0.1", now + i);
    }
    expect(limiter.retryAfterMs("10.0.0.1", now + 10)).toBe(60_000 - 10);
    expect(limiter.retryAfterMs("10.0.0.2", now + 10)).toBe(0);
    expect(limiter.retryAfterMs("10.0.0.1", now + 60_000)).toBe(0);
  });

  it("keeps at most its client budget in memory", () => {
    const limiter = new AttemptLimiter(10, 60_000, 100);
    for (let i = 0; i < 1000; i++) limiter.record(`10.0.${i >> 8}.${i & 255}`, now);
    for (let i = 0; i < 10; i++) limiter.record("10.9.9.9", now);
    expect(limiter.retryAfterMs("10.9.9.9", now)).toBeGreaterThan(0);
    expect(limiter.retryAfterMs("10.0.0.0", now)).toBe(0);
  });
});

describe("where sign-in goes next", () => {
  const origin = "http://127.0.0.1:3100";

  it("keeps a path on our origin, query and fragment included", () => {
    expect(resolveNext("/passes/3?tab=keys#x", origin)).toBe("/passes/3?tab=keys#x");
    expect(resolveNext("/b/sandbox/demo?prefix=a%2Fb", origin)).toBe("/b/sandbox/demo?prefix=a%2Fb");
    expect(resolveNext(null, origin)).toBe("/");
  });

  it.each([
    ["//evil.example"],
    ["/\t/evil.example"],
    ["/\n/evil.example"],
    ["/\\evil.example"],
    ["\\\\evil.example"],
    [" //evil.example"],
    ["https://evil.example/"],
    ["http://127.0.0.1:3101/"],
    ["javascript:alert(1)"],
  ])("refuses %j: the browser would leave our origin", (next) => {
    expect(resolveNext(next, origin)).toBe("/");
  });

  it("never answers a path a browser reads as another host", () => {
    expect(resolveNext("/.//evil.example", origin)).toBe("/evil.example");
    expect(resolveNext("http://127.0.0.1:3100//evil.example", origin)).toBe("/evil.example");
    // Still encoded in the value: a path on our origin, not a host.
    expect(resolveNext("/%09/evil.example", origin)).toBe("/%09/evil.example");
    expect(resolveNext("/%2F%2Fevil.example", origin)).toBe("/%2F%2Fevil.example");
  });
});
