import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { tempDir } from "@/lib/passes/testing/harness";
import { errorBodySchema } from "@/lib/wire";
import { startApp, type RunningApp } from "@/scripts/testing/app";
import { rawHttp, type RawAnswer } from "@/scripts/testing/raw-http";
import { issueSession, SESSION_COOKIE } from "./index";

// Sign-in of the started app with BUCKETSCOPE_ACCESS_TOKEN set, over HTTP: where it sends you next,
// how long a session lasts, sign-out, guessing, and the Secure cookie behind a trusted proxy.

const token = "integration-test-token";
const HOUR = 3600_000;
const apps: RunningApp[] = [];

afterAll(async () => {
  for (const app of apps) await app.stop();
});

beforeEach(() => {
  onTestFailed(() => {
    for (const app of apps) console.error(`app output (tail):\n${app.output().slice(-3000)}`);
  });
});

async function launch(dataDir: string, env: Record<string, string> = {}): Promise<RunningApp> {
  const app = await startApp({ dataDir, sandbox: null, env: { BUCKETSCOPE_AWS: "off", BUCKETSCOPE_ACCESS_TOKEN: token, ...env } });
  apps.push(app);
  return app;
}

function signIn(app: RunningApp, body: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return rawHttp(app.url, "/signin", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

function sessionCookie(answer: RawAnswer): string {
  const set = answer.headers["set-cookie"]?.[0] ?? "";
  const value = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(set)?.[1];
  if (!value) throw new Error(`no session cookie in ${JSON.stringify(answer.headers)}`);
  return `${SESSION_COOKIE}=${value}`;
}

const code = (a: RawAnswer) => errorBodySchema.parse(JSON.parse(a.body)).error.code;

describe("sign-in (BUCKETSCOPE_SESSION_MAX_AGE=1h, no proxy trusted)", () => {
  const dataDir = tempDir("signin");
  let app: RunningApp;

  beforeAll(async () => {
    app = await launch(dataDir, { BUCKETSCOPE_SESSION_MAX_AGE: "1h" });
  });

  it("sends a page visit to the sign-in form and answers 401 to the API", async () => {
    const page = await rawHttp(app.url, "/passes?x=1");
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe("/signin?next=%2Fpasses%3Fx%3D1");
    expect((await rawHttp(app.url, "/api/passes")).status).toBe(401);
    expect((await rawHttp(app.url, "/signin?next=%2Fpasses")).status).toBe(200);
  });

  it("refuses a wrong token, a form post and a foreign page's post", async () => {
    const wrong = await signIn(app, { token: "not-the-token", next: "/" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers["set-cookie"]).toBeUndefined();
    const form = await rawHttp(app.url, "/signin", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `token=${token}` });
    expect(form.status).toBe(415);
    const foreign = await signIn(app, { token }, { origin: "http://attacker.example", "sec-fetch-site": "cross-site" });
    expect(foreign.status).toBe(403);
    expect(foreign.headers["set-cookie"]).toBeUndefined();
  });

  it("keeps `next` on our origin: the tab trick of /signin?next=/%09/evil.example and its cousins go home", async () => {
    // What the page at /signin?next=/%09/evil.example posts: the decoded value, a real tab.
    const nextOf = new URL(`${app.url}/signin?next=/%09/evil.example`).searchParams.get("next");
    expect(nextOf).toBe("/\t/evil.example");
    for (const next of [nextOf, "//evil.example", "/\\evil.example", "/.//evil.example", "https://evil.example/x", "/%0A/evil.example"]) {
      const answer = await signIn(app, { token, next });
      expect(answer.status, String(next)).toBe(200);
      const target = (JSON.parse(answer.body) as { next: string }).next;
      expect(new URL(target, app.url).origin, `${JSON.stringify(next)} -> ${target}`).toBe(new URL(app.url).origin);
      expect(target.startsWith("//"), target).toBe(false);
    }
    const kept = await signIn(app, { token, next: "/passes?connection=sandbox#top" });
    expect(JSON.parse(kept.body)).toEqual({ next: "/passes?connection=sandbox#top" });
  });

  it("sets an HttpOnly session cookie that lasts the configured max age, not Secure over plain HTTP", async () => {
    const answer = await signIn(app, { token, next: "/" }, { "x-forwarded-proto": "https" });
    const set = answer.headers["set-cookie"]?.[0] ?? "";
    expect(set).toMatch(/; HttpOnly; SameSite=Lax; Path=\/; Max-Age=3600$/);
    expect(set).not.toContain("Secure");
    const cookie = sessionCookie(answer);
    expect((await rawHttp(app.url, "/api/passes", { headers: { cookie } })).status).toBe(200);
    const home = await rawHttp(app.url, "/", { headers: { cookie } });
    expect(home.status).toBe(200);
    // The nav offers a sign-out to a signed-in browser only, whatever a client claims.
    expect(home.body).toContain(">Sign out</button>");
    const signinPage = await rawHttp(app.url, "/signin", { headers: { "x-bucketscope-session": "1" } });
    expect(signinPage.status).toBe(200);
    expect(signinPage.body).not.toContain(">Sign out</button>");
  });

  it("expires sessions by the issued-at signed inside the cookie", async () => {
    const fresh = `${SESSION_COOKIE}=${issueSession(token, Date.now() - HOUR + 60_000)}`;
    const expired = `${SESSION_COOKIE}=${issueSession(token, Date.now() - HOUR - 1000)}`;
    const otherToken = `${SESSION_COOKIE}=${issueSession("another-token-entirely", Date.now())}`;
    expect((await rawHttp(app.url, "/api/passes", { headers: { cookie: fresh } })).status).toBe(200);
    expect((await rawHttp(app.url, "/api/passes", { headers: { cookie: expired } })).status).toBe(401);
    expect((await rawHttp(app.url, "/api/passes", { headers: { cookie: otherToken } })).status).toBe(401);
  });

  it("ends a session on sign-out: the same cookie no longer works, not even after a restart", async () => {
    const cookie = sessionCookie(await signIn(app, { token }));
    const other = sessionCookie(await signIn(app, { token }));
    const out = await rawHttp(app.url, "/signout", { method: "POST", headers: { cookie, "content-type": "application/json" }, body: "{}" });
    expect(out.status).toBe(200);
    expect(out.headers["set-cookie"]?.[0]).toMatch(new RegExp(`^${SESSION_COOKIE}=; .*Max-Age=0`));
    expect((await rawHttp(app.url, "/api/passes", { headers: { cookie } })).status).toBe(401);
    expect((await rawHttp(app.url, "/api/passes", { headers: { cookie: other } })).status).toBe(200);

    await app.stop();
    app = await launch(dataDir, { BUCKETSCOPE_SESSION_MAX_AGE: "1h" });
    expect((await rawHttp(app.url, "/api/passes", { headers: { cookie } })).status).toBe(401);
    expect((await rawHttp(app.url, "/api/passes", { headers: { cookie: other } })).status).toBe(200);
  });
});

describe("sign-in behind a trusted proxy (BUCKETSCOPE_TRUST_PROXY=1)", () => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await launch(tempDir("signin-proxy"), { BUCKETSCOPE_TRUST_PROXY: "1" });
  });

  it("marks the cookie Secure when the proxy says the request came over HTTPS", async () => {
    const answer = await signIn(app, { token }, { "x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.1" });
    expect(answer.headers["set-cookie"]?.[0]).toMatch(/; Secure$/);
    const plain = await signIn(app, { token }, { "x-forwarded-proto": "http", "x-forwarded-for": "198.51.100.1" });
    expect(plain.headers["set-cookie"]?.[0]).not.toContain("Secure");
  });

  it("allows 10 failed attempts a minute per client, then answers 429 to every attempt of that client, bearer tokens too", async () => {
    const guesser = { "x-forwarded-for": "203.0.113.5" };
    for (let i = 0; i < 10; i++) expect((await signIn(app, { token: `guess-${i}` }, guesser)).status).toBe(401);
    const limited = await signIn(app, { token }, guesser);
    expect(limited.status).toBe(429);
    expect(code(limited)).toBe("too_many_attempts");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect(limited.headers["set-cookie"]).toBeUndefined();
    const bearer = await rawHttp(app.url, "/api/passes", { headers: { ...guesser, authorization: `Bearer ${token}` } });
    expect(bearer.status).toBe(429);
    // Another client is not held back.
    expect((await signIn(app, { token }, { "x-forwarded-for": "203.0.113.6" })).status).toBe(200);
    expect((await rawHttp(app.url, "/api/passes", { headers: { "x-forwarded-for": "203.0.113.6", authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it("counts wrong bearer tokens as attempts", async () => {
    const guesser = { "x-forwarded-for": "203.0.113.9" };
    for (let i = 0; i < 10; i++) {
      expect((await rawHttp(app.url, "/api/passes", { headers: { ...guesser, authorization: `Bearer guess-${i}` } })).status).toBe(401);
    }
    expect((await rawHttp(app.url, "/api/passes", { headers: { ...guesser, authorization: `Bearer ${token}` } })).status).toBe(429);
  });
});
