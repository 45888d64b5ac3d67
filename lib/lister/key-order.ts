import "server-only";
import type { Anomaly } from "@/lib/wire";
import { compareKeys, type ListCursor } from "./list-pages";

const MAX_RECORDED_ANOMALIES = 20;

/**
 * Checks that keys (and, separately, common prefixes) arrive strictly ascending in UTF-8 byte order
 * across the pages of a pass: a key not after the previous one is an anomaly (out of order, or
 * repeated). Keeps the first 20 of a page and counts them all.
 */
export class KeyOrder {
  anomalies: Anomaly[] = [];
  count = 0;
  readonly prev: ListCursor;

  constructor(previous?: ListCursor) {
    this.prev = previous ? { ...previous } : { key: null, keyPage: -1, prefix: null, prefixPage: -1 };
  }

  /** Starts a new page: its anomalies are counted afresh. */
  page(): void {
    this.anomalies = [];
    this.count = 0;
  }

  check(key: string, isPrefix: boolean, index: number): void {
    const p = this.prev;
    const last = isPrefix ? p.prefix : p.key;
    if (last !== null) {
      const cmp = compareKeys(key, last);
      if (cmp <= 0) {
        this.count++;
        if (this.anomalies.length < MAX_RECORDED_ANOMALIES) {
          const kind = isPrefix ? (cmp === 0 ? "repeated_prefix" : "prefix_out_of_order") : cmp === 0 ? "repeated_key" : "out_of_order";
          this.anomalies.push({ kind, key, previousKey: last, previousPage: isPrefix ? p.prefixPage : p.keyPage });
        }
      }
    }
    if (isPrefix) {
      p.prefix = key;
      p.prefixPage = index;
    } else {
      p.key = key;
      p.keyPage = index;
    }
  }
}
