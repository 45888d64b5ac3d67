import { describe, expect, it } from "vitest";
import { compareUtf8 } from "./keys";
import { byteSorted, listAllV2, listV2, putKeys, tempStore } from "./test-support";

describe("keys are listed in UTF-8 byte order, as S3 does", () => {
  it("puts an astral character (😀, F0 9F 98 80) after U+FF21 (EF BC A1), unlike JS string order", () => {
    const { store } = tempStore();
    store.createBucket("order");
    const astral = "\u{1F600}";
    const fullwidthA = "\uFF21";
    putKeys(store, "order", [astral, fullwidthA, "z"]);

    expect(astral < fullwidthA).toBe(true); // UTF-16 code units disagree with S3
    expect(listV2(store, "order").contents.map((c) => c.key)).toEqual(["z", fullwidthA, astral]);
  });

  it("orders `a b` < `a.b` < `a/b` by their bytes 0x20 < 0x2E < 0x2F", () => {
    const { store } = tempStore();
    store.createBucket("order");
    putKeys(store, "order", ["a/b", "a.b", "a b", "a", "a/"]);
    expect(listV2(store, "order").contents.map((c) => c.key)).toEqual(["a", "a b", "a.b", "a/", "a/b"]);
  });

  it("sorts a mixed set of hostile keys exactly like Buffer.compare, across pages", () => {
    const { store } = tempStore();
    store.createBucket("order");
    const keys = [
      "é",
      "e\u0301",
      "\u{1F600}/x",
      "\uFF21",
      "\uE000",
      "\uFFFD",
      "a\nb",
      "a\rb",
      "a\tb",
      "a%20b",
      "a+b",
      "/lead",
      "double//slash",
      "folder/",
      "\u0000nul",
      "~",
      "\u007F",
      "\u0080",
      "\u{10FFFF}",
    ];
    putKeys(store, "order", keys);
    expect(listAllV2(store, "order", { maxKeys: 4 }).keys).toEqual(byteSorted(keys));
  });

  it("compareUtf8 agrees with comparing the encoded bytes", () => {
    const alphabet = ["a", "b", "/", " ", "é", "\uFF21", "\uE000", "\uFFFF", "\u{1F600}", "\u{10000}", "\u0000"];
    const samples: string[] = [];
    let seed = 7;
    for (let i = 0; i < 400; i++) {
      let s = "";
      const length = i % 5;
      for (let j = 0; j < length; j++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        s += alphabet[seed % alphabet.length] ?? "";
      }
      samples.push(s);
    }
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1] ?? "";
      const b = samples[i] ?? "";
      const bytes = Buffer.compare(Buffer.from(a), Buffer.from(b));
      expect(Math.sign(compareUtf8(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(bytes);
    }
  });
});
