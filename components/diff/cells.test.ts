import { describe, expect, it } from "vitest";
import type { DiffRow } from "@/lib/wire";
import { UTC_CHOICE } from "@/components/format";
import { changeText, inventoryCaveat, pagesText, pageShift, shortEtag, signedShift } from "./cells";

const side = (page: number, size: number, etag: string, lastModified: string, storageClass = "STANDARD") => ({ page, size, etag, lastModified, storageClass });

describe("compare cells", () => {
  it("shortens ETags to their first characters without quotes", () => {
    expect(shortEtag('"0123456789abcdef0123456789abcdef"')).toBe("01234567…");
    expect(shortEtag('"abc-2"')).toBe("abc-2");
    expect(shortEtag(null)).toBe("—");
  });

  it("says which fields changed, old → new, in the app's time zone with the zone named", () => {
    const row: DiffRow = {
      key: "k",
      kind: "changed",
      changed: ["size", "lastModified", "storageClass"],
      a: side(0, 9, '"a"', "2025-01-01T00:00:00.000Z"),
      b: side(1, 2048, '"b"', "2025-02-01T12:30:00.000Z", "GLACIER"),
    };
    expect(changeText(row, UTC_CHOICE)).toBe(
      "size 9 B → 2.00 KiB; last modified 2025-01-01 00:00:00 UTC → 2025-02-01 12:30:00 UTC; storage class STANDARD → GLACIER",
    );
    expect(changeText(row, { mode: "local", local: "America/New_York" })).toContain("last modified 2024-12-31 19:00:00 EST → 2025-02-01 07:30:00 EST");
    expect(pagesText(row)).toBe("page 1 in A, page 2 in B");
    expect(pageShift(row)).toBe(1);
    expect(signedShift(1)).toBe("+1");
    expect(changeText({ ...row, kind: "added", changed: [], a: null }, UTC_CHOICE)).toBe("only in B (added)");
    expect(pageShift({ ...row, a: null })).toBeNull();
  });

  it("labels a key in one pass only with the report's caveat when one side is an inventory", () => {
    const a = side(0, 1, '"a"', "2025-01-01T00:00:00.000Z");
    const onlyInA: DiffRow = { key: "k", kind: "removed", changed: [], a, b: null };
    const onlyInB: DiffRow = { key: "k", kind: "added", changed: [], a: null, b: a };
    const inBoth: DiffRow = { key: "k", kind: "changed", changed: ["size"], a, b: a };
    // A is the report, B the live listing.
    expect(inventoryCaveat(onlyInA, { a: true, b: false })).toBe("only in the report · may be deleted since");
    expect(inventoryCaveat(onlyInB, { a: true, b: false })).toBe("not in the report · may be too recent for it");
    // B is the report.
    expect(inventoryCaveat(onlyInB, { a: false, b: true })).toBe("only in the report · may be deleted since");
    expect(inventoryCaveat(onlyInA, { a: false, b: true })).toBe("not in the report · may be too recent for it");
    expect(inventoryCaveat(inBoth, { a: true, b: false })).toBeNull();
    expect(inventoryCaveat(onlyInA, { a: false, b: false })).toBeNull();
  });
});
