"use client";

import Link from "next/link";
import { Fragment } from "react";
import { KeyText } from "./key-text";
import { NavLink, type Navigate } from "./nav-link";
import styles from "./browser.module.css";

export interface BreadcrumbItem {
  label: string;
  href: string;
}

/** connection › bucket › folder › folder: every level a link, the last one the current folder. */
export function Breadcrumbs({ connection, items, onNavigate }: { connection: string; items: BreadcrumbItem[]; onNavigate: Navigate }) {
  return (
    <nav className={styles.crumbs} aria-label="Folder">
      <Link href="/" className={styles.crumbConnection}>
        {connection}
      </Link>
      {items.map((item, i) => (
        <Fragment key={item.href}>
          <span className={styles.crumbSep} aria-hidden>
            /
          </span>
          {i === items.length - 1 ? (
            <span className={styles.current} aria-current="page">
              <KeyText value={item.label === "" ? "(empty)" : item.label} />
            </span>
          ) : (
            <NavLink href={item.href} onNavigate={onNavigate}>
              <KeyText value={item.label === "" ? "(empty)" : item.label} />
            </NavLink>
          )}
        </Fragment>
      ))}
    </nav>
  );
}
