import { afterEach, describe, expect, it } from "vitest";
import { compareKeys, formDecode, listPages, type ListedPage, type ListParams } from "@/lib/lister";
import { startFakeS3, type FakeListing, type FakeS3, type ListRequest } from "./testing/fake-s3";

const params: ListParams = { connection: "fake", bucket: "bucket", prefix: "", delimiter: null, pageSize: 2, startAfter: null };
const fast = { passRetries: 3, baseDelayMs: 5, maxDelayMs: 20 };

let fake: FakeS3 | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

async function run(pages: FakeListing[] | ((req: ListRequest, n: number) => FakeListing), p: Partial<ListParams> = {}): Promise<ListedPage[]> {
  const handler = typeof pages === "function" ? pages : (_req: ListRequest, n: number) => pages[n] ?? { status: 500, errorCode: "InternalError" };
  fake = await startFakeS3(handler);
  const out: ListedPage[] = [];
  for await (const page of listPages(fake.client, { ...params, ...p }, { signal: new AbortController().signal, retry: fast })) out.push(page);
  return out;
}

const keys = (...k: string[]) => k.map((key) => ({ key }));

describe("key order and decoding", () => {
  it("compares keys by UTF-8 bytes, not UTF-16 code units", () => {
    const bmpHigh = "\uFFFD"; // EF BF BD
    const astral = "\u{1F600}"; // F0 9F 98 80
    expect(bmpHigh < astral).toBe(false); // what JS string comparison says
    expect(compareKeys(bmpHigh, astral)).toBeLessThan(0);
  });

  it("decodes url encoding form-style: '+' is a space, %2B a plus", () => {
    expect(formDecode("a+b%2Bc%0D%0A%09")).toBe("a b+c\r\n\t");
  });
});

