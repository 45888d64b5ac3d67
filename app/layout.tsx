import "@fontsource-variable/inter";
import "@fontsource-variable/jetbrains-mono";
import "./globals.css";
import type { Metadata } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
import type { ReactNode } from "react";
import { TIME_MODE_COOKIE, TIME_ZONE_COOKIE, timeZoneFromCookies } from "@/components/format";
import { TimeZoneSwitch } from "@/components/format/time";
import { Providers } from "@/components/providers";

export const metadata: Metadata = {
  title: { default: "bucketscope", template: "%s · bucketscope" },
  description: "See S3 listings page by page, compare passes, and watch the pagination race.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const jar = await cookies();
  const timeZone = timeZoneFromCookies(jar.get(TIME_MODE_COOKIE)?.value, jar.get(TIME_ZONE_COOKIE)?.value);
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
              <Link href="/race">Race lab</Link>
            </nav>
            <span className="topbar-spacer" />
            <TimeZoneSwitch />
          </header>
          <main className="content">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
