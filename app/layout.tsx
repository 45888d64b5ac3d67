import "@fontsource-variable/inter";
import "@fontsource-variable/jetbrains-mono";
import "./globals.css";
import type { Metadata } from "next";
import { cookies, headers } from "next/headers";
import Link from "next/link";
import type { ReactNode } from "react";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { TIME_MODE_COOKIE, TIME_ZONE_COOKIE, timeZoneFromCookies } from "@/components/format";
import { TimeZoneSwitch } from "@/components/format/time";
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
  const jar = await cookies();
  const timeZone = timeZoneFromCookies(jar.get(TIME_MODE_COOKIE)?.value, jar.get(TIME_ZONE_COOKIE)?.value);
  const signedIn = (await headers()).get(SESSION_HEADER) === "1";
  return (
    <html lang="en">
      <body>
        <Providers timeZone={timeZone}>
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
            <span className="topbar-spacer" />
            <TimeZoneSwitch />
            {signedIn ? <SignOutButton /> : null}
          </header>
          <main className="content">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
