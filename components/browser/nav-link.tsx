"use client";

import type { AnchorHTMLAttributes, MouseEvent, ReactNode } from "react";

export type Navigate = (href: string) => void;

/**
 * A real link (open in a new tab, copy, deep link) whose plain left click is handed to `onNavigate`
 * instead, so moving around the browser keeps the loaded listing and its scroll position.
 */
export function NavLink({
  href,
  onNavigate,
  children,
  ...rest
}: { href: string; onNavigate: Navigate; children: ReactNode } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href" | "onClick">) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    onNavigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