describe("listPages against a misbehaving server", () => {
  it("records keys that go backwards across pages as out_of_order anomalies and still completes", async () => {
    const pages = await run([
      { contents: keys("b", "c"), isTruncated: true, nextToken: "t1" },
      { contents: keys("a", "d"), isTruncated: false },
    ]);
    expect(pages).toHaveLength(2);
    expect(pages[1]?.record.error).toBeNull();
    expect(pages[1]?.record.anomalies).toEqual([{ kind: "out_of_order", key: "a", previousKey: "c", previousPage: 0 }]);
    expect(pages[1]?.record.anomalyCount).toBe(1);
  });

  it("records a key repeated on the next page as a repeated_key anomaly", async () => {
    const pages = await run([
      { contents: keys("a", "b"), isTruncated: true, nextToken: "t1" },
      { contents: keys("b", "c"), isTruncated: false },
    ]);
    expect(pages[1]?.record.anomalies).toEqual([{ kind: "repeated_key", key: "b", previousKey: "b", previousPage: 0 }]);
  });

  it("does not flag astral keys after U+FFFD, which is byte order though not JS order", async () => {
    const pages = await run([{ contents: keys("\uFFFD", "\u{1F600}"), isTruncated: false }]);
    expect(pages[0]?.record.anomalyCount).toBe(0);
    expect(pages[0]?.entries.map((e) => e.key)).toEqual(["\uFFFD", "\u{1F600}"]);
  });

  it("stops with a clear error when a truncated page carries no continuation token", async () => {
    const pages = await run([{ contents: keys("a", "b"), isTruncated: true }]);
    expect(pages).toHaveLength(1);
    expect(pages[0]?.record.answered).toBe(true);
    expect(pages[0]?.entries).toHaveLength(2);
    expect(pages[0]?.record.error?.message).toMatch(/truncated but sent no continuation token/);
  });

  it("stops with a clear error instead of looping when a token repeats", async () => {
    const pages = await run([
      { contents: keys("a", "b"), isTruncated: true, nextToken: "same" },
      { contents: keys("c", "d"), isTruncated: true, nextToken: "same" },
    ]);
    expect(pages).toHaveLength(2);
    expect(pages[1]?.record.error?.message).toMatch(/already sent/);
    expect(fake?.requests).toHaveLength(2);
  });

  it("sends encoding-type=url on every request and a fresh token each time", async () => {
    await run([
      { contents: keys("a", "b"), isTruncated: true, nextToken: "t+/=1" },
      { contents: keys("c"), isTruncated: false },
    ]);
    expect(fake?.requests.map((r) => r.query.get("encoding-type"))).toEqual(["url", "url"]);
    expect(fake?.requests.map((r) => r.query.get("continuation-token"))).toEqual([null, "t+/=1"]);
  });

  it("keeps keys as sent when the server ignores encoding-type", async () => {
    const pages = await run([{ contents: keys("100%+sure"), isTruncated: false, encode: false }]);
    expect(pages[0]?.entries[0]?.key).toBe("100%+sure");
  });

  it("retries a 503 page at pass level and records every attempt", async () => {
    const pages = await run((_req, n) => (n < 2 ? { status: 503, errorCode: "SlowDown", errorMessage: "Please reduce your request rate." } : { contents: keys("a") }));
    expect(pages).toHaveLength(1);
    expect(pages[0]?.record.error).toBeNull();
    expect(pages[0]?.record.attempts).toBe(3);
    expect(pages[0]?.entries.map((e) => e.key)).toEqual(["a"]);
  });

  it("yields a failed page with the last error once retries are exhausted", async () => {
    const pages = await run(() => ({ status: 500, errorCode: "InternalError", errorMessage: "We encountered an internal error." }));
    expect(pages).toHaveLength(1);
    expect(pages[0]?.record.answered).toBe(false);
    expect(pages[0]?.record.attempts).toBe(4);
    expect(pages[0]?.record.error).toMatchObject({ code: "upstream_error", httpStatus: 500, s3Code: "InternalError", retryable: true });
  });

  it("does not retry a client error", async () => {
    const pages = await run(() => ({ status: 403, errorCode: "AccessDenied", errorMessage: "Access Denied by policy" }));
    expect(pages[0]?.record.attempts).toBe(1);
    expect(pages[0]?.record.error).toMatchObject({ code: "access_denied", message: "Access Denied by policy", retryable: false });
  });

  it("continues strictly after a key when a resumed token is rejected", async () => {
    fake = await startFakeS3((req) =>
      req.query.get("continuation-token") !== null
        ? { status: 400, errorCode: "InvalidArgument", errorMessage: "The continuation token provided is incorrect" }
        : { contents: keys("c", "d") },
    );
    const out: ListedPage[] = [];
    for await (const page of listPages(fake.client, params, {
      signal: new AbortController().signal,
      startToken: "stale",
      fallbackStartAfter: "b",
      firstIndex: 4,
      resumedBy: "token",
      retry: fast,
    })) {
      out.push(page);
    }
    expect(fake.requests.map((r) => [r.query.get("continuation-token"), r.query.get("start-after")])).toEqual([
      ["stale", null],
      [null, "b"],
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]?.record).toMatchObject({ index: 4, resumedBy: "start-after", attempts: 2, request: { startAfter: "b", continuationToken: null } });
  });

  it("stops without yielding when cancelled mid-request", async () => {
    fake = await startFakeS3((_req, n) => ({ contents: keys(`k${String(n).padStart(4, "0")}`), isTruncated: true, nextToken: `t${n}` }));
    const controller = new AbortController();
    const out: ListedPage[] = [];
    for await (const page of listPages(fake.client, params, { signal: controller.signal, retry: fast })) {
      out.push(page);
      if (out.length === 3) controller.abort();
    }
    expect(out).toHaveLength(3);
  });
});

describe("compareKeys", () => {
  it("agrees with Buffer.compare on UTF-8 for every pair of awkward characters", () => {
    const chars = ["", "a", "~", "\u007F", "\u0080", "\u00E9", "\u07FF", "\u0800", "\uD7FF", "\uE000", "\uFF21", "\uFFFD", "\uFFFF", "\u{10000}", "\u{1F600}", "\u{10FFFF}"];
    const keys = chars.flatMap((x) => chars.map((y) => x + y));
    for (const a of keys) {
      for (const b of keys) {
        expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }
    }
  });
});
