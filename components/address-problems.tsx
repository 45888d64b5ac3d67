import Link from "next/link";
import { bucketNameSchema, connectionNameSchema } from "@/lib/wire";

/** What is wrong with a `/b/{connection}/{bucket}` address, in words; empty when nothing is. */
export function bucketAddressProblems(connection: string, bucket: string): string[] {
  const problems: string[] = [];
  const c = connectionNameSchema.safeParse(connection);
  if (!c.success) problems.push(`“${connection}” is not a connection name: ${c.error.issues.map((i) => i.message).join("; ")}.`);
  const b = bucketNameSchema.safeParse(bucket);
  if (!b.success) problems.push(`“${bucket}” is not a valid bucket name: ${b.error.issues.map((i) => i.message).join("; ")}.`);
  return problems;
}

/** An address that cannot be shown, explained in place instead of a blank page. */
export function AddressProblems({ title, problems, testId }: { title: string; problems: string[]; testId: string }) {
  return (
    <div className="error-box" role="alert" data-testid={testId}>
      <strong>{title}</strong>
      {problems.map((p) => (
        <p key={p} style={{ margin: "4px 0 0" }}>
          {p}
        </p>
      ))}
      <p style={{ margin: "8px 0 0" }}>
        <Link href="/">Back to the connections</Link>
      </p>
    </div>
  );
}
