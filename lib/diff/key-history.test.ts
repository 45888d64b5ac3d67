import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PassStore } from "@/lib/passes";
import { tempDir } from "@/lib/passes/testing/harness";
import type { Entry, PageRecord } from "@/lib/wire";
import { keyHistory } from "./key-history";

// One key through passes that share storage and passes kept in full, complete and stopped early,
// with a delimiter and a start-after: what each pass said about it and what changed since the pass
// before it of the same series.

let store: PassStore | undefined;
afterEach(() => store?.close());

const entry = (key: string, v: number): Entry => ({ key, size: v, etag: `"${key}${v}"`, lastModified: `2024-01-0${v}T00:00:00.000Z`, storageClass: "STANDARD" });

function record(s: PassStore, id: string, pages: Entry[][], opts: { complete?: boolean; delimiter?: string; startAfter?: string; prefixes?: string[][] } = {}): void {
  s.create({ id, connection: "c", bucket: "b", prefix: "", delimiter: opts.delimiter ?? null, pageSize: 2, startAfter: opts.startAfter ?? null });
  const seq = s.row(id)?.seq as number;
  const complete = opts.complete ?? true;
  pages.forEach((entries, index) => {
    const last = complete && index === pages.length - 1;
    const commonPrefixes = opts.prefixes?.[index] ?? [];
    const record: PageRecord = {
      index,
      request: { prefix: "", delimiter: opts.delimiter ?? null, maxKeys: 2, continuationToken: index === 0 ? null : `t${index}`, startAfter: opts.startAfter ?? null },
      resumedBy: null,
      requestedAt: "2024-02-01T00:00:00.000Z",
      receivedAt: "2024-02-01T00:00:00.050Z",
      durationMs: 50,
      attempts: 1,
      answered: true,
      httpStatus: 200,
      requestId: null,
      keyCount: entries.length + commonPrefixes.length,
      entryCount: entries.length,
      commonPrefixCount: commonPrefixes.length,
      firstKey: entries[0]?.key ?? null,
      lastKey: entries.at(-1)?.key ?? null,
      isTruncated: !last,
      nextContinuationToken: last ? null : `t${index + 1}`,
      bytes: entries.reduce((n, e) => n + e.size, 0),
      anomalies: [],
      anomalyCount: 0,
      error: null,
    };
    s.recordPage(seq, { record, entries, commonPrefixes });
  });
  s.finish(id, complete ? "complete" : "cancelled", null);
}

const summary = (s: PassStore, key: string) =>
  keyHistory(s, { connection: "c", bucket: "b", prefix: "", key, limit: 200 }).points.map((p) => [p.pass.id, p.state, p.change, p.entry?.etag ?? null, p.entry?.page ?? null]);

describe("key history", () => {
  function history(): PassStore {
    const s = new PassStore(path.join(tempDir("key-history"), "bucketscope.db"));
    store = s;
    record(s, "p1", [[entry("a", 1), entry("b", 1)], [entry("c", 1), entry("d", 1)]]);
    record(s, "p2", [[entry("a", 1), entry("b", 2)], [entry("d", 1)]]);
    s.newPassLayout = "entries";
    record(s, "p3", [[entry("a", 1), entry("b", 2)], [entry("c", 3), entry("d", 1)]]);
    s.newPassLayout = "spans";
    record(s, "p4", [[entry("a", 1), entry("b", 2)]], { complete: false });
    record(s, "p5", [[entry("d", 4)]], { startAfter: "c" });
    return s;
  }

  it("tells when a key appeared, changed and disappeared, across both layouts", () => {
    const s = history();
    expect(s.row("p3")?.layout).toBe("entries");
    expect(s.row("p4")?.layout).toBe("spans");
    expect(summary(s, "c")).toEqual([
      ["p1", "listed", "first", '"c1"', 1],
      ["p2", "absent", "disappeared", null, null],
      ["p3", "listed", "appeared", '"c3"', 1],
      // p4 stopped after its first page (keys up to "b"); p5 starts after "c".
      ["p4", "not_covered", null, null, null],
      ["p5", "not_covered", null, null, null],
    ]);
    const b = keyHistory(s, { connection: "c", bucket: "b", prefix: "", key: "b", limit: 200 }).points;
    expect(b.map((p) => p.change)).toEqual(["first", "changed", "unchanged", "unchanged", null]);
    expect(b[1]?.previousId).toBe("p1");
    expect(b[1]?.fields).toEqual([
      { field: "size", from: 1, to: 2 },
      { field: "etag", from: '"b1"', to: '"b2"' },
      { field: "lastModified", from: "2024-01-01T00:00:00.000Z", to: "2024-01-02T00:00:00.000Z" },
    ]);
  });

  it("follows each series on its own: a start-after pass is compared with its own kind only", () => {
    const s = history();
    expect(summary(s, "d")).toEqual([
      ["p1", "listed", "first", '"d1"', 1],
      ["p2", "listed", "unchanged", '"d1"', 1],
      ["p3", "listed", "unchanged", '"d1"', 1],
      ["p4", "not_covered", null, null, null],
      ["p5", "listed", "first", '"d4"', 0],
    ]);
    expect(summary(s, "zz").map((p) => p[2])).toEqual(["first", "still_absent", "still_absent", null, "first"]);
  });

  it("says when a delimiter folded the key into a common prefix", () => {
    const s = new PassStore(path.join(tempDir("key-history"), "bucketscope.db"));
    store = s;
    record(s, "flat", [[entry("a", 1), entry("x/y", 1)]]);
    record(s, "folders", [[entry("a", 1)]], { delimiter: "/", prefixes: [["x/"]] });
    expect(summary(s, "x/y")).toEqual([
      ["flat", "listed", "first", '"x/y1"', 0],
      ["folders", "rolled_up", null, null, null],
    ]);
  });

  it("reads the same after the passes around a deleted one", () => {
    const s = history();
    s.delete(s.row("p2")?.seq as number);
    expect(summary(s, "c").slice(0, 2)).toEqual([
      ["p1", "listed", "first", '"c1"', 1],
      ["p3", "listed", "changed", '"c3"', 1],
    ]);
  });
});
