import type { Metadata } from "next";
import { SignInForm } from "@/components/auth/signin-form";

export const metadata: Metadata = { title: "Sign in" };

// The gate in scripts/start.ts answers POST /signin: it checks the token, sets an HttpOnly session
// cookie and resolves `next` against our own origin.
export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next } = await searchParams;
  return (
    <div className="panel" style={{ maxWidth: 420, margin: "60px auto" }}>
      <h1>Sign in</h1>
      <p className="muted">This dashboard asks for its access token (BUCKETSCOPE_ACCESS_TOKEN).</p>
      <SignInForm next={typeof next === "string" ? next : "/"} />
    </div>
  );
}
