import { describe, expect, it } from "vitest";
import { decide, safeNextPath, SESSION_COOKIE, sessionValue } from "./index";

const token = "a-long-enough-token";
const req = (over: Partial<Parameters<typeof decide>[1]>) => ({
  pathname: "/",
  authorization: undefined,
  cookie: undefined,
  ...over,
});

describe("access gate", () => {
  it("lets everything through when no token is configured", () => {
    expect(decide(null, req({ pathname: "/api/passes" }))).toBe("allow");
  });

  it("answers 401 to an API call without a token and sends a page visit to the sign-in form", () => {
    expect(decide(token, req({ pathname: "/api/passes" }))).toBe("unauthorized");
    expect(decide(token, req({ pathname: "/b/sandbox/demo" }))).toBe("redirect-to-signin");
  });

  it("accepts the right bearer token and rejects a wrong one even on public paths", () => {
    expect(decide(token, req({ pathname: "/api/passes", authorization: `Bearer ${token}` }))).toBe("allow");
    expect(decide(token, req({ pathname: "/signin", authorization: "Bearer nope" }))).toBe("unauthorized");
  });

  it("accepts the session cookie set at sign-in, not the raw token as a cookie", () => {
    expect(decide(token, req({ cookie: `x=1; ${SESSION_COOKIE}=${sessionValue(token)}` }))).toBe("allow");
    expect(decide(token, req({ pathname: "/api/x", cookie: `${SESSION_COOKIE}=${token}` }))).toBe("unauthorized");
  });

  it("only follows same-site paths after sign-in", () => {
    expect(safeNextPath("/passes/3?x=1")).toBe("/passes/3?x=1");
    expect(safeNextPath("//evil.example")).toBe("/");
    expect(safeNextPath("https://evil.example")).toBe("/");
    expect(safeNextPath(null)).toBe("/");
  });
});
