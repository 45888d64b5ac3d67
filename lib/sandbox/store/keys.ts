import { S3Error } from "../errors";

/** S3 keys are at most 1024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;

// Valid UTF-8 never contains 0xFF, so `bytes ‖ 0xFF` sorts after every key that starts with `bytes`
// and before every larger key that does not: the exclusive upper bound of a prefix range.
const AFTER_EVERY_CONTINUATION = Buffer.from([0xff]);

export function utf8(value: string): Buffer {
  return Buffer.from(value, "utf8");
}

/** Upper bound (exclusive) of all keys starting with `prefixBytes`; x'FF' bounds the whole bucket. */
export function prefixUpperBound(prefixBytes: Buffer): Buffer {
  return Buffer.concat([prefixBytes, AFTER_EVERY_CONTINUATION]);
}

/**
 * Byte-wise order of the UTF-8 encodings, without encoding. UTF-8 byte order equals code point order,
 * which differs from JS `<` (UTF-16 code units) for astral characters vs U+E000..U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Both differ here; a surrogate (0xD800..0xDFFF) stands for a code point above U+FFFF.
    const aAstral = ca >= 0xd800 && ca <= 0xdfff;
    const bAstral = cb >= 0xd800 && cb <= 0xdfff;
    if (aAstral !== bAstral) return aAstral ? 1 : -1;
    return ca < cb ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * Strings that cannot be UTF-8 encoded (lone surrogates) are stored as U+FFFD, as any HTTP layer
 * would send them; normalising inputs up front keeps comparisons and stored keys in agreement.
 */
export function wellFormed(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return Buffer.from(value, "utf8").toString("utf8");
  }
  return value;
}

export function validateKey(key: string): Buffer {
  if (key.length === 0) {
    throw new S3Error("InvalidArgument", "Object key must not be empty.", { ArgumentName: "key" });
  }
  const bytes = utf8(key);
  if (bytes.length > MAX_KEY_BYTES) {
    throw new S3Error("KeyTooLongError", "Your key is too long", {
      MaxSizeAllowed: String(MAX_KEY_BYTES),
      Size: String(bytes.length),
    });
  }
  return bytes;
}
