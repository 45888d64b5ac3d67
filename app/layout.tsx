import "@fontsource-variable/inter";
import "@fontsource-variable/jetbrains-mono";
import "./globals.css";
import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { Providers } from "@/components/providers";

export const metadata: Metadata = {
  title: { default: "bucketscope", template: "%s · bucketscope" },
  description: "See S3 listings page by page, compare passes, and watch the pagination race.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
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
        </header>
        <Providers>
          <main className="content">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
