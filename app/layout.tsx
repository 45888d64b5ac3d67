import "@fontsource-variable/inter";
import "@fontsource-variable/jetbrains-mono";
import "./globals.css";
import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import type { ReactNode } from "react";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { Providers } from "@/components/providers";
import { SESSION_HEADER } from "@/lib/auth";

// Every page is rendered per request: the gate (scripts/start.ts) gives each one a fresh CSP nonce,
// which Next can only put into HTML it renders now, not into a page prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "bucketscope", template: "%s · bucketscope" },
  description: "See S3 listings page by page, compare passes, and watch the pagination race.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const signedIn = (await headers()).get(SESSION_HEADER) === "1";
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href="/" className="brand">
            bucketscope
          </Link>
          <nav>
            <Link href="/">Connections</Link>
            <Link href="/passes">Passes</Link>
            <Link href="/watches">Watches</Link>
            <Link href="/inventory">Inventory</Link>
            <Link href="/race">Race lab</Link>
          </nav>
          {signedIn ? <SignOutButton /> : null}
        </header>
        <Providers>
          <main className="content">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
