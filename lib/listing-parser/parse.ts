import type { ListObjectsV2Output, ListObjectVersionsOutput } from "@aws-sdk/client-s3";

// A purpose-built reader for the two listing bodies, ListObjectsV2 (<ListBucketResult>) and
// ListObjectVersions (<ListVersionsResult>). It gives exactly what the SDK's own deserializer gives
// for the same bytes (its member names, types and values), or refuses, and the caller hands the
// bytes to the SDK. It never guesses. Refused: attributes (but xmlns on the root), comments,
// processing instructions and DOCTYPEs inside the document, a member of the SDK's model with
// unexpected content, text where elements belong, a repeated single-valued member, entities other
// than the five XML ones and numeric references in the BMP, timestamps the SDK's RFC 3339 reader
// would not take as they are, anything after the root. What it reproduces of the SDK's reading
// (@aws-sdk/xml-builder's parseXML and @aws-sdk/core's XML shape deserializer):
// - CR and CRLF become LF in the whole document before anything else;
// - a text is its entity-decoded pieces and its raw CDATA sections joined; a text that is only
//   whitespace and holds a line feed is empty;
// - numbers are Number(text), booleans text.toLowerCase() === "true", timestamps RFC 3339 with the
//   fraction rounded to milliseconds;
// - elements the model does not know are ignored (here: skipped when they hold only text).
//
// Cost: a 1000-key body is ~200 KB. V8 puts a string over 128 KB in its large-object space, and
// making one costs ~1 ms (more than parsing the page), so bytes are decoded in pieces cut between
// the root's children. Repeated texts (StorageClass, LastModified, owners) reuse the last value.

type Scalar = "string" | "number" | "boolean" | "timestamp";
type Kind = "scalar" | "struct" | "list" | "struct-list";

interface Member {
  readonly element: string;
  readonly prop: string;
  readonly kind: Kind;
  readonly type: Scalar;
  readonly struct: Struct | null;
  /** "v"/"d": the element's place is noted in the document order of versions and delete markers. */
  readonly tag: string | null;
  /** A bit per member of its struct (repeats), an id per member of the model (last value). */
  readonly bit: number;
  readonly id: number;
  /** "<Element>" and "</Element>", matched in place. */
  readonly open: string;
  readonly close: string;
}

interface Struct {
  /** Where the guess of a struct's first member is kept (ids shared with members). */
  readonly id: number;
  readonly members: readonly Member[];
  /** Members by element name length, for matching a name in place. */
  readonly byLength: readonly (readonly Member[] | undefined)[];
}

type MemberDef = [element: string, kind: Kind, typeOrStruct: Scalar | Struct, prop?: string, tag?: string];

let memberIds = 0;

function struct(defs: MemberDef[]): Struct {
  const members = defs.map(([element, kind, t, prop, tag], i): Member => ({
    element,
    prop: prop ?? element,
    kind,
    type: typeof t === "string" ? t : "string",
    struct: typeof t === "string" ? null : t,
    tag: tag ?? null,
    bit: 1 << i,
    id: memberIds++,
    open: `<${element}>`,
    close: `</${element}>`,
  }));
  const byLength: Member[][] = [];
  for (const m of members) (byLength[m.element.length] ??= []).push(m);
  return { id: memberIds++, members, byLength };
}

const OWNER = struct([
  ["DisplayName", "scalar", "string"],
  ["ID", "scalar", "string"],
]);
const RESTORE_STATUS = struct([
  ["IsRestoreInProgress", "scalar", "boolean"],
  ["RestoreExpiryDate", "scalar", "timestamp"],
]);
const COMMON_PREFIX = struct([["Prefix", "scalar", "string"]]);

const OBJECT = struct([
  ["Key", "scalar", "string"],
  ["LastModified", "scalar", "timestamp"],
  ["ETag", "scalar", "string"],
  ["ChecksumAlgorithm", "list", "string"],
  ["ChecksumType", "scalar", "string"],
  ["Size", "scalar", "number"],
  ["StorageClass", "scalar", "string"],
  ["Owner", "struct", OWNER],
  ["RestoreStatus", "struct", RESTORE_STATUS],
]);

