"use client";

import { useState, type FormEvent } from "react";
import { ApiError, fetchJson } from "@/components/stream/api-error";
import { signInResponseSchema, type SignInRequest } from "@/lib/wire/auth";

// Posts JSON like every other write (the gate answers a form post with 415), then follows the path
// the server resolved against our own origin.
export function SignInForm({ next }: { next: string }) {
  const [token, setToken] = useState("");
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setPending(true);
    setProblem(null);
    try {
      const body: SignInRequest = { token, next };
      const answer = await fetchJson("/signin", signInResponseSchema, { method: "POST", body: JSON.stringify(body) });
      window.location.assign(answer.next);
    } catch (err) {
      setPending(false);
      if (err instanceof ApiError && err.status === 401) setProblem("That token is not right.");
      else setProblem(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} style={{ display: "grid", gap: 10 }}>
      {problem ? (
        <p className="error-box" role="alert">
          {problem}
        </p>
      ) : null}
      <label>
        Access token
        <br />
        <input
          name="token"
          type="password"
          autoComplete="current-password"
          required
          value={token}
          onChange={(e) => setToken(e.target.value)}
          style={{ width: "100%" }}
        />
      </label>
      <button className="primary" type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
