"use client";

import { useState } from "react";
import { fetchJson } from "@/components/stream/api-error";
import { signOutResponseSchema } from "@/lib/wire/auth";

/** Ends this browser's session on the server (a copied cookie stops working too). */
export function SignOutButton() {
  const [problem, setProblem] = useState<string | null>(null);
  const signOut = async () => {
    try {
      await fetchJson("/signout", signOutResponseSchema, { method: "POST", body: "{}" });
      window.location.assign("/signin");
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <button type="button" className="signout" onClick={() => void signOut()} title={problem ?? "End this session"}>
      Sign out
    </button>
  );
}
