import { describe, expect, it } from "vitest";
import { TRUTH_METHODS, type ExperimentSummary, type TruthSnapshot } from "@/lib/wire";
import { UTC_CHOICE } from "@/components/format";
import { groundTruthText } from "./truth-text";

const experiment = (over: Partial<ExperimentSummary>): ExperimentSummary => ({
  id: "abc",
  scenario: "seed",
  params: { connection: "minio", bucket: "b", scenario: "seed", keepData: false, latencyMs: 0, concurrency: 1 },
  connection: "minio",
  bucket: "b",
  prefix: "bucketscope-race/abc/",
  status: "complete",
  phase: "finished",
  createdAt: "2026-01-01T12:00:00.000Z",
  endedAt: "2026-01-01T12:00:09.000Z",
  passId: "p",
  pageSize: 1000,
  truthMethod: "versions",
  truthNote: null,
  cleanedUp: true,
  cleanupNote: null,
  result: null,
  error: null,
  ...over,
});
const clock = { offsetMs: -240, uncertaintyMs: 510, measuredAt: "2026-01-01T12:00:01.000Z" };
const tie = (key: string) => ({ key, atT: { versionId: "v2", deleteMarker: false, lastModified: "2026-01-01T12:00:08.000Z" }, beforeT: null });

describe("the words for an experiment's ground truth", () => {
  it("names the versions method with its one-sentence limits, T on the server's clock and the measured offset", () => {
    const truth: TruthSnapshot[] = [
      { which: "start", takenAt: "2026-01-01T12:00:02.000Z", method: "versions", count: 3000, clock, ties: [], tieCount: 0 },
      { which: "end", takenAt: "2026-01-01T12:00:08.000Z", method: "versions", count: 2999, clock, ties: [], tieCount: 0 },
    ];
    const t = groundTruthText(experiment({}), truth, UTC_CHOICE);
    expect(t.title).toBe("Ground truth: object versions as of T");
    expect(t.sentence).toBe(TRUTH_METHODS.versions.sentence);
    expect(t.instants).toEqual([
      "Start: as of 2026-01-01 12:00:02 UTC on the server's clock (server clock: no measurable offset from ours, within ± 510 ms), 3,000 keys.",
      "End: as of 2026-01-01 12:00:08 UTC on the server's clock (server clock: no measurable offset from ours, within ± 510 ms), 2,999 keys.",
    ]);
    expect([t.ties, t.note, t.cleanup]).toEqual([[], null, null]);
    const off = groundTruthText(experiment({}), [{ ...(truth[0] as TruthSnapshot), clock: { ...clock, offsetMs: 1500 } }], { mode: "local", local: "Europe/Berlin" });
    expect(off.instants).toEqual(["Start: as of 2026-01-01 13:00:02 GMT+1 on the server's clock (server clock: 1.50 s ahead of ours ± 510 ms), 3,000 keys."]);
  });

  it("reports ties at T instead of hiding them, counting those not listed", () => {
    const truth: TruthSnapshot[] = [{ which: "end", takenAt: "2026-01-01T12:00:08.000Z", method: "versions", count: 10, clock, ties: [tie("obj_0001"), tie("obj_0002")], tieCount: 3 }];
    expect(groundTruthText(experiment({}), truth, UTC_CHOICE).ties).toEqual([
      "The bucket at the end has 3 ties: obj_0001, obj_0002 and 1 more changed within T's own second and are counted as changed before T, so their verdicts may be wrong.",
    ]);
  });

  it("says why a fallback was used and what cleanup left behind", () => {
    const t = groundTruthText(
      experiment({ truthMethod: "quiescent-listing", truthNote: "Versioning on this bucket is suspended.", cleanedUp: false, cleanupNote: "permanent deletion was denied" }),
      [{ which: "start", takenAt: "2026-01-01T12:00:02.000Z", method: "quiescent-listing", count: 300 }],
      UTC_CHOICE,
    );
    expect(t).toMatchObject({ title: "Ground truth: quiescent listing", note: "Versioning on this bucket is suspended.", instants: [], ties: [], cleanup: "permanent deletion was denied" });
  });
});
