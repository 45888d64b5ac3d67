import type { Verdict } from "@/lib/wire";

// One colour and one plain meaning per verdict, shared by the picture, the table and presenter mode.

export const VERDICT_STYLE: Record<Verdict, { color: string; meaning: string }> = {
  consistent: { color: "#8a8f98", meaning: "listed as the bucket held it" },
  missed: { color: "#c53030", meaning: "in the bucket at the end, never listed" },
  phantom: { color: "#7c3aed", meaning: "listed, but deleted before the pass ended" },
  "seen-new": { color: "#16a34a", meaning: "listed as written during the pass" },
  "gone-early": { color: "#d97706", meaning: "in the bucket at the start, deleted before its page" },
  "stale-version": { color: "#0e7490", meaning: "listed with a version overwritten later" },
};

/** A mutation whose key's page has not been answered yet: its fate is still open. */
export const PENDING_COLOR = "#2f5bd3";
