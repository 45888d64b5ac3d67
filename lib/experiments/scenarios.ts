import "server-only";
import type { CustomStep, ExperimentParams, MutationOp } from "@/lib/wire";

// What each scenario seeds and when it changes the prefix. Keys are relative to the experiment's
// prefix; pages are counted from 1 ("after page 1" = once the first page is received).

export interface Plan {
  keyCount: number;
  pageSize: number;
  steps: CustomStep[];
  churn: { rate: number; seed: number } | null;
}

export function keyName(i: number, keyCount: number): string {
  return `obj_${String(i).padStart(Math.max(4, String(keyCount - 1).length), "0")}`;
}

export function seedKeys(keyCount: number): string[] {
  return Array.from({ length: keyCount }, (_, i) => keyName(i, keyCount));
}

// The StackOverflow scenario: the key deleted after page 1 lies in page 2's range, so page 2,
// requested after the delete, never shows it although the bucket held it when the pass began.
const SEED_STEPS: CustomStep[] = [{ afterPage: 1, op: "delete", key: "obj_1100" }];

// After page 1 the cursor stands at obj_0999: keys below it are behind, keys above are ahead.
export const BEHIND_AHEAD_STEPS: CustomStep[] = [
  { afterPage: 1, op: "put", key: "obj_0500a" },
  { afterPage: 1, op: "put", key: "obj_2500a" },
  { afterPage: 1, op: "delete", key: "obj_0200" },
  { afterPage: 1, op: "delete", key: "obj_1800" },
  { afterPage: 1, op: "overwrite", key: "obj_2200" },
  { afterPage: 1, op: "overwrite", key: "obj_0700" },
];

export function planFor(params: ExperimentParams, randomSeed: () => number): Plan {
  switch (params.scenario) {
    case "seed":
      return { keyCount: 3000, pageSize: 1000, steps: SEED_STEPS, churn: null };
    case "behind-ahead":
      return { keyCount: 3000, pageSize: 1000, steps: BEHIND_AHEAD_STEPS, churn: null };
    case "churn":
      return { keyCount: params.keyCount, pageSize: params.pageSize, steps: [], churn: { rate: params.rate, seed: params.seed ?? randomSeed() } };
    case "custom":
      return { keyCount: params.keyCount, pageSize: params.pageSize, steps: params.steps, churn: null };
  }
}

/**
 * The churn mutator's choices: inserts, deletes and overwrites spread over the whole key space. The
 * sequence depends only on the seed (not on timing), so a seed replays the same operations.
 */
export class ChurnChooser {
  private readonly live: string[];
  private inserted = 0;

  constructor(
    private readonly random: () => number,
    initial: readonly string[],
    private readonly keyCount: number,
  ) {
    this.live = [...initial];
  }

  next(): { op: MutationOp; key: string } {
    const r = this.random();
    if (this.live.length === 0 || r < 0.4) {
      // A new key between obj_i and obj_(i+1): "_" sorts after the end of the shorter key.
      const i = Math.floor(this.random() * this.keyCount);
      const key = `${keyName(i, this.keyCount)}_${(this.inserted++).toString(36)}`;
      this.live.push(key);
      return { op: "put", key };
    }
    const at = Math.floor(this.random() * this.live.length);
    const key = this.live[at] as string;
    if (r < 0.7) {
      this.live[at] = this.live[this.live.length - 1] as string;
      this.live.pop();
      return { op: "delete", key };
    }
    return { op: "overwrite", key };
  }
}
