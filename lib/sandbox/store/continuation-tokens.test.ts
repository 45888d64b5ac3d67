import { describe, expect, it } from "vitest";
import type { SandboxStore } from "../store-types";
import { listV2, putKeys, s3ErrorOf, tempStore } from "./test-support";

const KEYS = ["alpha/secret-key-name-1", "alpha/secret-key-name-2", "alpha/secret-key-name-3", "beta/1", "beta/2"];

function firstToken(store: SandboxStore, bucket = "tokens", prefix = "", delimiter = ""): string {
  const token = listV2(store, bucket, { prefix, delimiter, maxKeys: 1 }).nextContinuationToken;
  if (token === undefined) throw new Error("expected a truncated first page");
  return token;
}

function expectRejected(store: SandboxStore, token: string, params: { bucket?: string; prefix?: string; delimiter?: string } = {}) {
  const error = s3ErrorOf(() =>
    listV2(store, params.bucket ?? "tokens", {
      prefix: params.prefix ?? "",
      delimiter: params.delimiter ?? "",
      maxKeys: 1,
      continuationToken: token,
    }),
  );
  expect(error.code).toBe("InvalidArgument");
  expect(error.status).toBe(400);
  expect(error.message).toBe("The continuation token provided is incorrect");
  expect(error.details).toEqual({ ArgumentName: "continuation-token" });
}

function seeded() {
  const handle = tempStore();
  handle.store.createBucket("tokens");
  handle.store.createBucket("other");
  putKeys(handle.store, "tokens", KEYS);
  putKeys(handle.store, "other", KEYS);
  return handle;
}

describe("continuation tokens", () => {
  it("are opaque standard base64 that needs percent-encoding, and do not reveal the key", () => {
    const { store } = seeded();
    const token = firstToken(store);
    expect(token).toMatch(/^[A-Za-z0-9+/]+==$/);
    expect(Buffer.from(token, "base64").toString("latin1")).not.toContain("secret-key-name");
  });

  it("are rejected when forged, garbled or truncated", () => {
    const { store } = seeded();
    const token = firstToken(store);
    const flipped = (token[5] === "A" ? "B" : "A") + "";
    const candidates = [
      "",
      "not base64!",
      Buffer.from("alpha/secret-key-name-1").toString("base64"),
      token.slice(0, 5) + flipped + token.slice(6),
      token.slice(0, -4),
      token.slice(4),
      token.replace(/\+/g, " ").replace(/=/g, ""),
      token + "AAAA",
      token.replace(/==$/, "=A"),
      ` ${token}`,
      Buffer.from(token, "base64").toString("base64url"),
    ].filter((candidate) => candidate !== token);
    for (const candidate of candidates) expectRejected(store, candidate);
  });

  it("are rejected on another bucket, prefix or delimiter than the listing that issued them", () => {
    const { store } = seeded();
    expectRejected(store, firstToken(store), { bucket: "other" });
    expectRejected(store, firstToken(store, "tokens", "alpha/"), { prefix: "" });
    expectRejected(store, firstToken(store, "tokens", "alpha/"), { prefix: "alpha" });
    expectRejected(store, firstToken(store, "tokens", "", "/"), { delimiter: "" });
    expectRejected(store, firstToken(store), { delimiter: "/" });
  });

  it("are rejected after the bucket was deleted and created again under the same name", () => {
    const { store } = seeded();
    const token = firstToken(store, "other");
    for (const key of KEYS) store.deleteObject("other", key);
    store.deleteBucket("other");
    store.createBucket("other");
    putKeys(store, "other", KEYS);
    expectRejected(store, token, { bucket: "other" });
  });

  it("survive a restart: the signing secret is persisted", () => {
    const handle = seeded();
    const token = firstToken(handle.store);
    const reopened = handle.reopen();
    const next = listV2(reopened, "tokens", { maxKeys: 2, continuationToken: token });
    expect(next.contents.map((c) => c.key)).toEqual(["alpha/secret-key-name-2", "alpha/secret-key-name-3"]);
  });

  it("are deterministic for the same position and keep working for any max-keys", () => {
    const { store } = seeded();
    expect(firstToken(store)).toBe(firstToken(store));
    const page = listV2(store, "tokens", { maxKeys: 1000, continuationToken: firstToken(store) });
    expect(page.keyCount).toBe(KEYS.length - 1);
  });

  it("are only issued with truncated pages", () => {
    const { store } = seeded();
    const page = listV2(store, "tokens", { maxKeys: KEYS.length });
    expect(page.isTruncated).toBe(false);
    expect(page.nextContinuationToken).toBeUndefined();
  });
});
