import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PassStore } from "@/lib/passes";
import { tempDir } from "@/lib/passes/testing/harness";
import type { Entry, PageRecord } from "@/lib/wire";
import { keyHistory, keyPrefixHistory } from "./key-history";

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

  describe("the keys under a prefix", () => {
    const under = async (s: PassStore, keyPrefix: string, keyLimit = 100) =>
      (await keyPrefixHistory(s, { connection: "c", bucket: "b", prefix: "", keyPrefix, keyLimit, limit: 200 })).points.map((p) => ({
        id: p.pass.id,
        state: p.state,
        previous: p.previousId,
        counts: p.counts,
        keys: p.keys.map((k) => `${k.kind} ${k.key}${k.changed.length > 0 ? ` (${k.changed.join(", ")})` : ""} page ${(k.b ?? k.a)?.page ?? "?"}`),
        more: p.keysTruncated,
      }));

    it("lists what appeared, changed and disappeared versus the latest complete pass of the series", async () => {
      const s = history();
      expect(await under(s, "")).toEqual([
        { id: "p1", state: "first", previous: null, counts: { appeared: 0, disappeared: 0, changed: 0 }, keys: [], more: false },
        { id: "p2", state: "compared", previous: "p1", counts: { appeared: 0, disappeared: 1, changed: 1 }, keys: ["changed b (etag, size, lastModified) page 0", "removed c page 1"], more: false },
        { id: "p3", state: "compared", previous: "p2", counts: { appeared: 1, disappeared: 0, changed: 0 }, keys: ["added c page 1"], more: false },
        // Stopped after "b": compared up to there only, and never used as the pass before another.
        { id: "p4", state: "compared", previous: "p3", counts: { appeared: 0, disappeared: 0, changed: 0 }, keys: [], more: false },
        { id: "p5", state: "first", previous: null, counts: { appeared: 0, disappeared: 0, changed: 0 }, keys: [], more: false },
      ]);
    });

    it("narrows every comparison to the prefix and says which passes never reached it", async () => {
      const s = history();
      const c = await under(s, "c");
      expect(c.map((p) => [p.id, p.state, p.keys])).toEqual([
        ["p1", "first", []],
        ["p2", "compared", ["removed c page 1"]],
        ["p3", "compared", ["added c page 1"]],
        ["p4", "not_covered", []],
        ["p5", "first", []],
      ]);
      expect((await under(s, "b")).map((p) => p.counts.changed)).toEqual([0, 1, 0, 0, 0]);
      expect((await under(s, "b")).at(-1)?.state).toBe("not_covered");
    });

    it("bounds the keys per pass and keeps the counts whole", async () => {
      const s = history();
      const p2 = (await under(s, "", 1))[1];
      expect(p2?.keys).toEqual(["changed b (etag, size, lastModified) page 0"]);
      expect(p2?.counts).toEqual({ appeared: 0, disappeared: 1, changed: 1 });
      expect(p2?.more).toBe(true);
    });

    it("refuses a key prefix outside the passes' prefix", async () => {
      const s = history();
      await expect(keyPrefixHistory(s, { connection: "c", bucket: "b", prefix: "x/", keyPrefix: "y/", keyLimit: 10, limit: 10 })).rejects.toThrow(/must begin with the prefix/);
    });

    it("says a delimiter pass lists none of a deeper folder's keys", async () => {
      const s = new PassStore(path.join(tempDir("key-history"), "bucketscope.db"));
      store = s;
      record(s, "folders", [[entry("a", 1)]], { delimiter: "/", prefixes: [["x/"]] });
      expect((await under(s, "x/")).map((p) => p.state)).toEqual(["not_covered"]);
      expect((await under(s, "a")).map((p) => p.state)).toEqual(["first"]);
    });
  });
});