const OBJECT_VERSION = struct([
  ["ETag", "scalar", "string"],
  ["ChecksumAlgorithm", "list", "string"],
  ["ChecksumType", "scalar", "string"],
  ["Size", "scalar", "number"],
  ["StorageClass", "scalar", "string"],
  ["Key", "scalar", "string"],
  ["VersionId", "scalar", "string"],
  ["IsLatest", "scalar", "boolean"],
  ["LastModified", "scalar", "timestamp"],
  ["Owner", "struct", OWNER],
  ["RestoreStatus", "struct", RESTORE_STATUS],
]);

const DELETE_MARKER = struct([
  ["Owner", "struct", OWNER],
  ["Key", "scalar", "string"],
  ["VersionId", "scalar", "string"],
  ["IsLatest", "scalar", "boolean"],
  ["LastModified", "scalar", "timestamp"],
]);

const LIST_BUCKET_RESULT = struct([
  ["IsTruncated", "scalar", "boolean"],
  ["Contents", "struct-list", OBJECT],
  ["Name", "scalar", "string"],
  ["Prefix", "scalar", "string"],
  ["Delimiter", "scalar", "string"],
  ["MaxKeys", "scalar", "number"],
  ["CommonPrefixes", "struct-list", COMMON_PREFIX],
  ["EncodingType", "scalar", "string"],
  ["KeyCount", "scalar", "number"],
  ["ContinuationToken", "scalar", "string"],
  ["NextContinuationToken", "scalar", "string"],
  ["StartAfter", "scalar", "string"],
]);

const LIST_VERSIONS_RESULT = struct([
  ["IsTruncated", "scalar", "boolean"],
  ["KeyMarker", "scalar", "string"],
  ["VersionIdMarker", "scalar", "string"],
  ["NextKeyMarker", "scalar", "string"],
  ["NextVersionIdMarker", "scalar", "string"],
  ["Version", "struct-list", OBJECT_VERSION, "Versions", "v"],
  ["DeleteMarker", "struct-list", DELETE_MARKER, "DeleteMarkers", "d"],
  ["Name", "scalar", "string"],
  ["Prefix", "scalar", "string"],
  ["Delimiter", "scalar", "string"],
  ["MaxKeys", "scalar", "number"],
  ["CommonPrefixes", "struct-list", COMMON_PREFIX],
  ["EncodingType", "scalar", "string"],
]);

/** A member as this parser reads it (schema.test.ts holds the model against the SDK's own schemas). */
export interface ModelMember {
  element: string;
  prop: string;
  kind: Kind;
  type?: Scalar;
  members?: ModelMember[];
}

function describe(s: Struct): ModelMember[] {
  return s.members.map((m) =>
    m.struct === null ? { element: m.element, prop: m.prop, kind: m.kind, type: m.type } : { element: m.element, prop: m.prop, kind: m.kind, members: describe(m.struct) },
  );
}

/** The members this parser reads, per root element. */
export const PARSER_MODEL: Readonly<Record<"ListBucketResult" | "ListVersionsResult", ModelMember[]>> = {
  ListBucketResult: describe(LIST_BUCKET_RESULT),
  ListVersionsResult: describe(LIST_VERSIONS_RESULT),
};

/** Why a body was left to the SDK's parser. */
export class Refusal extends Error {
  constructor(
    readonly reason: string,
    /** Offset in the (line-feed normalised) document, in UTF-16 code units. */
    readonly at: number,
  ) {
    super(`listing body refused at ${at}: ${reason}`);
  }
}

export type BodyMembers<T> = Omit<T, "$metadata" | "RequestCharged">;
export type ParsedBody<T> = { ok: true; body: BodyMembers<T>; order: string[] | null } | { ok: false; refusal: Refusal };

const LT = 60; // <
const GT = 62; // >
const SLASH = 47; // /
const SPACE = 32;
const TAB = 9;
const LF = 10;

