import { customStepSchema, type CustomStep } from "@/lib/wire";

// The custom scenario's schedule as a person types it, one step a line:
//   after 1 delete obj_1100      (once page 1 is received, before page 2 is requested)
//   at 1500 put obj_0500x        (1.5 s after the first page was requested)
const LINE = /^(after|at)\s+(\d+)\s+(put|delete|overwrite)\s+(\S.*)$/;

export function parseSteps(text: string): { steps: CustomStep[]; errors: string[] } {
  const steps: CustomStep[] = [];
  const errors: string[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = LINE.exec(line);
    if (m === null) {
      errors.push(`line ${i + 1}: write "after N put|delete|overwrite KEY" or "at MS put|delete|overwrite KEY"`);
      return;
    }
    const [, when, n, op, key] = m as unknown as [string, "after" | "at", string, CustomStep["op"], string];
    const step: CustomStep = when === "after" ? { afterPage: Number(n), op, key: key.trim() } : { atMs: Number(n), op, key: key.trim() };
    // The server's own rules (a key a proxy would normalise out of the prefix, say), said before sending.
    const checked = customStepSchema.safeParse(step);
    if (!checked.success) {
      errors.push(`line ${i + 1}: ${checked.error.issues.map((issue) => issue.message).join("; ")}`);
      return;
    }
    steps.push(step);
  });
  return { steps, errors };
}

export function formatSteps(steps: readonly CustomStep[]): string {
  return steps.map((s) => `${s.afterPage !== undefined ? `after ${s.afterPage}` : `at ${s.atMs ?? 0}`} ${s.op} ${s.key}`).join("\n");
}
