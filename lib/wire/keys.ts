// S3 key order, for the server and the browser alike (the pass view orders the page records of a
// parallel pass by where their key range begins).

/**
 * UTF-8 byte order, which is code point order; JS `<` compares UTF-16 code units, where surrogates
 * (astral characters) wrongly sort below U+E000..U+FFFF. Shifting surrogates above that range at the
 * first difference gives code point order without encoding either string.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x < 0xe000 ? x + 0x2000 : x - 0x800;
      y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}
