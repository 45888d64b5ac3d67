import Link from "next/link";
import type { ReactNode } from "react";

export interface WayBack {
  href: string;
  label: string;
}

/** A 404 page's body: what was not found, why it may be, and the ways back. */
export function NotFound({ title, children, back, testId = "not-found" }: { title: string; children: ReactNode; back: readonly WayBack[]; testId?: string }) {
  return (
    <div data-testid={testId}>
      <h1>{title}</h1>
      <div className="error-box">
        <p style={{ margin: 0 }}>{children}</p>
        <p style={{ margin: "8px 0 0", display: "flex", gap: 16, flexWrap: "wrap" }}>
          {back.map((b) => (
            <Link key={b.href} href={b.href} data-testid="way-back">
              {b.label}
            </Link>
          ))}
        </p>
      </div>
    </div>
  );
}

/** The last segments of the path, decoded (a malformed escape is kept as typed). */
export function pathSegments(pathname: string): string[] {
  return pathname
    .split("/")
    .filter((s) => s !== "")
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}