const ENTITY = /&(?:#x([0-9a-fA-F]{1,6})|#(\d{1,7})|([a-zA-Z][a-zA-Z0-9]{0,30}));/g;
const NAMED: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Pieces of a body are cut after a root child's closing tag once they pass this many bytes. */
const PIECE_BYTES = 48 * 1024;

/** One document's reading state. */
class Reader {
  /** The piece being read, the position in it, the pieces after it, and where it begins. */
  private s = "";
  private i = 0;
  private next = 0;
  private base = 0;
  /** "v"/"d" per <Version>/<DeleteMarker>, in document order (ListObjectVersions). */
  order: string[] | null = null;
  /** Per member id: the raw text last read and its value, reused when the next text is the same. */
  private readonly lastRaw = new Array<string | undefined>(memberIds).fill(undefined);
  private readonly lastValue = new Array<unknown>(memberIds).fill(undefined);
  /** Set by openTag: the tag was self-closing. */
  private empty = false;
  /** Per member (or struct) id: the member that came after it last time, tried first. */
  private readonly guess = new Array<Member | undefined>(memberIds).fill(undefined);

  constructor(private readonly pieces: readonly string[]) {
    this.advance();
  }

  private advance(): boolean {
    if (this.next >= this.pieces.length) return false;
    this.base += this.s.length;
    const piece = this.pieces[this.next++] as string;
    this.s = piece.indexOf("\r") >= 0 ? piece.replace(/\r\n?/g, "\n") : piece;
    this.i = 0;
    return true;
  }

  refuse(reason: string): never {
    throw new Refusal(reason, this.base + this.i);
  }

  /** Whitespace between elements: the SDK drops it only when it holds a line feed. */
  private skipSpace(): void {
    const s = this.s;
    let i = this.i;
    let lf = false;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === LF) lf = true;
      else if (c !== SPACE && c !== TAB) break;
      i++;
    }
    if (i > this.i && !lf) this.refuse("text between elements");
    this.i = i;
  }

  /**
   * At "<": reads an open tag and returns its member, undefined for an element the model does not
   * know (skipped), or null at a closing tag (left unread).
   */
  private openTag(spec: Struct): Member | undefined | null {
    const s = this.s;
    const at = this.i;
    if (s.charCodeAt(at) !== LT) this.refuse("text where an element belongs");
    const first = s.charCodeAt(at + 1);
    if (first === SLASH) return null;
    if (first === 33 || first === 63) this.refuse("a comment, CDATA or processing instruction between elements"); // ! ?
    let end = at + 1;
    for (;;) {
      const c = s.charCodeAt(end);
      if (c === GT || c === SLASH || c === SPACE || c === TAB || c === LF || c !== c) break;
      end++;
    }
    const c = s.charCodeAt(end);
    if (c === GT) {
      this.i = end + 1;
      this.empty = false;
    } else if (c === SLASH && s.charCodeAt(end + 1) === GT) {
      this.i = end + 2;
      this.empty = true;
    } else {
      this.refuse(c !== c ? "unterminated tag" : "an attribute on an element");
    }
    const candidates = spec.byLength[end - at - 1];
    if (candidates !== undefined) {
      for (const m of candidates) if (s.startsWith(m.element, at + 1)) return m;
    }
    if (!this.empty) this.skipUnknown(s.slice(at + 1, end));
    return undefined;
  }

  private closeTag(name: string): void {
    const s = this.s;
    const i = this.i;
    if (s.charCodeAt(i) === LT && s.charCodeAt(i + 1) === SLASH && s.startsWith(name, i + 2) && s.charCodeAt(i + 2 + name.length) === GT) {
      this.i = i + 3 + name.length;
      return;
    }
    this.refuse(`</${name}> expected`);
  }

  /** An element the model does not know, which the SDK ignores: skipped when it holds only text (and CDATA). */
  private skipUnknown(name: string): void {
    const s = this.s;
    for (;;) {
      const end = s.indexOf("<", this.i);
      if (end < 0) this.refuse("unterminated element");
      this.i = end;
      if (!s.startsWith("<![CDATA[", end)) break;
      const close = s.indexOf("]]>", end + 9);
      if (close < 0) this.refuse("unterminated CDATA section");
      this.i = close + 3;
    }
    if (s.charCodeAt(this.i + 1) !== SLASH) this.refuse(`unknown element <${name}> with content`);
    this.closeTag(name);
  }

  /** References as the SDK decodes them; the common ones inline (every ETag is &quot;…&quot; or &#34;…&#34;). */
  private decode(raw: string): string {
    let amp = raw.indexOf("&");
    if (amp < 0) return raw;
    let out = "";
    let from = 0;
    while (amp >= 0) {
      const char = referenceAt(raw, amp);
      if (char === null) return out + this.decodeAny(raw.slice(from));
      out += raw.slice(from, amp) + char;
      from = raw.indexOf(";", amp) + 1;
      amp = raw.indexOf("&", from);
    }
    return out + raw.slice(from);
  }

  private decodeAny(raw: string): string {
    return raw.replace(ENTITY, (_m: string, hex: string | undefined, dec: string | undefined, named: string | undefined) => {
      if (named !== undefined) return NAMED[named] ?? this.refuse(`entity &${named};`);
      const code = hex !== undefined ? parseInt(hex, 16) : parseInt(dec ?? "", 10);
      // The SDK reads a reference with String.fromCharCode, which cuts astral code points.
      if (code > 0xffff) this.refuse("a character reference beyond U+FFFF");
      return String.fromCharCode(code);
    });
  }

  /** The value of a leaf member whose open tag has been read, through its closing tag. */
  private leaf(m: Member): unknown {
    if (this.empty) return this.convert(m, "");
    const s = this.s;
    const start = this.i;
    const end = s.indexOf("<", start);
    if (end < 0) this.refuse("unterminated element");
    if (s.startsWith(m.close, end)) {
      this.i = end + m.close.length;
      const last = this.lastRaw[m.id];
      if (last !== undefined && last.length === end - start && s.startsWith(last, start)) return m.type === "timestamp" ? new Date(this.lastValue[m.id] as number) : this.lastValue[m.id];
      const raw = s.slice(start, end);
      const value = this.convert(m, this.text(raw));
      this.lastRaw[m.id] = raw;
      this.lastValue[m.id] = value instanceof Date ? value.getTime() : value;
      return value;
    }
    return this.convert(m, this.mixedText(m.element));
  }

  private text(raw: string): string {
    const text = this.decode(raw);
    return text.indexOf("\n") >= 0 && text.trim() === "" ? "" : text;
  }

  /** Text with CDATA sections (taken raw, joined with the decoded text around them). */
  private mixedText(name: string): string {
    const s = this.s;
    let end = s.indexOf("<", this.i);
    const parts = [this.decode(s.slice(this.i, end))];
    while (s.startsWith("<![CDATA[", end)) {
      const close = s.indexOf("]]>", end + 9);
      if (close < 0) this.refuse("unterminated CDATA section");
      parts.push(s.slice(end + 9, close));
      const next = s.indexOf("<", close + 3);
      if (next < 0) this.refuse("unterminated element");
      parts.push(this.decode(s.slice(close + 3, next)));
      end = next;
    }
    this.i = end;
    this.closeTag(name);
    const text = parts.join("");
    return text.indexOf("\n") >= 0 && text.trim() === "" ? "" : text;
  }

  private convert(m: Member, text: string): unknown {
    switch (m.type) {
      case "string":
        return text;
      case "number":
        return Number(text);
      case "boolean":
        return text === "true" || (text !== "false" && text.toLowerCase() === "true");
      case "timestamp": {
        const ms = rfc3339Utc(text);
        if (ms === null) this.refuse(`timestamp ${JSON.stringify(text.slice(0, 40))}`);
        return new Date(ms);
      }
    }
  }

  /** The members of a struct element whose open tag has been read, through its closing tag. */
  struct(spec: Struct, name: string, root: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.empty) return out;
    let seen = 0;
    let previous = spec.id;
    for (;;) {
      if (root && this.i === this.s.length) this.advance();
      this.skipSpace();
      const guess = this.guess[previous];
      let m: Member | null | undefined;
      if (guess !== undefined && this.s.startsWith(guess.open, this.i)) {
        this.i += guess.open.length;
        this.empty = false;
        m = guess;
      } else {
        m = this.openTag(spec);
      }
      if (m === null) {
        this.closeTag(name);
        return out;
      }
      if (m === undefined) continue;
      this.guess[previous] = m;
      previous = m.id;
      if (m.kind === "scalar" || m.kind === "struct") {
        if ((seen & m.bit) !== 0) this.refuse(`<${m.element}> repeated`);
        seen |= m.bit;
        out[m.prop] = m.struct === null ? this.leaf(m) : this.struct(m.struct, m.element, false);
      } else {
        const v = m.struct === null ? this.leaf(m) : this.struct(m.struct, m.element, false);
        const list = out[m.prop] as unknown[] | undefined;
        if (list === undefined) out[m.prop] = [v];
        else list.push(v);
        if (m.tag !== null) (this.order ??= []).push(m.tag);
      }
    }
  }

  /** Prolog, the root element (xmlns attributes only), nothing but whitespace after it. */
  document(root: string, spec: Struct): Record<string, unknown> {
    this.i = skipXmlSpace(this.s, 0);
    if (this.s.startsWith("<?xml", this.i)) {
      const end = this.s.indexOf("?>", this.i);
      if (end < 0) this.refuse("unterminated XML declaration");
      this.i = skipXmlSpace(this.s, end + 2);
    }
    if (!(this.s.charCodeAt(this.i) === LT && this.s.startsWith(root, this.i + 1))) this.refuse(`<${root}> expected`);
    this.i += 1 + root.length;
    this.rootAttributes(root);
    this.empty = false;
    const out = this.struct(spec, root, true);
    for (;;) {
      this.i = skipXmlSpace(this.s, this.i);
      if (this.i < this.s.length) this.refuse(`content after </${root}>`);
      if (!this.advance()) return out;
    }
  }

  private rootAttributes(root: string): void {
    const s = this.s;
    for (;;) {
      const i = skipXmlSpace(s, this.i);
      if (s.charCodeAt(i) === GT) {
        this.i = i + 1;
        return;
      }
      if (i === this.i) this.refuse(`<${root}> expected`);
      this.i = i;
      const eq = s.indexOf("=", i);
      const name = eq < 0 ? "" : s.slice(i, eq);
      if (!/^xmlns(:[A-Za-z_][\w.-]*)?$/.test(name)) this.refuse(`attribute ${JSON.stringify(name.slice(0, 40))} on <${root}>`);
      const quote = s.charCodeAt(eq + 1);
      if (quote !== 34 && quote !== 39) this.refuse("an unquoted attribute");
      const close = s.indexOf(quote === 34 ? '"' : "'", eq + 2);
      if (close < 0) this.refuse("an unterminated attribute");
      this.i = close + 1;
    }
  }
}

