import { isNfc, NOT_NFC_TITLE, visibleKey } from "@/components/format";
import styles from "./browser.module.css";

// Control characters (visibleKey's set) and invisible or direction-changing format characters
// (zero-width, bidi overrides, BOM) are drawn as visible escapes, so a key reads as what it is.
function isEscaped(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x2064) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff
  );
}

function escapeOf(c: string): string {
  const shown = visibleKey(c);
  return shown !== c ? shown : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

export type KeyPart = { text: string; escaped: boolean };

export function keyParts(key: string): KeyPart[] {
  const parts: KeyPart[] = [];
  let at = 0;
  for (let i = 0; i < key.length; i++) {
    if (!isEscaped(key.charCodeAt(i))) continue;
    if (i > at) parts.push({ text: key.slice(at, i), escaped: false });
    parts.push({ text: escapeOf(key.charAt(i)), escaped: true });
    at = i + 1;
  }
  if (at < key.length) parts.push({ text: key.slice(at), escaped: false });
  return parts;
}

/** The key as one line of text with escapes, for titles and copying. */
export function plainKey(key: string): string {
  return keyParts(key)
    .map((p) => p.text)
    .join("");
}

/** Marks a key that is not in Unicode NFC (drawn by the global `.not-nfc` rule, outside its text). */
export function nfcMarkProps(key: string, className?: string): { className?: string; title?: string; "data-not-nfc"?: "1" } {
  if (isNfc(key)) return className !== undefined ? { className } : {};
  return { className: className !== undefined ? `${className} not-nfc` : "not-nfc", title: NOT_NFC_TITLE, "data-not-nfc": "1" };
}

/** A key rendered as React text only: nothing in it is ever markup. A key that is not NFC is marked. */
export function KeyText({ value, className }: { value: string; className?: string }) {
  const parts = keyParts(value);
  const mark = nfcMarkProps(value, className);
  if (parts.length === 1 && parts[0]?.escaped === false) return <span {...mark}>{value}</span>;
  return (
    <span {...mark}>
      {parts.map((p, i) =>
        p.escaped ? (
          <span key={i} className={styles.escape}>
            {p.text}
          </span>
        ) : (
          p.text
        ),
      )}
    </span>
  );
}
