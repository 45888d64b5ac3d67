import type { Metadata } from "next";

export const metadata: Metadata = { title: "Sign in" };

// Posted to the access gate in scripts/start.ts, which sets an HttpOnly session cookie.
export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string; error?: string }>;
}) {
  const { next, error } = await searchParams;
  return (
    <div className="panel" style={{ maxWidth: 420, margin: "60px auto" }}>
      <h1>Sign in</h1>
      <p className="muted">This dashboard is reachable beyond this machine, so it asks for its access token.</p>
      {error ? (
        <p className="error-box" role="alert">
          That token is not right.
        </p>
      ) : null}
      <form method="post" action="/signin" style={{ display: "grid", gap: 10 }}>
        <input type="hidden" name="next" value={next ?? "/"} />
        <label>
          Access token
          <br />
          <input name="token" type="password" autoComplete="current-password" required style={{ width: "100%" }} />
        </label>
        <button className="primary" type="submit">
          Sign in
        </button>
      </form>
    </div>
  );
}