/**
 * The character of the reference at `amp` ("&"): one of the five XML entities, or a numeric reference
 * in the BMP written as the SDK's pattern takes it (&#x + 1-6 hex digits or &# + 1-7 digits, then ";";
 * Go's encoding/xml, and so MinIO, writes &#34; &#39; &#x9; &#xA; &#xD;). null for anything else.
 */
function referenceAt(raw: string, amp: number): string | null {
  switch (raw.charCodeAt(amp + 1)) {
    case 113: // q
      return raw.startsWith("quot;", amp + 1) ? '"' : null;
    case 97: // a
      return raw.startsWith("amp;", amp + 1) ? "&" : raw.startsWith("apos;", amp + 1) ? "'" : null;
    case 108: // l
      return raw.startsWith("lt;", amp + 1) ? "<" : null;
    case 103: // g
      return raw.startsWith("gt;", amp + 1) ? ">" : null;
    case 35: {
      // #
      const hex = raw.charCodeAt(amp + 2) === 120; // x
      const from = amp + (hex ? 3 : 2);
      const end = raw.indexOf(";", from);
      if (end <= from || end - from > (hex ? 6 : 7)) return null;
      const digits = raw.slice(from, end);
      if (!(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) return null;
      const code = parseInt(digits, hex ? 16 : 10);
      return code <= 0xffff ? String.fromCharCode(code) : null;
    }
    default:
      return null;
  }
}

function skipXmlSpace(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c !== SPACE && c !== TAB && c !== LF) return i;
    i++;
  }
}

