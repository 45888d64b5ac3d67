import { describe, expect, it } from "vitest";
import { keyParts, plainKey } from "./key-text";

describe("showing keys", () => {
  it("escapes control characters and invisible direction marks, and leaves the rest as text", () => {
    expect(keyParts("a\nb\tc")).toEqual([
      { text: "a", escaped: false },
      { text: "\\n", escaped: true },
      { text: "b", escaped: false },
      { text: "\\t", escaped: true },
      { text: "c", escaped: false },
    ]);
    expect(plainKey("evil\u202Etxt.exe\u0007")).toBe("evil\\u202etxt.exe\\u0007");
    expect(keyParts("<b>&amp; 😀 é #?%")).toEqual([{ text: "<b>&amp; 😀 é #?%", escaped: false }]);
  });
});
