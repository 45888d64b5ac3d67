import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, loadLimits, loadSettings, SettingsError } from "./index";

describe("limits from the environment", () => {
  it("defaults to 8 passes, 2 experiments, 100 watches every 10 s at most, 1 MiB bodies, 10 min and 20000 events per experiment", () => {
    expect(loadLimits({})).toEqual({
      maxRunningPasses: 8,
      maxRunningExperiments: 2,
      maxWatches: 100,
      minWatchSeconds: 10,
      maxJsonBytes: 1048576,
      experimentMaxMs: 600_000,
      experimentMaxEvents: 20_000,
    });
    expect(loadLimits({})).toEqual(DEFAULT_LIMITS);
  });

  it("reads each variable, fractional seconds for the experiment run time", () => {
    expect(
      loadLimits({
        BUCKETSCOPE_MAX_RUNNING_PASSES: "3",
        BUCKETSCOPE_MAX_RUNNING_EXPERIMENTS: "1",
        BUCKETSCOPE_MAX_WATCHES: "5",
        BUCKETSCOPE_MIN_WATCH_SECONDS: "60",
        BUCKETSCOPE_MAX_JSON_BYTES: "4096",
        BUCKETSCOPE_EXPERIMENT_MAX_SECONDS: "1.5",
        BUCKETSCOPE_EXPERIMENT_MAX_EVENTS: "500",
      }),
    ).toEqual({ maxRunningPasses: 3, maxRunningExperiments: 1, maxWatches: 5, minWatchSeconds: 60, maxJsonBytes: 4096, experimentMaxMs: 1500, experimentMaxEvents: 500 });
  });

  it("stops start-up on a value that is not a number in range, naming the variable", () => {
    for (const [name, value] of [
      ["BUCKETSCOPE_MAX_RUNNING_PASSES", "0"],
      ["BUCKETSCOPE_MAX_RUNNING_PASSES", "eight"],
      ["BUCKETSCOPE_MIN_WATCH_SECONDS", "2.5"],
      ["BUCKETSCOPE_EXPERIMENT_MAX_SECONDS", "-1"],
    ] as const) {
      expect(() => loadSettings({ [name]: value })).toThrow(SettingsError);
      expect(() => loadSettings({ [name]: value })).toThrow(new RegExp(`^${name} must be`));
    }
  });
});