function digits(s: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * YYYY-MM-DDTHH:MM:SS[.fraction]Z in milliseconds, computed as @smithy/core's RFC 3339 reader does
 * (fields range-checked, the fraction rounded to milliseconds, years below 100 kept), or null for
 * anything else (offsets, lower-case t or z, fields out of range), which the SDK then reads or rejects.
 */
export function rfc3339Utc(s: string): number | null {
  const n = s.length;
  if (n < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(n - 1) !== 90) return null;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return null;
  let ms = 0;
  if (n > 20) {
    if (s.charCodeAt(19) !== 46 || n < 22 || digits(s, 20, n - 21) < 0) return null;
    const fraction = s.slice(20, n - 1);
    ms = Number(fraction) ? Math.round(parseFloat(`0.${fraction}`) * 1000) : 0;
  }
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  date.setUTCFullYear(year);
  return date.getTime();
}

/**
 * UTF-8 bytes as strings of about PIECE_BYTES each, cut right after the first of `cuts` (root
 * children's closing tags) past that size, so no piece is a large-object string and no element,
 * character or CR LF pair is split.
 */
export function decodePieces(bytes: Uint8Array, cuts: readonly Buffer[]): string[] {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pieces: string[] = [];
  let from = 0;
  while (buf.length - from > PIECE_BYTES) {
    const cut = cutAfter(buf, from + PIECE_BYTES, cuts);
    if (cut < 0) break;
    pieces.push(buf.toString("utf8", from, cut));
    from = cut;
  }
  pieces.push(buf.toString("utf8", from));
  return pieces;
}

/** The end of the first of `tags` at or after `at`, or -1. */
function cutAfter(buf: Buffer, at: number, tags: readonly Buffer[]): number {
  for (let i = buf.indexOf("</", at); i >= 0; i = buf.indexOf("</", i + 2)) {
    for (const tag of tags) if (buf.compare(tag, 0, tag.length, i, i + tag.length) === 0) return i + tag.length;
  }
  return -1;
}

const V2_CUTS = ["</Contents>", "</CommonPrefixes>"].map((t) => Buffer.from(t));
const VERSIONS_CUTS = ["</Version>", "</DeleteMarker>", "</CommonPrefixes>"].map((t) => Buffer.from(t));

function parse<T>(body: Uint8Array | string, cuts: readonly Buffer[], root: string, spec: Struct): ParsedBody<T> {
  const reader = new Reader(typeof body === "string" ? [body] : decodePieces(body, cuts));
  try {
    const parsed = reader.document(root, spec) as BodyMembers<T>;
    return { ok: true, body: parsed, order: reader.order };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, refusal: err };
    throw err;
  }
}

/** A ListObjectsV2 body (UTF-8 bytes or text) as the SDK reads it, or why not. */
export function parseListObjectsV2(body: Uint8Array | string): ParsedBody<ListObjectsV2Output> {
  return parse<ListObjectsV2Output>(body, V2_CUTS, "ListBucketResult", LIST_BUCKET_RESULT);
}

/** A ListObjectVersions body as the SDK reads it, with the order of its <Version>/<DeleteMarker> elements. */
export function parseListObjectVersions(body: Uint8Array | string): ParsedBody<ListObjectVersionsOutput> {
  const parsed = parse<ListObjectVersionsOutput>(body, VERSIONS_CUTS, "ListVersionsResult", LIST_VERSIONS_RESULT);
  if (parsed.ok) parsed.order ??= [];
  return parsed;
}
