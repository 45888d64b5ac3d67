import { describe, expect, it } from "vitest";
import { FaultController } from "./faults";

describe("fault controller", () => {
  it("injects nothing by default", () => {
    const faults = new FaultController();
    for (let i = 0; i < 100; i++) expect(faults.decide("b")).toEqual({ delayMs: 0, fault: undefined });
    expect(faults.state.stats.listRequests).toBe(100);
  });

  it("fails exactly the next N list requests with the scripted fault, in order, optionally per bucket", () => {
    const faults = new FaultController();
    faults.failNext(2, "SlowDown");
    faults.failNext(1, "reset", { bucket: "only" });
    const seen = ["a", "only", "only", "only", "a"].map((b) => faults.decide(b).fault);
    expect(seen).toEqual(["SlowDown", "SlowDown", "reset", undefined, undefined]);
    expect(faults.state.stats).toMatchObject({ SlowDown: 2, reset: 1, listRequests: 5 });
  });

  it("draws random faults at the configured rates, reproducibly with a seed, only in the chosen bucket", () => {
    const run = () => {
      const faults = new FaultController({ errorRate: 0.2, slowDownRate: 0.1, resetRate: 0.1, seed: 42, bucket: "hot" });
      const outcomes = Array.from({ length: 2000 }, () => faults.decide("hot").fault);
      expect(faults.decide("cold").fault).toBeUndefined();
      return outcomes;
    };
    const first = run();
    expect(run()).toEqual(first);
    const share = (kind: string) => first.filter((f) => f === kind).length / first.length;
    expect(share("InternalError")).toBeGreaterThan(0.15);
    expect(share("InternalError")).toBeLessThan(0.25);
    expect(share("SlowDown")).toBeGreaterThan(0.06);
    expect(share("reset")).toBeGreaterThan(0.06);
  });

  it("adds fixed latency plus bounded jitter, and rejects impossible settings", () => {
    const faults = new FaultController({ latencyMs: 20, latencyJitterMs: 10, seed: 1 });
    for (let i = 0; i < 50; i++) {
      const { delayMs } = faults.decide("b");
      expect(delayMs).toBeGreaterThanOrEqual(20);
      expect(delayMs).toBeLessThanOrEqual(30);
    }
    expect(() => faults.configure({ errorRate: 0.7, slowDownRate: 0.7 })).toThrow(/must not exceed 1/);
    expect(() => faults.configure({ errorRate: -1 })).toThrow();
    expect(faults.clear()).toMatchObject({ latencyMs: 0, errorRate: 0, scripted: [] });
  });

  it("ignores start-after only when asked, and only in the fault bucket when one is named", () => {
    const faults = new FaultController({ ignoreStartAfter: true, bucket: "hot" });
    expect(faults.ignoresStartAfter("hot")).toBe(true);
    expect(faults.ignoresStartAfter("cold")).toBe(false);
    faults.configure({ bucket: null });
    expect(faults.ignoresStartAfter("cold")).toBe(true);
    expect(faults.clear().ignoreStartAfter).toBe(false);
  });
});
